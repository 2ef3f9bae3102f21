import { Injectable } from '@nestjs/common';
import type { FirehoseAuthorizer } from '../../lib/index.js';

/**
 * Who may read which stream (SSE and WebSocket): everyone may read any stream except those named
 * `private:…`. A real app would look at `context.request.user`, set by its own auth guard
 * (listed in the module's `guards`).
 */
@Injectable()
export class PublicStreamsAuthorizer implements FirehoseAuthorizer {
  authorizeStreams(streams: string[]): string[] {
    return streams.filter((stream) => !stream.startsWith('private:'));
  }
}
