import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { FirehoseListenerConnectionError } from '../errors/listener-connection.error.js';
import type { ListenerState } from './listener-state.js';

export interface ListenerHandler {
  /**
   * Called once LISTEN is in effect on a new connection and before any of its notifications are
   * forwarded, so the caller can catch up from the table first. A rejection counts as a failed connect.
   */
  onListening(reconnected: boolean): Promise<void>;
  /** Must only parse and enqueue: a slow handler pins the cluster-wide NOTIFY queue. */
  onNotification(channel: string, payload: string): void;
}

export interface PgListenerOptions {
  channels: string[];
  reconnectAttempts: number;
  reconnectDelay: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
}

/**
 * The one dedicated LISTEN connection of a process, outside any pool. It heartbeats with a timeout
 * (a hung backend keeps its socket open), reconnects with exponential backoff and jitter, reports
 * `unhealthy` after `reconnectAttempts` failures and never stops trying.
 */
export class PgListener implements OnApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private client: pg.Client | undefined;
  private generation = 0;
  private failures = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private currentState: ListenerState = 'connecting';
  /** While a connection is being opened, its failures surface as open()'s rejection instead. */
  private opening = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly options: PgListenerOptions,
    private readonly handler: ListenerHandler,
  ) {}

  get state(): ListenerState {
    return this.currentState;
  }

  /** Backend pid of the live connection, for diagnostics (`pg_stat_activity`). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  /** First connection, with the same backoff as reconnects; throws after `reconnectAttempts` failures. */
  async connect(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.open(false);
        return;
      } catch (error) {
        if (attempt >= this.options.reconnectAttempts) {
          this.currentState = 'closed';
          throw new FirehoseListenerConnectionError(attempt, error);
        }
        this.logger.warn(`LISTEN connection attempt ${attempt} failed (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, this.backoff(attempt - 1)));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.generation++;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await withTimeout(client.query('UNLISTEN *'), 1000);
      this.logger.debug('UNLISTEN *');
    } catch {
      // The connection is going away either way.
    }
    await withTimeout(client.end(), 1000).catch(() => destroySocket(client));
  }

  private async open(reconnected: boolean): Promise<void> {
    const generation = ++this.generation;
    this.opening = true;
    const client = new pg.Client(this.config);
    const held: Array<[string, string]> = [];
    let forwarding = false;
    client.on('notification', (message) => {
      if (generation !== this.generation) return;
      if (forwarding) this.handler.onNotification(message.channel, message.payload ?? '');
      else held.push([message.channel, message.payload ?? '']);
    });
    // pg emits 'error' (sometimes twice) and then 'end' for one loss; `lost` acts once per generation.
    client.on('error', (error) => this.lost(generation, error));
    client.on('end', () => this.lost(generation, new Error('connection ended')));
    try {
      await client.connect();
      for (const channel of this.options.channels) {
        await client.query(`LISTEN ${channel}`);
        this.logger.debug(`LISTEN ${channel}`);
      }
      await this.assertListening(client);
      this.client = client;
      await this.handler.onListening(reconnected);
      if (generation !== this.generation) throw new Error('connection lost while catching up');
    } catch (error) {
      if (generation === this.generation) this.generation++;
      this.opening = false;
      destroySocket(client);
      throw error;
    }
    this.opening = false;
    forwarding = true;
    for (const [channel, payload] of held) this.handler.onNotification(channel, payload);
    if (reconnected) this.logger.log(`LISTEN connection restored after ${this.failures} failed attempts`);
    this.failures = 0;
    this.currentState = 'connected';
    this.startHeartbeat(client, generation);
  }

  /** Fails loudly when LISTEN did not stick, as behind a transaction-mode pooler. */
  private async assertListening(client: pg.Client): Promise<void> {
    const { rows } = await client.query('SELECT array_agg(c) AS channels FROM pg_listening_channels() c');
    const listening: string[] = rows[0].channels ?? [];
    const missing = this.options.channels.filter((c) => !listening.includes(c));
    if (missing.length > 0) {
      throw new Error(
        `LISTEN on ${missing.join(', ')} did not take effect; connect databaseUrl directly to PostgreSQL, not through a transaction-mode pooler`,
      );
    }
  }

  private startHeartbeat(client: pg.Client, generation: number): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      withTimeout(client.query('SELECT count(*)::int AS n FROM pg_listening_channels()'), this.options.heartbeatTimeout)
        .then(({ rows }) => {
          if (rows[0].n < this.options.channels.length) throw new Error('the session stopped listening');
        })
        .catch((error: Error) => this.lost(generation, new Error(`heartbeat failed: ${error.message}`)));
    }, this.options.heartbeatInterval);
    this.heartbeat.unref();
  }

  private lost(generation: number, error: Error): void {
    if (generation !== this.generation || this.currentState === 'closed') return;
    this.generation++;
    clearInterval(this.heartbeat);
    if (this.client) destroySocket(this.client);
    this.client = undefined;
    if (this.opening) return;
    this.logger.warn(`LISTEN connection lost (${error.message}); reconnecting`);
    if (this.currentState !== 'unhealthy') this.currentState = 'reconnecting';
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.backoff(this.failures);
    this.retry = setTimeout(() => {
      this.open(true).catch((error: Error) => {
        if (this.currentState === 'closed') return;
        this.failures++;
        if (this.failures >= this.options.reconnectAttempts && this.currentState !== 'unhealthy') {
          this.currentState = 'unhealthy';
          this.logger.error(
            `LISTEN connection failed ${this.failures} times (${error.message}); Firehose is unhealthy and keeps retrying every ~${formatDelay(this.cappedDelay())}. Check that PostgreSQL is up and reachable.`,
          );
        } else {
          this.logger.warn(`LISTEN reconnect attempt ${this.failures} failed: ${error.message}`);
        }
        this.scheduleReconnect();
      });
    }, delay);
    this.retry.unref();
  }

  /** Exponential from `reconnectDelay`, capped at the delay of the last counted attempt, with jitter. */
  private backoff(failures: number): number {
    const delay = this.options.reconnectDelay * 2 ** Math.min(failures, this.options.reconnectAttempts - 1);
    return delay / 2 + Math.random() * (delay / 2);
  }

  private cappedDelay(): number {
    return this.options.reconnectDelay * 2 ** (this.options.reconnectAttempts - 1);
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Drops a connection at once: `end()` waits on a server that may be hung. */
function destroySocket(client: pg.Client): void {
  client.removeAllListeners('notification');
  client.on('error', () => undefined);
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
