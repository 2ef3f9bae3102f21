// Contract: an Express 5 app gives each request and response its own prototypes (`app.request`, `app.response`, whose getters such as `req.protocol` and `req.host` read the app's settings through `req.app`) and links them (`req.res`, `res.req`) in `app.handle`, before any middleware. Verified against express 5.1 and @nestjs/platform-express 12.3–12.5.
import type { IncomingMessage, ServerResponse } from 'node:http';

interface ExpressApp {
  request: object;
  response: object;
}

/**
 * What makes a request served without Express read as one Express serves (`req.protocol`,
 * `req.host`, `req.app.get(...)`), for the Express app behind Nest's `adapter`; undefined when
 * the adapter is not Express.
 */
export function expressRequestView(adapter: unknown): ((request: IncomingMessage, response: ServerResponse) => void) | undefined {
  const app = (adapter as { getInstance?(): Partial<ExpressApp> } | undefined)?.getInstance?.();
  if (typeof app?.request !== 'object' || typeof app.response !== 'object') return undefined;
  const { request: requestPrototype, response: responsePrototype } = app as ExpressApp;
  return (request, response) => {
    (request as IncomingMessage & { res?: ServerResponse }).res = response;
    (response as ServerResponse & { req?: IncomingMessage }).req = request;
    Object.setPrototypeOf(request, requestPrototype);
    Object.setPrototypeOf(response, responsePrototype);
  };
}
