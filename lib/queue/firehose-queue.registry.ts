import { randomBytes } from 'node:crypto';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { assertValidStreamName } from '../publish/stream-name.js';
import { FirehosePayloadTooLargeError } from '../errors/payload-too-large.error.js';
import { serializeData } from '../publish/serialize-data.js';
import { parseQueueNotification, queueNotification } from '../protocol/notify-payload.js';
import type { FirehoseStore } from '../store/firehose.store.js';
import type { NotificationChannelHandler } from '../listener/notification-channel-handler.interface.js';
import type { NotifySignature } from '../listener/notify-signature.js';
import { RateLimitedWarning } from '../listener/rate-limited-warning.js';
import { FirehoseQueueHandle } from './firehose-queue-handle.js';
import { NOTIFICATION_MAX_AGE, NotificationReplayGuard } from '../listener/notification-replay-guard.js';

// Queue messages are never stored, so they must fit in one NOTIFY payload (under 8000 bytes).
const QUEUE_MESSAGE_TOO_LARGE =
  'queue messages travel inside one NOTIFY, which PostgreSQL caps below 8000 bytes: push an id and store the body elsewhere';

/** What the registry does with an open handle, whatever its message type. */
type OpenQueueHandle = Pick<FirehoseQueueHandle<unknown>, 'name' | 'receive' | 'close'>;

/**
 * Routes queue notifications to the open handles of this app. Queues ride the listener's second
 * channel and write nothing: a message reaches the handles open when its NOTIFY commits. Payloads
 * are signed here, checked by the listener, and a payload sent again is refused by number.
 */
export class FirehoseQueueRegistry implements NotificationChannelHandler, OnApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  readonly signed = true;
  private readonly handles = new Map<string, Set<OpenQueueHandle>>();
  /** This process's id as a sender, and the number of its last message. */
  private readonly sender = randomBytes(9).toString('base64url');
  private seq = 0;
  private readonly replays = new NotificationReplayGuard();
  private readonly replayWarning: RateLimitedWarning;
  private readonly staleWarning: RateLimitedWarning;

  constructor(
    private readonly store: FirehoseStore,
    readonly channel: string,
    private readonly notifyMaxBytes: number,
    private readonly bufferSize: number,
    private readonly signature: NotifySignature,
  ) {
    this.replayWarning = new RateLimitedWarning(
      this.logger,
      (count) =>
        `Dropped ${count} queue message${count === 1 ? '' : 's'} on channel "${channel}" that arrived again (a copy sent by another session)`,
    );
    this.staleWarning = new RateLimitedWarning(
      this.logger,
      (count) =>
        `Dropped ${count} queue message${count === 1 ? '' : 's'} on channel "${channel}" sent more than ${NOTIFICATION_MAX_AGE / 60_000} minutes ` +
        "from this host's time: an old copy sent again, or the clocks of the app's hosts disagree (check NTP)",
    );
  }

  open<T>(name: string): FirehoseQueueHandle<T> {
    assertValidStreamName(name);
    const handle = new FirehoseQueueHandle<T>(
      name,
      this.bufferSize,
      (n, m) => this.send(n, m),
      (h) => this.forget(h),
    );
    let set = this.handles.get(name);
    if (!set) this.handles.set(name, (set = new Set()));
    set.add(handle);
    return handle;
  }

  /** A payload whose signature the listener checked. */
  onNotification(payload: string): void {
    const notified = parseQueueNotification(payload);
    if (!notified) {
      this.logger.warn(`Ignored a queue notification that is not a queue message: ${payload.slice(0, 100)}`);
      return;
    }
    const admission = this.replays.admit(notified.sender, notified.seq, notified.sentAt);
    if (admission !== 'fresh') {
      (admission === 'stale' ? this.staleWarning : this.replayWarning).occurred();
      return;
    }
    const set = this.handles.get(notified.queue);
    if (set) for (const handle of set) handle.receive(notified.message);
  }

  /** Queue messages are never stored, so there is nothing to catch up on. */
  async onListening(): Promise<void> {}

  onApplicationShutdown(): void {
    this.replayWarning.close();
    this.staleWarning.close();
    for (const set of [...this.handles.values()]) for (const handle of [...set]) handle.close();
  }

  private async send(name: string, message: unknown): Promise<void> {
    const body = serializeData(message, this.notifyMaxBytes, QUEUE_MESSAGE_TOO_LARGE);
    const payload = this.signature.sign(this.channel, queueNotification(name, this.sender, ++this.seq, Date.now(), body));
    const bytes = Buffer.byteLength(payload);
    if (bytes > this.notifyMaxBytes) throw new FirehosePayloadTooLargeError(bytes, this.notifyMaxBytes, QUEUE_MESSAGE_TOO_LARGE);
    await this.store.notify(this.channel, payload);
    this.logger.debug(`NOTIFY ${this.channel} (queue "${name}")`);
  }

  private forget(handle: OpenQueueHandle): void {
    const set = this.handles.get(handle.name);
    if (set?.delete(handle) && set.size === 0) this.handles.delete(handle.name);
  }
}
