/** Runs one SQL statement with bound parameters (the DataSource's pg pool, or the DataSource). */
export type TopicSql = (name: string, text: string, values: unknown[]) => Promise<unknown>;

/**
 * One statement sends a batch in order, as one transaction: its notifications are delivered in
 * the order sent. Nothing is stored, so nothing needs the commit to be durable before the
 * notifications go out: `synchronous_commit` off for this transaction only skips the WAL flush a
 * notifying commit otherwise waits for.
 */
const SEND_SQL = `SELECT pg_notify(channel, payload), set_config('synchronous_commit', 'off', true) FROM unnest($1::text[], $2::text[]) AS m(channel, payload)`;
const SEND_STATEMENT = 'firehose_topics_send';

interface Pending {
  payload: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The process's sender of topic notifications, one statement at a time: while one is in flight,
 * the next messages gather, each in its shard's queue, and go together when it is done. So a
 * shard's messages commit, and are delivered, in the order they were sent, which a NOTIFY per
 * message on any free pooled connection would not keep. Every notifying commit takes the
 * database's one NOTIFY lock, so parallel statements would only queue for it: the shards share
 * each statement instead, taken in turns, so a hot topic fills only its shard's share and the
 * others' messages leave in the next statement whatever its backlog. A lone message leaves at once.
 */
export class TopicSender {
  private readonly queues: Pending[][];
  private queued = 0;
  /** The shard whose queue is served first in the next statement, in turns. */
  private nextShard = 0;
  private running = false;

  constructor(
    private readonly sql: TopicSql,
    private readonly channels: readonly string[],
    private readonly batchSize: number,
  ) {
    this.queues = channels.map(() => []);
  }

  /** Resolves once the message's notification on shard `shard` has committed. */
  send(shard: number, payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queues[shard].push({ payload, resolve, reject });
      this.queued++;
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queued > 0) {
        const batch = this.takeBatch();
        try {
          await this.sql(SEND_STATEMENT, SEND_SQL, [batch.channels, batch.payloads]);
          for (const pending of batch.pending) pending.resolve();
        } catch (error) {
          for (const pending of batch.pending) pending.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Up to `batchSize` messages: every waiting shard gets an equal share, taken in turns from
   * `nextShard`; what a quiet shard leaves goes to the busy ones in the next round.
   */
  private takeBatch(): { channels: string[]; payloads: string[]; pending: Pending[] } {
    const channels: string[] = [];
    const payloads: string[] = [];
    const pending: Pending[] = [];
    const shards = this.queues.length;
    // Rounds: each gives every shard still waiting an equal share of the room left.
    while (pending.length < this.batchSize && pending.length < this.queued) {
      let waiting = 0;
      for (const queue of this.queues) if (queue.length > 0) waiting++;
      const share = Math.max(1, Math.floor((this.batchSize - pending.length) / waiting));
      for (let turn = 0; turn < shards && pending.length < this.batchSize; turn++) {
        const shard = (this.nextShard + turn) % shards;
        const queue = this.queues[shard];
        if (queue.length === 0) continue;
        for (const message of queue.splice(0, Math.min(share, this.batchSize - pending.length))) {
          channels.push(this.channels[shard]);
          payloads.push(message.payload);
          pending.push(message);
        }
      }
    }
    this.queued -= pending.length;
    this.nextShard = (this.nextShard + 1) % shards;
    return { channels, payloads, pending };
  }
}
