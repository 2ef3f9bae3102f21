// Contract: Nest's HTTP adapter serves through the node:http Server's 'request' listeners, attached before onApplicationBootstrap, and node:http calls each 'request' listener with (req, res) in order; verified against Node 20–24, @nestjs/core and @nestjs/platform-express 12.3–12.5 (Express 5).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts `intercept` in front of the framework on `server`: it sees every request before any body
 * parser or middleware did, and returns true when it took the request; otherwise the request
 * (as `intercept` may have marked it) goes on to the listeners that were there, in their order.
 * Returns what puts them back.
 */
export function interceptRequests(server: Server, intercept: (req: IncomingMessage, res: ServerResponse) => boolean): () => void {
  const framework = server.listeners('request') as RequestListener[];
  const listener: RequestListener = (req, res) => {
    if (!intercept(req, res)) for (const frameworkListener of framework) frameworkListener.call(server, req, res);
  };
  server.removeAllListeners('request');
  server.on('request', listener);
  return () => {
    server.removeListener('request', listener);
    for (const frameworkListener of framework) server.on('request', frameworkListener);
  };
}
