// Closed-loop load: `concurrency` workers, each with exactly one call outstanding, for a fixed time.
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { Samples } from './stats.mjs';
import { now } from './env.mjs';

/**
 * Runs `call(worker, index, sendTime)` from `concurrency` workers until `seconds` elapse, then
 * waits for the calls in flight.
 *
 * - hop 'none': a worker issues its next call in the continuation of the previous one;
 *   hop 'immediate': it first yields one macrotask (setImmediate), as a request handler would.
 * - Stall watchdog: when calls are outstanding and none completed for `stallMs`, it counts a
 *   stall and calls `kick()` (if given) so the run can go on; after `maxStalls` it gives up.
 *
 * Returns counts, per-worker successes, call latency (send→resolve) samples, stalls and timing.
 */
export async function closedLoop({ concurrency, seconds, call, hop = 'immediate', stallMs = 2000, maxStalls = 20, kick }) {
  const ack = new Samples(1 << 14);
  const okPerWorker = new Array(concurrency).fill(0);
  let ok = 0;
  let errors = 0;
  let firstError;
  let stopped = false;
  let outstanding = 0;
  let lastProgress = now();
  let stalls = 0;
  let gaveUp = false;
  const stallLog = [];

  const started = now();
  const deadline = started + seconds * 1000;

  const worker = async (w) => {
    let i = 0;
    while (!stopped && now() < deadline) {
      const t = now();
      outstanding++;
      try {
        await call(w, i, t);
        const done = now();
        ack.push(done - t);
        okPerWorker[w]++;
        ok++;
        lastProgress = done;
      } catch (error) {
        errors++;
        firstError ??= error;
        lastProgress = now();
      } finally {
        outstanding--;
      }
      i++;
      if (hop === 'immediate') await nextMacrotask();
    }
  };

  let giveUp;
  const gaveUpPromise = new Promise((resolve) => (giveUp = resolve));
  const watchdog = setInterval(
    () => {
      const t = now();
      if (outstanding > 0 && t - lastProgress > stallMs) {
        stalls++;
        stallLog.push({ atMs: Math.round(t - started), outstanding });
        lastProgress = t;
        if (stalls >= maxStalls) {
          gaveUp = true;
          stopped = true;
          giveUp();
          return;
        }
        if (kick)
          Promise.resolve()
            .then(kick)
            .catch(() => undefined);
      }
    },
    Math.max(10, Math.min(250, stallMs / 4)),
  );

  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  await Promise.race([Promise.all(workers), gaveUpPromise]);
  clearInterval(watchdog);
  const ended = now();
  return {
    ok,
    errors,
    firstError: firstError ? String(firstError.message ?? firstError) : undefined,
    okPerWorker,
    ack,
    stalls,
    stallLog,
    gaveUp,
    stuck: outstanding,
    durationMs: ended - started,
  };
}
