/** A client message the endpoint refuses; it becomes an error frame and the connection stays open. */
export class FluxbaseProtocolError extends Error {
  constructor(
    message: string,
    /** The channel the message named, when it named one. */
    readonly channel?: string,
  ) {
    super(message);
    this.name = 'FluxbaseProtocolError';
  }
}
