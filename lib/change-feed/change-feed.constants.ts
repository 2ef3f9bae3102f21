// Locks and settings of the change-feed migration's SQL. The migration keeps frozen copies of them;
// a unit test checks that the two agree.

/**
 * Class (first key) of the two-key advisory locks a writer of a feed-enabled table holds, shared,
 * on stripe `pg_backend_pid() % CHANGE_BARRIER_STRIPES`, from the moment it takes its commit number
 * until it commits. The relay takes each stripe exclusively for an instant: after the last one,
 * every commit number it read before is settled (committed or rolled back).
 */
export const CHANGE_BARRIER_LOCK_CLASS = 723_635_199;
export const CHANGE_BARRIER_STRIPES = 64;
/** How long the relay's barrier may wait on one writer before it gives up and tries again later. */
export const CHANGE_BARRIER_TIMEOUT = '200ms';
/** Transaction lock of the relay function: one relay at a time moves changes into the log. */
export const CHANGE_RELAY_LOCK_KEY = 7_236_351_993;

// The relay in the app.

/** Suffix of the channel that wakes an idle relay, beside the event channel. */
export const CHANGE_FEED_WAKE_CHANNEL_SUFFIX = '_changes';
/** Most row events the relay appends to the log in one transaction. */
export const CHANGE_RELAY_BATCH_EVENTS = 2000;
/**
 * Milliseconds an idle relay waits before it looks for changes without being woken. Wake-ups come
 * by NOTIFY; this only covers one lost with a listener reconnect, or a relay of another process
 * that died while holding the work.
 */
export const CHANGE_RELAY_IDLE_POLL = 1000;
/**
 * After its last work the relay polls this often (milliseconds) for CHANGE_RELAY_SPINS polls before
 * it asks writers to wake it. Under steady load it never asks: a writer's NOTIFY serializes commits.
 */
export const CHANGE_RELAY_SPIN_INTERVAL = 10;
export const CHANGE_RELAY_SPINS = 20;

// Events.

export const CHANGE_OPERATIONS = ['INSERT', 'UPDATE', 'DELETE'] as const;
/** Prefix of every table stream: `table:<schema>.<table>`. */
export const TABLE_STREAM_PREFIX = 'table:';
