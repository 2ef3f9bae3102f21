import { Controller, Get, Headers, Param, Res, type Type } from '@nestjs/common';
import { FirehoseClientAssetController } from './firehose-client-asset.controller.js';

/** Express's and Node's response (`setHeader`) or Fastify's reply (`header`). */
interface HeaderTarget {
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

const SCRIPT_HEADERS: Record<string, string> = {
  'Content-Type': 'text/javascript; charset=utf-8',
  // Revalidated on every load (answered 304 by ETag): a deploy's new client is picked up at once.
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * Sets the script headers once the script is found. Not `@Header()`: Nest applies those before the
 * handler runs, so a 404 would go out as JSON labelled JavaScript.
 */
function scriptResponse(response: HeaderTarget, script: string, cors: Record<string, string>): string {
  for (const [name, value] of Object.entries({ ...SCRIPT_HEADERS, ...cors })) {
    if (response.setHeader) response.setHeader(name, value);
    else response.header?.(name, value);
  }
  return script;
}

/**
 * A module script from another origin loads only with CORS. The script is public code and the
 * request carries no credentials, so without `allowedOrigins` any origin may load it; with them,
 * the same origins as may open the WebSocket.
 */
function corsHeaders(allowedOrigins: ReadonlySet<string> | undefined, origin: string | undefined): Record<string, string> {
  if (!allowedOrigins) return { 'Access-Control-Allow-Origin': '*' };
  if (origin && allowedOrigins.has(origin)) return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
  return { Vary: 'Origin' };
}

/**
 * A route path cannot come from DI, so each registration gets a subclass with its own path. No
 * guards: the script is public code, like the page that loads it, and reveals no stream.
 */
export function createFirehoseClientAssetController(options: {
  path: string;
  allowedOrigins?: readonly string[];
}): Type<FirehoseClientAssetController> {
  const allowedOrigins = options.allowedOrigins ? new Set(options.allowedOrigins) : undefined;
  @Controller(options.path)
  class ConfiguredFirehoseClientAssetController extends FirehoseClientAssetController {
    @Get('client.js')
    override entry(@Res({ passthrough: true }) response?: HeaderTarget, @Headers('origin') origin?: string): string {
      return scriptResponse(response!, super.entry(), corsHeaders(allowedOrigins, origin));
    }

    @Get('client/:file')
    override async module(
      @Param('file') file: string,
      @Res({ passthrough: true }) response?: HeaderTarget,
      @Headers('origin') origin?: string,
    ): Promise<string> {
      return scriptResponse(response!, await super.module(file), corsHeaders(allowedOrigins, origin));
    }

    @Get('protocol/:file')
    override async protocolModule(
      @Param('file') file: string,
      @Res({ passthrough: true }) response?: HeaderTarget,
      @Headers('origin') origin?: string,
    ): Promise<string> {
      return scriptResponse(response!, await super.protocolModule(file), corsHeaders(allowedOrigins, origin));
    }
  }
  Object.defineProperty(ConfiguredFirehoseClientAssetController, 'name', { value: 'FirehoseClientAssetController' });
  return ConfiguredFirehoseClientAssetController;
}
