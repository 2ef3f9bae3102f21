import { ForbiddenException, Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FIREHOSE_AUTHORIZER, FIREHOSE_RESOLVED_OPTIONS } from '../../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../../firehose-options.js';
import type { FirehoseAuthorizer } from '../../interfaces/firehose-authorizer.interface.js';
import { authorizeStreams, NO_AUTHORIZER_MESSAGE } from '../connection/authorized-streams.js';
import { ConnectionSlots } from '../connection/connection-slots.js';
import { parseRequestedStreams } from './sse-request.js';
import { refuseForCapacity } from './sse-capacity-refusal.js';

/** Request property under which the guard leaves the streams a connection may receive, for the controller. */
const AUTHORIZED_STREAMS = Symbol('firehose:authorized_streams');

type GuardedRequest = IncomingMessage & { [AUTHORIZED_STREAMS]?: string[] };

/** The streams FirehoseStreamsGuard authorized for `request`; undefined if it did not run. */
export function authorizedStreamsOf(request: IncomingMessage): string[] | undefined {
  return (request as GuardedRequest)[AUTHORIZED_STREAMS];
}

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
    private readonly slots: ConnectionSlots,
    @Optional() @Inject(FIREHOSE_AUTHORIZER) private readonly authorizer?: FirehoseAuthorizer,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<GuardedRequest & Record<PropertyKey, unknown>>();
    // A full or draining server refuses before the authorizer's work; the controller takes the slot itself.
    if (this.slots.refusing) refuseForCapacity(context.switchToHttp().getResponse<ServerResponse>(), this.slots.refusal);
    const requested = parseRequestedStreams(request, this.options.maxStreamsPerConnection);
    if (!this.authorizer) throw new ForbiddenException(NO_AUTHORIZER_MESSAGE);
    const { allowed: streams } = await authorizeStreams(this.authorizer, requested, { transport: 'sse', request });
    if (streams.length === 0) {
      throw new ForbiddenException(`None of the requested streams may be read by this connection: ${requested.join(', ')}.`);
    }
    request[AUTHORIZED_STREAMS] = streams;
    return true;
  }
}
