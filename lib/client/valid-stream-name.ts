/** The server's limit (MAX_STREAM_NAME_BYTES); the client imports no server code, so it is repeated here. */
const MAX_STREAM_NAME_BYTES = 255;
// The server's rules (lib/publish/stream-name.ts): C0 and C1 controls, DEL, lone surrogates.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether the server accepts `stream` as a name. The client checks before sending: the server
 * refuses a whole subscribe for one bad name, and the client must never lose its resume cursor to
 * finding out which one it was.
 */
export function isValidStreamName(stream: string): boolean {
  return (
    stream.length > 0 &&
    new TextEncoder().encode(stream).length <= MAX_STREAM_NAME_BYTES &&
    !CONTROL_CHARACTERS.test(stream) &&
    !LONE_SURROGATE.test(stream)
  );
}
