import { ForbiddenException, Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AUTHORIZED_STREAMS, FIREHOSE_AUTHORIZER, FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import type { FirehoseAuthorizer } from '../interfaces/firehose-authorizer.interface.js';
import { parseRequestedStreams } from '../sse/sse-request.js';

export const NO_AUTHORIZER_MESSAGE =
  'No stream is readable: no FirehoseAuthorizer is configured, so every stream is refused. ' +
  'Pass `authorizer` to FirehoseModule.forRoot() (AllowAllStreamsAuthorizer for demos and trusted networks).';

/**
 * Guards the SSE route after the app's own guards: validates the requested streams (400), asks
 * the authorizer which of them this request may receive, and leaves that subset on the request
 * for the controller. Unauthorized streams are dropped silently so one page can ask for optional
 * streams; a request left with none gets 403. Deny by default: no authorizer, no stream.
 */
@Injectable()
export class FirehoseStreamsGuard implements CanActivate {
  constructor(
    @Inject(FIREHOSE_RESOLVED_OPTIONS) private readonly options: ResolvedFirehoseOptions,
    @Optional() @Inject(FIREHOSE_AUTHORIZER) private readonly authorizer?: FirehoseAuthorizer,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<IncomingMessage & Record<PropertyKey, unknown>>();
    const requested = parseRequestedStreams(request, this.options.maxStreamsPerConnection);
    if (!this.authorizer) throw new ForbiddenException(NO_AUTHORIZER_MESSAGE);
    const answer = await this.authorizer.authorizeStreams([...requested], { transport: 'sse', request });
    const allowed = new Set(Array.isArray(answer) ? answer : []);
    // Keep the request's order and never let the authorizer add a stream nobody asked for.
    const streams = requested.filter((stream) => allowed.has(stream));
    if (streams.length === 0) {
      throw new ForbiddenException(`None of the requested streams may be read by this connection: ${requested.join(', ')}.`);
    }
    request[AUTHORIZED_STREAMS] = streams;
    return true;
  }
}
