export default async function globalTeardown() {
  await globalThis.__FIREHOSE_EMBEDDED_PG__?.stop();
}
