import type { DeliveryTransport } from './delivery-transport.js';

/**
 * What one stream's subscribers of this process received. Kept while the stream has a local
 * subscriber; counts start again if it comes back.
 */
export class StreamFigures {
  websocket = 0;
  sse = 0;
  local = 0;
  /** Events handed to the stream's subscribers, one per subscriber and event. */
  delivered = 0;
  /** Subscribers of the stream cut off for not reading (they resume from their last id). */
  dropped = 0;

  get subscribers(): number {
    return this.websocket + this.sse + this.local;
  }

  add(transport: DeliveryTransport, by: number): void {
    this[transport] += by;
  }
}
