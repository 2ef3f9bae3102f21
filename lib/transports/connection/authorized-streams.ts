import type { FirehoseAuthorizer, FirehoseConnectionContext } from '../../interfaces/firehose-authorizer.interface.js';

export const NO_AUTHORIZER_MESSAGE =
  'No stream is readable: no FirehoseAuthorizer is configured, so every stream is refused. ' +
  'Pass `authorizer` to FirehoseModule.forRoot() (AllowAllStreamsAuthorizer for demos and trusted networks).';

/** The authorizer's answer for `requested`, split in the request's order. */
export interface AuthorizedStreams {
  allowed: string[];
  refused: string[];
}

/**
 * Asks the authorizer which of `requested` this connection may receive. The answer keeps the
 * request's order and never lets the authorizer add a stream nobody asked for; anything but an
 * array refuses them all.
 */
export async function authorizeStreams(
  authorizer: FirehoseAuthorizer,
  requested: readonly string[],
  context: FirehoseConnectionContext,
): Promise<AuthorizedStreams> {
  const answer = await authorizer.authorizeStreams([...requested], context);
  const permitted = new Set(Array.isArray(answer) ? answer : []);
  const allowed: string[] = [];
  const refused: string[] = [];
  for (const stream of requested) (permitted.has(stream) ? allowed : refused).push(stream);
  return { allowed, refused };
}
