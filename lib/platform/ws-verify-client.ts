// Contract: `ws` reads `server.options.verifyClient` at every upgrade, so setting it after the server exists takes effect (verified with ws 8.23.0, the one @nestjs/platform-ws 12.1 installs).
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';

/** Why an upgrade was refused: the HTTP status and text `ws` answers with instead of a socket. */
export interface UpgradeRefusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/**
 * Installs an asynchronous upgrade check on a server Nest already built. It is set on the server
 * rather than in the `@WebSocketGateway` options because those belong to the class, which every
 * app built from the same module definition shares; the server is the app's own. `verify`
 * resolves to undefined to accept; a rejection refuses with 500 after `onError`.
 */
export function installVerifyClient(
  server: WebSocketServer,
  verify: (request: IncomingMessage, origin: string | undefined) => Promise<UpgradeRefusal | undefined>,
  onError: (error: unknown) => void,
): void {
  // Two parameters: `ws` then waits for the callback instead of reading a return value.
  server.options.verifyClient = (
    info: { req: IncomingMessage; origin: string },
    accept: (result: boolean, code?: number, message?: string, headers?: Record<string, string>) => void,
  ) => {
    verify(info.req, info.origin).then(
      (refusal) => (refusal ? accept(false, refusal.status, refusal.message, refusal.headers) : accept(true)),
      (error) => {
        onError(error);
        accept(false, 500, 'Internal server error');
      },
    );
  };
}
