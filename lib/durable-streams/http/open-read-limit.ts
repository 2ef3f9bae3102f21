import { OPEN_READS_RETRY_AFTER_SECONDS } from '../durable-streams.constants.js';
import { StreamRequestError } from '../errors/stream-request.error.js';

/**
 * Counts the long-polls and SSE reads open in this process against `maxOpenReads`: each holds a
 * response, a socket and a wait on its stream for up to a long-poll timeout or an SSE duration.
 * Unset, reads are counted (for the process's stats) but never refused.
 */
export class OpenReadLimit {
  private open = 0;

  constructor(private readonly max: number | undefined) {}

  /** Long-polls and SSE reads open now. */
  get count(): number {
    return this.open;
  }

  /** Counts one more open read, or refuses it with 503 and `Retry-After` when the limit is reached. */
  enter(): void {
    if (this.max !== undefined && this.open >= this.max) {
      throw new StreamRequestError(503, `Too many live reads open on this server (${this.max}): retry after a few seconds`, {
        'retry-after': String(OPEN_READS_RETRY_AFTER_SECONDS),
      });
    }
    this.open++;
  }

  /** Releases a read counted by `enter`. */
  leave(): void {
    this.open--;
  }
}
