import { Injectable } from '@nestjs/common';
import type { DurableStreamsAuthorizer } from '../durable-streams-authorizer.interface.js';

/**
 * Lets every request do everything to every stream: create, append, read, fork, delete. For
 * demos, tests and trusted networks only, or behind guards that decide on their own. Its reads
 * are public (shared caches may keep catch-up reads) unless a guard runs on the routes.
 *
 * @publicApi
 */
@Injectable()
export class AllowAllDurableStreamsAuthorizer implements DurableStreamsAuthorizer {
  /** Anyone may read every stream: shared caches may keep catch-up reads, unless a guard runs on the routes. */
  readonly readsArePublic = true;

  /** Every request. */
  authorize(): boolean {
    return true;
  }
}
