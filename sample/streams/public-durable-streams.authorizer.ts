import { Injectable } from '@nestjs/common';
import type { DurableStreamsAccessContext, DurableStreamsAuthorizer } from '../../lib/index.js';

/**
 * Who may do what to which Durable Stream: anyone may create, append to, read, fork and delete any
 * stream except those under `private/` (a fork asks for the source too, so a private stream cannot
 * be copied out either). A real app would look at `context.request.user`, set by its own auth
 * guard (listed in the module's `guards`), and at `context.operation`.
 */
@Injectable()
export class PublicDurableStreamsAuthorizer implements DurableStreamsAuthorizer {
  authorize(context: DurableStreamsAccessContext): boolean {
    return !context.stream.startsWith('private/');
  }
}
