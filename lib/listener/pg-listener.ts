import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { FirehoseListenerConnectionError } from '../errors/listener-connection.error.js';
import { destroyPgClientSocket as destroySocket } from '../platform/pg-client-socket.js';
import type { ListenerState } from './listener-state.js';
import type { NotificationChannelHandler } from './notification-channel-handler.interface.js';
import type { NotifySignature } from './notify-signature.js';
import { RateLimitedWarning } from './rate-limited-warning.js';

export interface PgListenerOptions {
  reconnectAttempts: number;
  reconnectDelay: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
}

/**
 * The one dedicated LISTEN connection of a process, outside any pool, shared by every part of the
 * library through `register`. It heartbeats with a timeout (a hung backend keeps its socket open),
 * reconnects with exponential backoff and jitter, reports `unhealthy` after `reconnectAttempts`
 * failures and never stops trying.
 */
export class PgListener implements OnApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, NotificationChannelHandler>();
  /** Channels LISTENed on the current connection, which the heartbeat expects to find. */
  private listening = new Set<string>();
  /** Channels registered on a live connection whose handler is still catching up: their notifications wait. */
  private readonly held = new Map<string, string[]>();
  private generation = 0;
  private failures = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private currentState: ListenerState = 'connecting';
  /** While a connection is being opened, its failures surface as open()'s rejection instead. */
  private opening = false;
  /** Per signed channel: one WARN line a minute at most for the payloads it dropped. */
  private readonly forgeries = new Map<string, RateLimitedWarning>();
  /** Connections restored after a loss, since boot. */
  reconnects = 0;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly options: PgListenerOptions,
    private readonly signature: NotifySignature,
  ) {}

  /**
   * Adds a channel to the connection. On a live connection it resolves once LISTEN is in effect and
   * the handler has caught up; otherwise at once, and the next connection listens to it.
   */
  async register(handler: NotificationChannelHandler): Promise<void> {
    if (this.handlers.has(handler.channel)) throw new Error(`NOTIFY channel "${handler.channel}" is registered twice`);
    this.handlers.set(handler.channel, handler);
    const client = this.client;
    if (!client || this.opening || this.currentState === 'closed') return;
    const generation = this.generation;
    this.held.set(handler.channel, []);
    try {
      await this.listen(client, [handler]);
      await handler.onListening(false);
    } catch (error) {
      // The connection failed under us; the reconnect listens again and calls onListening(true).
      this.lost(generation, error as Error);
    } finally {
      const held = this.held.get(handler.channel) ?? [];
      this.held.delete(handler.channel);
      if (generation === this.generation) for (const payload of held) this.pass(handler, payload);
    }
  }

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
    for (const warning of this.forgeries.values()) warning.close();
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
      if (forwarding) this.dispatch(message.channel, message.payload ?? '');
      else held.push([message.channel, message.payload ?? '']);
    });
    // pg emits 'error' (sometimes twice) and then 'end' for one loss; `lost` acts once per generation.
    client.on('error', (error) => this.lost(generation, error));
    client.on('end', () => this.lost(generation, new Error('connection ended')));
    try {
      await client.connect();
      this.listening = new Set();
      this.client = client;
      // A handler registered while this connection was opening is caught up in a later round.
      for (let fresh = [...this.handlers.values()]; fresh.length > 0; fresh = this.unlistened()) {
        await this.listen(client, fresh);
        for (const handler of fresh) await handler.onListening(reconnected);
      }
      if (generation !== this.generation) throw new Error('connection lost while catching up');
    } catch (error) {
      if (generation === this.generation) this.generation++;
      if (this.client === client) this.client = undefined;
      this.opening = false;
      destroySocket(client);
      throw error;
    }
    this.opening = false;
    forwarding = true;
    for (const [channel, payload] of held) this.dispatch(channel, payload);
    if (reconnected) this.reconnects++;
    if (reconnected) this.logger.log(`LISTEN connection restored after ${this.failures} failed attempts`);
    this.failures = 0;
    this.currentState = 'connected';
    this.startHeartbeat(client, generation);
  }

  private dispatch(channel: string, payload: string): void {
    const held = this.held.get(channel);
    if (held) held.push(payload);
    else {
      const handler = this.handlers.get(channel);
      if (handler) this.pass(handler, payload);
    }
  }

  /** Hands a payload to its handler; on a signed channel only one whose signature holds. */
  private pass(handler: NotificationChannelHandler, payload: string): void {
    if (!handler.signed) {
      handler.onNotification(payload);
      return;
    }
    const verified = this.signature.verify(handler.channel, payload);
    if (verified !== undefined) handler.onNotification(verified);
    else this.forgery(handler.channel);
  }

  private forgery(channel: string): void {
    let warning = this.forgeries.get(channel);
    if (!warning) {
      warning = new RateLimitedWarning(
        this.logger,
        (count) =>
          `Dropped ${count} notification${count === 1 ? '' : 's'} on channel "${channel}" whose signature did not match ` +
          "firehose_notify_key's: sent by a role that cannot read the key (forged), or by a process started before the key changed (restart it)",
      );
      this.forgeries.set(channel, warning);
    }
    warning.occurred();
  }

  private unlistened(): NotificationChannelHandler[] {
    return [...this.handlers.values()].filter((handler) => !this.listening.has(handler.channel));
  }

  private async listen(client: pg.Client, handlers: NotificationChannelHandler[]): Promise<void> {
    for (const { channel } of handlers) {
      await client.query(`LISTEN ${channel}`);
      this.logger.debug(`LISTEN ${channel}`);
    }
    await this.assertListening(client, handlers);
    for (const { channel } of handlers) this.listening.add(channel);
  }

  /** Fails loudly when LISTEN did not stick, as behind a transaction-mode pooler. */
  private async assertListening(client: pg.Client, handlers: NotificationChannelHandler[]): Promise<void> {
    const { rows } = await client.query('SELECT array_agg(c) AS channels FROM pg_listening_channels() c');
    const listening: string[] = rows[0].channels ?? [];
    const missing = handlers.map((h) => h.channel).filter((c) => !listening.includes(c));
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
          if (rows[0].n < this.listening.size) throw new Error('the session stopped listening');
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
