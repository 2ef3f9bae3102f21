import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DurableStreamsRouter } from './durable-streams.router.js';

/**
 * `{path}/*`: every Durable Streams request, as a Nest route, so the app's middleware, global
 * guards, interceptors and filters apply to it as to any other. This base class has no route
 * decorators: the path comes from the module's options, so each registration gets its own
 * decorated subclass (createDurableStreamsController). It writes the response itself.
 */
export class DurableStreamsController {
  constructor(private readonly router: DurableStreamsRouter) {}

  handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    return this.router.handle(request, response);
  }
}
