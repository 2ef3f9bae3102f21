import type { FirehoseStreamItem } from '../protocol/firehose-event.js';

/** A local consumer of the hub: a stream() Observable or an `@OnFirehose` handler. */
export interface HubSubscriber {
  next(item: FirehoseStreamItem): void;
  /** Called when the module shuts down. */
  complete?(): void;
}
