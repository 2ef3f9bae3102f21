import { Controller, Get, Param, Res, type Type } from '@nestjs/common';
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
function scriptResponse(response: HeaderTarget, script: string): string {
  for (const [name, value] of Object.entries(SCRIPT_HEADERS)) {
    if (response.setHeader) response.setHeader(name, value);
    else response.header?.(name, value);
  }
  return script;
}

/**
 * A route path cannot come from DI, so each registration gets a subclass with its own path. No
 * guards: the script is public code, like the page that loads it, and reveals no stream.
 */
export function createFirehoseClientAssetController(options: { path: string }): Type<FirehoseClientAssetController> {
  @Controller(options.path)
  class ConfiguredFirehoseClientAssetController extends FirehoseClientAssetController {
    @Get('client.js')
    override entry(@Res({ passthrough: true }) response?: HeaderTarget): string {
      return scriptResponse(response!, super.entry());
    }

    @Get('client/:file')
    override async module(@Param('file') file: string, @Res({ passthrough: true }) response?: HeaderTarget): Promise<string> {
      return scriptResponse(response!, await super.module(file));
    }

    @Get('protocol/:file')
    override async protocolModule(@Param('file') file: string, @Res({ passthrough: true }) response?: HeaderTarget): Promise<string> {
      return scriptResponse(response!, await super.protocolModule(file));
    }
  }
  Object.defineProperty(ConfiguredFirehoseClientAssetController, 'name', { value: 'FirehoseClientAssetController' });
  return ConfiguredFirehoseClientAssetController;
}
