import type { IncomingMessage } from 'node:http';

/**
 * A Durable Streams request as the gate in front of the framework found it: its stream, and the
 * body framing headers it hid from the framework's body parsers so that the body stays unread
 * for the handler, which needs its exact bytes.
 */
export interface StreamTarget {
  /** The stream's URL path, as sent (the gate refused every other form of it). */
  readonly path: string;
  /** Length of the base path it is under (the global prefix included). */
  readonly baseLength: number;
  contentLength: string | undefined;
  transferEncoding: string | undefined;
  /** For a fork: the source stream's path, resolved by the access guard. */
  sourcePath: string | null;
}

const TARGET = Symbol('durable-streams:target');

type TaggedRequest = IncomingMessage & { [TARGET]?: StreamTarget };

/** The target the gate left on `request`; undefined when the request did not come through it. */
export function streamTargetOf(request: IncomingMessage): StreamTarget | undefined {
  return (request as TaggedRequest)[TARGET];
}

/**
 * Leaves `target` on `request` and hides the body's framing headers: a body parser (body-parser,
 * as Express and Nest register it) reads a request only when one of them says it has a body.
 * Node has already framed the body by then, so the headers are only what the parsers look at.
 */
export function tagStreamRequest(request: IncomingMessage, path: string, baseLength: number): void {
  const headers = request.headers;
  const contentLength = headers['content-length'];
  const transferEncoding = headers['transfer-encoding'];
  if (contentLength !== undefined) delete headers['content-length'];
  if (transferEncoding !== undefined) delete headers['transfer-encoding'];
  (request as TaggedRequest)[TARGET] = { path, baseLength, contentLength, transferEncoding, sourcePath: null };
}

/** Puts back the framing headers the gate hid, for the handler reading the body. */
export function restoreFraming(request: IncomingMessage, target: StreamTarget): void {
  if (target.contentLength !== undefined) request.headers['content-length'] = target.contentLength;
  if (target.transferEncoding !== undefined) request.headers['transfer-encoding'] = target.transferEncoding;
}
