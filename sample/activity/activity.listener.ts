import { Injectable, Logger } from '@nestjs/common';
import { OnFirehose, type FirehoseEvent } from '../../lib/index.js';

/**
 * Runs in every process that has it, for each event committed by any process: the worker's `jobs`
 * broadcasts show up here, in the app's log.
 */
@Injectable()
export class ActivityListener {
  private readonly logger = new Logger(ActivityListener.name);

  @OnFirehose(['jobs', 'dashboard'])
  onActivity(event: FirehoseEvent): void {
    this.logger.log(`${event.stream} #${event.id} (seq ${event.sequence}): ${JSON.stringify(event.data)}`);
  }
}
