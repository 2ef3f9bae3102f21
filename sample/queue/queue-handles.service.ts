import { Injectable } from '@nestjs/common';
import { FirehoseService, type FirehoseQueue } from '../../lib/index.js';

/**
 * A queue stores nothing: a handle only receives what is pushed while it is open. Opening one per
 * request would lose every message pushed between two pops, so the app keeps one handle per name
 * open from its first use; the module closes them all at shutdown.
 */
@Injectable()
export class QueueHandles {
  private readonly handles = new Map<string, FirehoseQueue>();

  constructor(private readonly firehose: FirehoseService) {}

  get(name: string): FirehoseQueue {
    let handle = this.handles.get(name);
    if (!handle) this.handles.set(name, (handle = this.firehose.queue(name)));
    return handle;
  }
}
