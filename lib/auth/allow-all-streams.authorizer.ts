import { Injectable } from '@nestjs/common';
import type { FirehoseAuthorizer } from '../interfaces/firehose-authorizer.interface.js';

/**
 * Lets every connection receive every stream it asks for. For demos, tests and trusted networks
 * only: anyone who can reach the endpoint can read any stream by naming it.
 *
 * @publicApi
 */
@Injectable()
export class AllowAllStreamsAuthorizer implements FirehoseAuthorizer {
  /** Every stream asked for. */
  authorizeStreams(streams: string[]): string[] {
    return streams;
  }
}
