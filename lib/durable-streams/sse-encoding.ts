/**
 * One SSE event. Every line break of the payload (CRLF, CR or LF) starts a new `data:` line, so a
 * payload can never end the event early or inject one. No space after `data:`: clients strip one,
 * which would eat a payload's own leading space.
 */
export function sseEvent(event: string, payload: string): string {
  return `event: ${event}\ndata:${payload.split(/\r\n|\r|\n/).join('\ndata:')}\n\n`;
}
