import type { ApplicationConfig } from '@nestjs/core';
import { middlewareBeforeRoute } from '../../platform/express-middleware-stack.js';

/**
 * What the app would run on a Durable Streams request under `base` besides the module's access
 * guard: its middleware, and the guards, interceptors and exception filters of the app and of
 * the module. Empty when nothing, which lets the gate serve the request itself; undefined when
 * that cannot be known (not Express, or another route sees such requests first).
 */
export function frameworkWorkOnRoute(
  httpAdapter: unknown,
  config: ApplicationConfig,
  base: string,
  moduleGuards: number,
): string[] | undefined {
  const middleware = middlewareBeforeRoute(httpAdapter, `${base}/-`, `${base}/*name`);
  if (middleware === undefined) return undefined;
  const work = middleware.map((name) => `middleware ${name}`);
  if (moduleGuards > 0) work.push('the module guards');
  if (config.getGlobalGuards().length + config.getGlobalRequestGuards().length > 0) work.push('global guards');
  if (config.getGlobalInterceptors().length + config.getGlobalRequestInterceptors().length > 0) work.push('global interceptors');
  if (config.getGlobalFilters().length + config.getGlobalRequestFilters().length > 0) work.push('global exception filters');
  if ((config.getGlobalPreRequestHooks?.() ?? []).length > 0) work.push('pre-request hooks');
  return work;
}
