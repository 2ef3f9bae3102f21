// Contract: Express 5 keeps an app's middleware and routes as layers of `app.router.stack`, run in order; a layer has `name` (its handler's name), `route` (set on a route's layer) and `match(path)`. Nest's ExpressAdapter adds the first layer in its constructor, inert while neither `onRequestHook` nor `onResponseHook` is set; Nest's body parsers are body-parser's named parsers. Verified against express 5.1 and @nestjs/platform-express 12.3–12.5.

/** body-parser's parsers, as Nest registers them: they read only requests that declare a body. */
const BODY_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'rawParser', 'textParser']);

interface ExpressLayer {
  name?: string;
  route?: { path?: unknown };
  match(path: string): boolean;
}

interface NestExpressAdapter {
  getInstance(): { router?: { stack?: ExpressLayer[] } };
  onRequestHook?: unknown;
  onResponseHook?: unknown;
}

/**
 * What the Express app behind Nest's `adapter` runs on a request for `path` before the route
 * declared as `routePath` serves it, body parsers left out (they pass over a request whose body
 * framing is hidden): the names of that middleware (`<anonymous>` for unnamed ones), empty when
 * nothing does. Undefined when the app is not Express as this contract knows it, or another route
 * would see the request first, or none serves it: the caller must then assume anything may run.
 */
export function middlewareBeforeRoute(adapter: unknown, path: string, routePath: string): string[] | undefined {
  const nest = adapter as NestExpressAdapter | undefined;
  if (typeof nest?.getInstance !== 'function') return undefined;
  const stack = nest.getInstance()?.router?.stack;
  if (!Array.isArray(stack)) return undefined;
  const before: string[] = [];
  for (let index = 0; index < stack.length; index++) {
    const layer = stack[index];
    if (typeof layer?.match !== 'function') return undefined;
    if (!layer.match(path)) continue;
    if (layer.route !== undefined) return layer.route.path === routePath ? before : undefined;
    if (index === 0 && nest.onRequestHook === undefined && nest.onResponseHook === undefined) continue;
    if (layer.name !== undefined && BODY_PARSERS.has(layer.name)) continue;
    before.push(layer.name || '<anonymous>');
  }
  return undefined;
}
