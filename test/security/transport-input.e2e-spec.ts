import { connect } from 'node:net';
import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs } from '../utils/ws-client.js';

/** Sends `request` on a raw socket and collects what comes back until the server closes or `ms` pass. */
function rawExchange(port: number, request: string, ms = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

describe('hostile transport input', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    db = await createTestDatabase('transport_input');
    t = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer }, logger });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers HEAD on the SSE route with a proper response and no event frames', async () => {
    const port = Number(new URL(t.baseUrl).port);
    await t.firehose.broadcast('head-test', { n: 1 });
    const text = await rawExchange(port, 'HEAD /firehose/sse?streams=head-test&last_event_id=0 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(text).toMatch(/\r\nallow: GET\r\n/i);
    expect(text).not.toContain('event: head-test');
    expect(text).not.toContain('retry:');
  });

  it('answers hostile values in commands with an error frame, logging no error', async () => {
    const client = await openWs(`${t.wsUrl}/firehose`);
    try {
      const before = logger.logs.length;
      client.send({ command: 'subscribe', streams: [{ toString: 1 }] });
      client.send({ command: 'subscribe', streams: { toString: 1 } });
      client.send({ toString: 1 });
      client.send({ command: { toString: 1 } });
      client.send({ command: 'subscribe', streams: ['ok'], last_event_id: { valueOf: 1 } });
      const errors = await client.waitForControl('error', 5);
      expect(errors.map((e) => e.code)).toEqual([
        'invalid-stream',
        'invalid-command',
        'unknown-command',
        'unknown-command',
        'invalid-command',
      ]);
      // The connection still works.
      client.send({ command: 'subscribe', streams: ['after'] });
      await client.waitForControl('subscribed');
      const logged = logger.logs.slice(before);
      expect(logged.filter((log) => log.level === 'error' || log.level === 'fatal')).toEqual([]);
      for (const log of logged) expect(log.message.split('\n')).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});
