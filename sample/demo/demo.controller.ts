import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { renderFirehoseStreamSource } from '../../lib/index.js';
import { readDemoPage } from './demo-page.js';

/** What the board shows when the URL names no streams: yours, the app's and the worker's. */
const DEFAULT_STREAMS = ['board', 'dashboard', 'jobs'];
const PLACEHOLDER = '<!--firehose-stream-source-->';

/**
 * GET / : the live board. Plain HTML and the library's own client script, no build step; the
 * subscription element is rendered here by `renderFirehoseStreamSource`, as a server-rendered
 * app would.
 */
@Controller()
export class DemoController {
  private page?: Promise<string>;

  @Get()
  @Header('Cache-Control', 'no-cache')
  async board(@Res({ passthrough: true }) response: ServerResponse, @Query('streams') streams?: string): Promise<string> {
    const names = streams
      ? streams
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean)
      : DEFAULT_STREAMS;
    // An invalid name throws FirehoseInvalidStreamNameError, which the app's exception filter answers with 400.
    const element = renderFirehoseStreamSource(names.length > 0 ? names : DEFAULT_STREAMS, { path: '/firehose' });
    const page = await (this.page ??= readDemoPage());
    // Set here rather than with @Header(), which would also label a 400's JSON as HTML.
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    // A function, so a `$` in a stream name is not read as a replacement pattern.
    return page.replace(PLACEHOLDER, () => element);
  }
}
