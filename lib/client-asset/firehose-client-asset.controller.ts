import { Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { CLIENT_ENTRY_FILE, locateClientScripts, readClientScripts } from './client-script-files.js';

/**
 * `GET {path}/client.js` is what a page loads, `<script type="module" src="/firehose/client.js">`,
 * like socket.io's `/socket.io/socket.io.js`. It re-exports `{path}/client/index.js`, so the
 * client's own relative imports resolve under `{path}/client/` and the client ships as the
 * compiled modules, with no bundler in the build.
 */
export const CLIENT_SCRIPT_STUB = `export * from './client/${CLIENT_ENTRY_FILE}';\n`;

/**
 * Serves the browser client. This base class has no route decorators: the path comes from the
 * module's extras (createFirehoseClientAssetController).
 */
export class FirehoseClientAssetController {
  private readonly logger = new Logger('Firehose');
  private scripts?: Promise<Map<string, string> | undefined>;

  entry(): string {
    return CLIENT_SCRIPT_STUB;
  }

  async module(file: string): Promise<string> {
    const scripts = await (this.scripts ??= this.load());
    if (!scripts) {
      throw new ServiceUnavailableException('The Firehose browser client is not built: run `npm run build` in nestjs-firehose.');
    }
    const script = scripts.get(file);
    if (script === undefined) throw new NotFoundException(`No Firehose client module named ${JSON.stringify(file).slice(0, 80)}.`);
    return script;
  }

  private async load(): Promise<Map<string, string> | undefined> {
    const dir = locateClientScripts();
    if (!dir) {
      this.logger.warn('The browser client script is not built, so {path}/client.js cannot be served: run `npm run build`.');
      return undefined;
    }
    return readClientScripts(dir);
  }
}
