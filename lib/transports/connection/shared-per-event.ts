import type { FirehoseEvent } from '../../protocol/firehose-event.js';

/**
 * Events from the hub are one object shared by every subscriber in the process, so a wire format
 * encodes each event once and the same bytes go to every connection. Weak keys: the bytes live
 * exactly as long as some connection still holds the event.
 */
export function sharedPerEvent(encode: (event: FirehoseEvent) => Buffer): (event: FirehoseEvent) => Buffer {
  const encoded = new WeakMap<FirehoseEvent, Buffer>();
  return (event) => {
    let bytes = encoded.get(event);
    if (bytes === undefined) {
      bytes = encode(event);
      encoded.set(event, bytes);
    }
    return bytes;
  };
}
