import { AllowAllDurableStreamsAuthorizer } from '../../lib/index.js';
import { ExpiredStreamsSweeper } from '../../lib/durable-streams/expired-streams.sweeper.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const TEN_YEARS = 315_576_000;

describe('Durable Streams: TTL and expiry near the timestamp limits', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const logger = new CapturingLogger();
  const url = (name: string) => `${t.baseUrl}/v1/stream/expiry/${name}`;
  const put = (name: string, headers: Record<string, string>) =>
    fetch(url(name), { method: 'PUT', headers: { 'content-type': 'text/plain', ...headers } });
  const sweeper = () => t.app.get(ExpiredStreamsSweeper);

  beforeAll(async () => {
    db = await createTestDatabase('ds_limits_expiry');
    t = await createFirehoseHttpApp({ url: db.url, durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer }, logger });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  afterEach(() => {
    expect(logger.messages('error')).toEqual([]);
  });

  it('refuses a Stream-TTL beyond ten years with 400 and a reason, and accepts ten years', async () => {
    for (const ttl of ['9007199254740991', '9223372036854775807', '99999999999999999999999', String(TEN_YEARS + 1)]) {
      const res = await put(`ttl-${ttl.length}`, { 'stream-ttl': ttl });
      expect([ttl, res.status]).toEqual([ttl, 400]);
      expect(await res.text()).toMatch(/Stream-TTL must be at most/);
    }
    const ok = await put('ttl-ten-years', { 'stream-ttl': String(TEN_YEARS) });
    expect(ok.status).toBe(201);
    expect((await fetch(`${url('ttl-ten-years')}?offset=-1`)).status).toBe(200);
    const append = await fetch(url('ttl-ten-years'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(append.status).toBe(204);
  });

  it('refuses a Stream-Expires-At outside 1970 … ten years ahead, or not RFC 3339, with 400', async () => {
    const refused = [
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '9999-12-31T23:59:59Z',
      new Date(Date.now() + (TEN_YEARS + 86_400) * 1000).toISOString(),
      '1969-12-31T23:59:59Z',
      '0001-01-01T00:00:00Z',
      '2030',
      'Tue Jan 01 2030',
      '2030-01-01T00:00:00',
    ];
    for (const [i, at] of refused.entries()) {
      const res = await put(`expires-refused-${i}`, { 'stream-expires-at': at });
      expect([at, res.status]).toEqual([at, 400]);
      expect(await res.text()).toMatch(/Stream-Expires-At/);
    }
    const soon = new Date(Date.now() + 3_600_000).toISOString().replace('Z', '+00:00');
    expect((await put('expires-ok', { 'stream-expires-at': soon })).status).toBe(201);
    expect((await fetch(url('expires-ok'), { method: 'HEAD' })).headers.get('stream-expires-at')).toBe(soon);
  });

  it('serves a stream whose row holds a TTL near the bigint limit (written before these checks), and appends beside it', async () => {
    await db.query(
      `INSERT INTO firehose_ds_streams (path, content_type, ttl_seconds) VALUES ($1, 'text/plain', 9223372036854775807),
         ($2, 'text/plain', NULL)`,
      ['/v1/stream/expiry/huge-ttl-row', '/v1/stream/expiry/neighbour'],
    );
    await db.query(`UPDATE firehose_ds_streams SET accessed_at = 'infinity' WHERE path = '/v1/stream/expiry/huge-ttl-row'`);
    expect((await fetch(`${url('huge-ttl-row')}?offset=-1`)).status).toBe(200);
    expect((await fetch(url('huge-ttl-row'), { method: 'HEAD' })).status).toBe(200);
    // Sent together, so they may share a group-commit batch: the bad row must not fail its neighbour.
    const [bad, neighbour] = await Promise.all([
      fetch(url('huge-ttl-row'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a' }),
      fetch(url('neighbour'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'b' }),
    ]);
    expect([bad.status, neighbour.status]).toEqual([204, 204]);
    expect(await sweeper().sweep()).toBeGreaterThanOrEqual(0);
    expect(logger.messages('warn')).toEqual([]);
  });

  it('sweeps the other expired streams past one it cannot delete, with one WARN line for it', async () => {
    const warnings = logger.messages('warn').length;
    // An expired source whose ref_count says no fork reads it while one does: deleting it breaks the fork's foreign key.
    const [source] = await db.query<{ id: string }>(
      `INSERT INTO firehose_ds_streams (path, content_type, ttl_seconds, accessed_at)
       VALUES ('/v1/stream/expiry/bad-source', 'text/plain', 1, now() - interval '1 hour') RETURNING id`,
    );
    await db.query(
      `INSERT INTO firehose_ds_streams (path, content_type, forked_from, fork_offset) VALUES ('/v1/stream/expiry/bad-fork', 'text/plain', $1, 0)`,
      [source.id],
    );
    for (let i = 0; i < 5; i++) {
      await db.query(
        `INSERT INTO firehose_ds_streams (path, content_type, expires_at, expires_at_ts)
         VALUES ($1, 'text/plain', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')`,
        [`/v1/stream/expiry/expired-${i}`],
      );
    }
    await db.query(
      `INSERT INTO firehose_ds_streams (path, content_type, ttl_seconds, accessed_at)
       VALUES ('/v1/stream/expiry/huge-ttl-expired', 'text/plain', 9223372036854775807, '-infinity')`,
    );
    const swept = await sweeper().sweep();
    const left = await db.query<{ path: string }>(
      `SELECT path FROM firehose_ds_streams WHERE path ~ '^/v1/stream/expiry/(expired-|huge-ttl-expired|bad-)' ORDER BY path`,
    );
    expect(left.map((row) => row.path)).toEqual(['/v1/stream/expiry/bad-fork', '/v1/stream/expiry/bad-source']);
    expect(swept).toBe(6);
    const newWarnings = logger.messages('warn').slice(warnings);
    expect(newWarnings).toHaveLength(1);
    expect(newWarnings[0]).toContain('/v1/stream/expiry/bad-source');
    expect(
      logger.logs
        .filter((log) => log.level === 'warn')
        .slice(warnings)[0]
        .params.some((p) => /\n\s+at /.test(String(p))),
    ).toBe(false);
    // The next sweep leaves the bad row out: no new line.
    await sweeper().sweep();
    expect(logger.messages('warn').slice(warnings)).toHaveLength(1);
    expect((await fetch(url('bad-fork'), { method: 'HEAD' })).status).toBe(200);
  });
});
