import { Controller, Get, Header, Query } from '@nestjs/common';

export const TEST_PAGE_PATH = '/__firehose_test_page';

/**
 * The page the browser tests open, served by the app under test itself: Chromium's local network
 * access checks refuse a loopback WebSocket from a page that did not come from a loopback server.
 * Every `firehose:*` event is recorded in `window.__events`, in dispatch order; every WebSocket
 * the page opens is kept in `window.__sockets` (to check that a path shares one), and every frame
 * they receive, parsed, in `window.__frames` (to wait for a server's answer). `body` (test
 * input only) is placed in the page as it is, before the client script runs.
 */
@Controller()
export class TestPageController {
  @Get(TEST_PAGE_PATH)
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Query('body') body = ''): string {
    return `<!doctype html><html><head><meta charset="utf-8">
<script>
  window.__events = [];
  window.__sockets = [];
  window.__frames = [];
  for (const type of ['message', 'reset', 'open', 'closed', 'reconnecting', 'subscribed', 'error']) {
    document.addEventListener('firehose:' + type, (e) => window.__events.push({ type, detail: e.detail }));
  }
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
      this.addEventListener('message', (e) => window.__frames.push(JSON.parse(e.data)));
    }
  };
</script>
<script type="module" src="/firehose/client.js"></script>
</head><body>${body}</body></html>`;
  }
}
