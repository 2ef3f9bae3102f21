// A second app process for the Durable Streams cross-process test: the built library on an
// existing database. Prints its base URL as one JSON line; exits when stdin closes.
import { startDurableStreamsApp } from './durable-streams-app.mjs';

const { databaseUrl, durableStreams, throttle } = JSON.parse(process.argv[2]);
const app = await startDurableStreamsApp('child', durableStreams, { databaseUrl, throttle });
process.stdout.write(JSON.stringify({ baseUrl: app.baseUrl }) + '\n');
// Each request as it arrives, so a test can wait until a long-poll has reached this process.
app.httpServer.on('request', (request) => process.stdout.write(JSON.stringify({ request: request.method + ' ' + request.url }) + '\n'));
process.stdin.resume();
process.stdin.on('end', async () => {
  await app.close();
  process.exit(0);
});
