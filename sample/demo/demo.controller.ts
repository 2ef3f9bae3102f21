import { Controller, Get, Header, Query, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderFirehoseStreamSource } from '../../lib/index.js';
import { PublicStreamsAuthorizer } from '../streams/public-streams.authorizer.js';
import { readDemoPage } from './demo-page.js';

/** What the board shows when the URL names no streams: yours, the app's and the worker's. */
const DEFAULT_STREAMS = ['board', 'dashboard', 'jobs'];
const PLACEHOLDER = '<!--firehose-stream-source-->';
const REFUSED_PLACEHOLDER = '<!--sse-refused-->';

/**
 * GET / : the live board. Plain HTML and the library's own client script, no build step; the
 * subscription element is rendered here by `renderFirehoseStreamSource`, as a server-rendered
 * app would.
 */
@Controller()
export class DemoController {
  private page?: Promise<string>;
  // The authorizer the app gives FirehoseModule: the page asks it what the SSE route will drop.
  private readonly authorizer = new PublicStreamsAuthorizer();

  @Get()
  @Header('Cache-Control', 'no-cache')
  async board(
    @Req() request: IncomingMessage,
    @Res({ passthrough: true }) response: ServerResponse,
    @Query('streams') streams?: string,
  ): Promise<string> {
    const names = streams
      ? streams
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean)
      : DEFAULT_STREAMS;
    // An invalid name throws FirehoseInvalidStreamNameError, which the app's exception filter answers with 400.
    const pageStreams = names.length > 0 ? names : DEFAULT_STREAMS;
    const element = renderFirehoseStreamSource(pageStreams, { path: '/firehose' });
    const readable = new Set(this.authorizer.authorizeStreams(pageStreams, { transport: 'sse', request }));
    const refused = pageStreams.filter((stream) => !readable.has(stream));
    // JSON in a script element: `<` escaped, so no name can close the element.
    const refusedScript = `<script type="application/json" id="sse-refused">${JSON.stringify(refused).replaceAll('<', '\\u003c')}</script>`;
    const page = await (this.page ??= readDemoPage());
    // Set here rather than with @Header(), which would also label a 400's JSON as HTML.
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    // A function, so a `$` in a stream name is not read as a replacement pattern.
    return page.replace(PLACEHOLDER, () => element).replace(REFUSED_PLACEHOLDER, () => refusedScript);
  }
}
