import { eventFrame, HEARTBEAT_FRAME_TEXT } from '../../protocol/sse-frames.js';
import { sharedPerEvent } from '../connection/shared-per-event.js';

/** A hub event's frame as the bytes shared by every connection. */
export const sharedEventFrame = sharedPerEvent((event) => Buffer.from(eventFrame(event)));

/** The heartbeat comment, one Buffer for every connection and tick. */
export const HEARTBEAT_FRAME = Buffer.from(HEARTBEAT_FRAME_TEXT);
