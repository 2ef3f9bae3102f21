import type { FirehoseAuthorizer, FirehoseConnectionContext } from '../../interfaces/firehose-authorizer.interface.js';
import type { FirehoseEvent } from '../../protocol/firehose-event.js';

/**
 * What a WebSocket and an SSE connection share about sending one client's items in order. Without
 * a `buildEvent` hook every frame goes out at once, the same bytes for every connection; with one,
 * events are built per connection, one at a time, and every later frame (a reset, a confirmation)
 * waits behind them in one promise chain. A base class rather than a helper object: an idle
 * connection then costs no more than it did.
 *
 * @typeParam Route What a subclass needs to place a built event (the WebSocket connection's stream
 *   group), passed through rather than captured, so building allocates no closure of its own.
 */
export abstract class OrderedConnection<Route = undefined> {
  /** With `buildEvent`, frames are built one at a time, in order, through this chain. */
  private building?: Promise<void>;

  protected constructor(protected readonly authorizer: FirehoseAuthorizer | undefined) {}

  /** Whether events are built per connection rather than shared. */
  protected get buildsEvents(): boolean {
    return this.authorizer?.buildEvent !== undefined;
  }

  /** Runs `task` once every frame before it is out; at once when nothing is being built. */
  protected inOrder(task: () => void | Promise<void>): void {
    if (!this.building && !this.buildsEvents) {
      task();
      return;
    }
    this.building = (this.building ?? Promise.resolve()).then(task).catch((error) => this.buildFailed(error));
  }

  /**
   * Builds `event` for this connection through `buildEvent`, in order, then hands it to
   * `deliverBuilt`: null when the hook skipped it, else the built event with the stored id and
   * stream, which are the client's cursor and routing key whatever the hook returned.
   */
  protected buildInOrder(event: FirehoseEvent, context: FirehoseConnectionContext, route: Route): void {
    const authorizer = this.authorizer!;
    this.inOrder(async () => {
      const built = await authorizer.buildEvent!(event, context);
      this.deliverBuilt(event, built && { ...built, id: event.id, stream: event.stream }, route);
    });
  }

  protected abstract deliverBuilt(event: FirehoseEvent, built: FirehoseEvent | null, route: Route): void;

  /** A build (or a frame waiting behind one) threw: the connection ends so the client resumes. */
  protected abstract buildFailed(error: unknown): void;
}
