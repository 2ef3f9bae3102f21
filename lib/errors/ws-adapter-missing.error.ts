import { FirehoseError } from './firehose.error.js';

/**
 * The app has no WebSocket adapter: Nest would fall back to socket.io, which the Firehose gateway
 * does not speak. Thrown by `app.init()` / `app.listen()`.
 *
 * @publicApi
 */
export class FirehoseWsAdapterMissingError extends FirehoseError {
  constructor() {
    super(
      "The Firehose WebSocket gateway needs Nest's WsAdapter, and this app has none (Nest would fall back to socket.io): " +
        "add `app.useWebSocketAdapter(new WsAdapter(app));` before `app.listen()` or `app.init()`, with `import { WsAdapter } from '@nestjs/platform-ws';`.",
    );
  }
}
