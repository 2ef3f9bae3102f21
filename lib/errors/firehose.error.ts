/** Base class of every error the module throws, so callers can catch them as one family. */
export class FirehoseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
