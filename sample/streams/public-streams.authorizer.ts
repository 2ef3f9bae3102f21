import { Injectable } from '@nestjs/common';
import type { FirehoseAuthorizer, FirehoseConnectionContext } from '../../lib/index.js';
import type { RealtimeRequest } from '../realtime/jwt-query.guard.js';

/**
 * Who may read which stream (SSE, the Firehose WebSocket and the Fluxbase endpoint): everyone may
 * read any stream except those named `private:…`, and `user:<name>` only with that user's token
 * (`request.user`, set by the Fluxbase endpoint's JwtQueryGuard from `?token=`).
 */
@Injectable()
export class PublicStreamsAuthorizer implements FirehoseAuthorizer<RealtimeRequest> {
  authorizeStreams(streams: string[], { request }: FirehoseConnectionContext<RealtimeRequest>): string[] {
    return streams.filter(
      (stream) => !stream.startsWith('private:') && (!stream.startsWith('user:') || stream === `user:${request.user?.sub}`),
    );
  }
}
