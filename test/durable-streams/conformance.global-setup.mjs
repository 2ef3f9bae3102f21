// Boots a real Nest app (Express) with DurableStreamsModule on a fresh database for the
// official conformance suite, and hands its URL to the test file. Uses the built library (dist/),
// as `npm test` builds it first. Reuses jest's PostgreSQL setup: DATABASE_URL or an embedded server.
import 'reflect-metadata';
import jestGlobalSetup from '../jest/global-setup.mjs';
import jestGlobalTeardown from '../jest/global-teardown.mjs';
import { startDurableStreamsApp } from './durable-streams-app.mjs';

export default async function setup(project) {
  await jestGlobalSetup();
  // DS_CONFORMANCE_OPTIONS (JSON) adds DurableStreamsModule.forRoot options, e.g. {"readCacheBytes":0} to read every chunk from PostgreSQL.
  const extra = JSON.parse(process.env.DS_CONFORMANCE_OPTIONS || '{}');
  const app = await startDurableStreamsApp('ds_conformance', { longPollTimeout: 500, ...extra });
  project.provide('durableStreamsUrl', app.baseUrl);
  return async () => {
    await app.close();
    await jestGlobalTeardown();
  };
}
