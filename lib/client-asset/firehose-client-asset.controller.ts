import { Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { join } from 'node:path';
import { CLIENT_ENTRY_FILE, locateClientScripts, readClientScripts } from './client-script-files.js';

/**
 * `GET {path}/client.js` is what a page loads, `<script type="module" src="/firehose/client.js">`,
 * like socket.io's `/socket.io/socket.io.js`. It re-exports `{path}/client/index.js`, so the
 * client's own relative imports resolve under `{path}/client/` and the client ships as the
 * compiled modules, with no bundler in the build. The client's imports of the wire protocol it
 * shares with the server resolve to `{path}/protocol/`, served from the compiled lib/protocol.
 */
export const CLIENT_SCRIPT_STUB = `export * from './client/${CLIENT_ENTRY_FILE}';\n`;

/**
 * Serves the browser client. This base class has no route decorators: the path comes from the
 * module's extras (createFirehoseClientAssetController).
 */
export class FirehoseClientAssetController {
  private readonly logger = new Logger('Firehose');
  private scripts?: Promise<Map<string, string> | undefined>;
  private protocolScripts?: Promise<Map<string, string> | undefined>;

  entry(): string {
    return CLIENT_SCRIPT_STUB;
  }

  async module(file: string): Promise<string> {
    return this.find(await (this.scripts ??= this.load()), file);
  }

  /** A module of lib/protocol, which holds only code that runs in the browser as well. */
  async protocolModule(file: string): Promise<string> {
    return this.find(await (this.protocolScripts ??= this.load('protocol')), file);
  }

  private find(scripts: Map<string, string> | undefined, file: string): string {
    if (!scripts) {
      throw new ServiceUnavailableException('The Firehose browser client is not built: run `npm run build` in nestjs-firehose.');
    }
    const script = scripts.get(file);
    if (script === undefined) throw new NotFoundException(`No Firehose client module named ${JSON.stringify(file).slice(0, 80)}.`);
    return script;
  }

  private async load(sibling?: string): Promise<Map<string, string> | undefined> {
    const dir = locateClientScripts();
    if (!dir) {
      this.logger.warn('The browser client script is not built, so {path}/client.js cannot be served: run `npm run build`.');
      return undefined;
    }
    return readClientScripts(sibling ? join(dir, '..', sibling) : dir);
  }
}
