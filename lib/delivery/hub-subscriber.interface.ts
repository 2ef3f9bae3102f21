import type { FirehoseStreamItem } from '../protocol/firehose-event.js';
import type { DeliveryTransport } from '../stats/delivery-transport.js';

/** A local consumer of the hub: a stream() Observable or an `@OnFirehose` handler. */
export interface HubSubscriber {
  next(item: FirehoseStreamItem): void;
  /** Whom it delivers to, for the stats; `local` when absent. */
  readonly transport?: DeliveryTransport;
  /** Called when the module shuts down. */
  complete?(): void;
}
