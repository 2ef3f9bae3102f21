import pg from 'pg';
import { TopicSender, type TopicSql } from '../../lib/topics/topic-sender.js';
import { waitFor } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const CHANNELS = ['sender_0', 'sender_1', 'sender_2', 'sender_3'];

describe("the process's topic sender: one statement at a time, the shards sharing it", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let listener: pg.Client;
  const heard: Array<{ channel: string; payload: string }> = [];
  /** The channels of each statement, in the order sent. */
  const statements: string[][] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const sql: TopicSql = async (name, text, values) => {
    statements.push([...(values[0] as string[])]);
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    try {
      return await pool.query({ name, text, values });
    } finally {
      inFlight--;
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('topic_sender');
    pool = new pg.Pool({ connectionString: db.url, max: 8 });
    listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', ({ channel, payload }) => heard.push({ channel, payload: payload! }));
    for (const channel of CHANNELS) await listener.query(`LISTEN ${channel}`);
  });
  afterAll(async () => {
    await listener?.end();
    await pool?.end();
    await db?.drop();
  });

  it("sends a hot shard's backlog and a quiet shard's message together, each shard in order, one statement at a time", async () => {
    const sender = new TopicSender(sql, CHANNELS, 64);
    const hot = Array.from({ length: 1000 }, (_, i) => sender.send(0, `hot ${i}`));
    const warm = Array.from({ length: 10 }, (_, i) => sender.send(1, `warm ${i}`));
    const quiet = sender.send(3, 'quiet');
    await Promise.all([...hot, ...warm, quiet]);

    // The first message left at once; the next statement already carries the other shards' messages.
    expect(statements[0]).toEqual(['sender_0']);
    expect(statements[1]).toEqual(expect.arrayContaining(['sender_0', 'sender_1', 'sender_3']));
    expect(statements.every((channels) => channels.length <= 64)).toBe(true);
    expect(mostInFlight).toBe(1);

    await waitFor(() => heard.length === 1011, 10_000, 'every notification');
    const of = (channel: string) => heard.filter((n) => n.channel === channel).map((n) => n.payload);
    expect(of('sender_0')).toEqual(Array.from({ length: 1000 }, (_, i) => `hot ${i}`));
    expect(of('sender_1')).toEqual(Array.from({ length: 10 }, (_, i) => `warm ${i}`));
    expect(of('sender_3')).toEqual(['quiet']);
  });

  it('fails the messages of a statement that fails, and goes on with the next ones', async () => {
    let fail = true;
    const failing: TopicSql = (name, text, values) => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error('connection lost'));
      }
      return sql(name, text, values);
    };
    const sender = new TopicSender(failing, CHANNELS, 64);
    const first = sender.send(2, 'lost');
    const second = sender.send(2, 'kept');
    await expect(first).rejects.toThrow('connection lost');
    await expect(second).resolves.toBeUndefined();
  });
});
