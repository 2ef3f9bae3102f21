/** Runs one SQL statement with bound parameters (the DataSource's pg pool, or the DataSource). */
export type TopicSql = (name: string, text: string, values: unknown[]) => Promise<unknown>;

/**
 * One statement sends a batch in order, as one transaction: its notifications are delivered in
 * the order sent. Nothing is stored, so nothing needs the commit to be durable before the
 * notifications go out: `synchronous_commit` off for this transaction only skips the WAL flush a
 * notifying commit otherwise waits for.
 */
const SEND_SQL = `SELECT pg_notify($1, payload), set_config('synchronous_commit', 'off', true) FROM unnest($2::text[]) AS payload`;
const SEND_STATEMENT = 'firehose_topics_send';

interface Pending {
  payload: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The sender of one shard channel. One statement at a time: while one is in flight, the next
 * messages gather and go together when it is done. So a shard's messages commit, and are
 * delivered, in the order they were sent, which a NOTIFY per message on any free pooled
 * connection would not keep; and the shards send side by side, so a hot topic holds up only the
 * topics that share its shard. A lone message leaves at once.
 */
export class TopicShardSender {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly sql: TopicSql,
    readonly channel: string,
    private readonly batchSize: number,
  ) {}

  /** Resolves once the message's notification has committed. */
  send(payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ payload, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
        this.queue = batch === this.queue ? [] : this.queue.slice(this.batchSize);
        try {
          await this.sql(SEND_STATEMENT, SEND_SQL, [this.channel, batch.map((pending) => pending.payload)]);
          for (const pending of batch) pending.resolve();
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
