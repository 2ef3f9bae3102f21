import { Injectable } from '@nestjs/common';
import { isTableChangeEvent, type FirehoseAuthorizer, type FirehoseConnectionContext, type FirehoseEvent } from '../../lib/index.js';
import type { RealtimeRequest } from '../realtime/jwt-query.guard.js';

/**
 * Who may read which stream (SSE, the Firehose WebSocket and the Fluxbase endpoint): everyone may
 * read any stream except those named `private:…`, and `user:<name>` only with that user's token
 * (`request.user`, set by the Fluxbase endpoint's JwtQueryGuard from `?token=`). Rows of the
 * products table marked `hidden` are never sent, on any transport.
 */
/** The table whose `hidden` rows never go out (Fluxbase's example table). */
const HIDDEN_ROWS_TABLE = 'table:public.products';

@Injectable()
export class PublicStreamsAuthorizer implements FirehoseAuthorizer<RealtimeRequest> {
  authorizeStreams(streams: string[], { request }: FirehoseConnectionContext<RealtimeRequest>): string[] {
    return streams.filter(
      (stream) => !stream.startsWith('private:') && (!stream.startsWith('user:') || stream === `user:${request.user?.sub}`),
    );
  }

  buildEvent(event: FirehoseEvent): FirehoseEvent | null {
    if (event.stream !== HIDDEN_ROWS_TABLE || !isTableChangeEvent<{ hidden?: boolean }>(event)) return event;
    return (event.data.record ?? event.data.old_record)?.hidden ? null : event;
  }
}
