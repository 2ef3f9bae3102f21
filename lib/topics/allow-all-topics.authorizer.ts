import { Injectable } from '@nestjs/common';
import type { FirehoseTopicsAuthorizer } from './firehose-topics-authorizer.interface.js';

/**
 * Lets anyone publish to and subscribe to any topic. For demos, tests and trusted networks only:
 * anyone who can reach the routes can read and write any topic by naming it.
 *
 * @publicApi
 */
@Injectable()
export class AllowAllTopicsAuthorizer implements FirehoseTopicsAuthorizer {
  /** Always true. */
  authorizeTopic(): boolean {
    return true;
  }
}
