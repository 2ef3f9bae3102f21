import { serializeEventFrame } from '../../protocol/ws-frames.js';
import { sharedPerEvent } from '../connection/shared-per-event.js';

/** A hub event's frame as the UTF-8 bytes shared by every connection (`ws` would encode a string per connection). */
export const sharedEventFrame = sharedPerEvent((event) => Buffer.from(serializeEventFrame(event)));
