/** Message numbers of one sender remembered behind its highest: more than sends ever overtake each other in a pool. */
const WINDOW = 1024;
/**
 * How far a message's send time may be from this host's clock. Bounds what a fresh receiver
 * (which has seen nothing of a sender yet) can be shown again, and forgives clocks a little apart.
 */
export const NOTIFICATION_MAX_AGE = 5 * 60_000;

interface SenderWindow {
  top: number;
  /** seen[n % WINDOW] === n when message n arrived. */
  readonly seen: Float64Array;
  heardAt: number;
}

export type NotificationAdmission = 'fresh' | 'replayed' | 'stale';

/**
 * Refuses a queue or topic message that arrives a second time. Such a message has no id in a table,
 * and a role that can LISTEN can copy a signed payload and NOTIFY it again unchanged, so each carries its
 * sender's id, a number per sender and a send time. Per sender this keeps a sliding window of the
 * numbers seen (messages pushed together may commit out of order, on different pooled connections),
 * in constant memory; senders silent for long are forgotten, since their old numbers are refused by
 * age anyway.
 */
export class NotificationReplayGuard {
  private readonly senders = new Map<string, SenderWindow>();
  private sweptAt = 0;

  constructor(
    private readonly maxAgeMs = NOTIFICATION_MAX_AGE,
    private readonly now: () => number = Date.now,
  ) {}

  admit(sender: string, seq: number, sentAt: number): NotificationAdmission {
    const now = this.now();
    if (Math.abs(now - sentAt) > this.maxAgeMs) return 'stale';
    let window = this.senders.get(sender);
    if (!window) {
      this.sweep(now);
      window = { top: 0, seen: new Float64Array(WINDOW), heardAt: now };
      this.senders.set(sender, window);
    }
    const slot = seq % WINDOW;
    // Too far behind to tell whether it came already: refused, as a replay would be.
    if (seq < 1 || seq <= window.top - WINDOW || window.seen[slot] === seq) return 'replayed';
    window.seen[slot] = seq;
    if (seq > window.top) window.top = seq;
    window.heardAt = now;
    return 'fresh';
  }

  /** Forgets senders not heard from in three times the age limit, at most once per age limit. */
  private sweep(now: number): void {
    if (now - this.sweptAt < this.maxAgeMs) return;
    this.sweptAt = now;
    for (const [sender, window] of this.senders) if (now - window.heardAt > 3 * this.maxAgeMs) this.senders.delete(sender);
  }
}
