/**
 * A Durable Streams request that must be answered with this status and a short text (and maybe
 * headers), raised from anywhere below the router, which turns it into the response.
 */
export class StreamRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'StreamRequestError';
  }
}
