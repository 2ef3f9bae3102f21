import { Controller, Get, Header, Req } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import ts from 'typescript';

/** Where the page is served: `GET /realtime-example/`. */
export const FLUXBASE_REACT_PAGE = '/realtime-example/';

const require = createRequire(import.meta.url);
/** The example as printed, read from the sample's sources: beside this file, or from the build's (dist-sample/sample/realtime/). */
const hookSource = () => {
  const beside = new URL('./fluxbase-use-realtime.example.tsx', import.meta.url);
  return readFileSync(
    existsSync(beside) ? beside : new URL('../../../sample/realtime/fluxbase-use-realtime.example.tsx', import.meta.url),
    'utf8',
  );
};
const PRINTED_URL = 'ws://localhost:8080';
/** A UMD build of a package that does not export its umd/ folder. */
const umd = (name: string, file: string) => readFileSync(join(dirname(require.resolve(`${name}/package.json`)), 'umd', file), 'utf8');

/**
 * Serves Fluxbase's React example (the `useRealtime` hook and its `ProductList`), kept as printed
 * in fluxbase-use-realtime.example.tsx, on a page of the sample, with no build step: React's UMD
 * builds define `window.React` and `window.ReactDOM`, an import map points the example's `react`
 * imports at two small modules over them, and TypeScript turns the TSX into JavaScript. Two things
 * change as the example is served: the printed server address becomes this app's (the `Host` the
 * page came from, so the socket is same-origin and passes the origin check), and `ProductList`
 * is exported so the page can mount it. Every frame the page's sockets receive is kept in
 * `window.__frames`, and every product name the list ever rendered in `window.__rendered`.
 */
@Controller('realtime-example')
export class FluxbaseReactPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return `<!doctype html><html><head><meta charset="utf-8">
<script>
  window.__frames = [];
  window.__rendered = new Set();
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => window.__frames.push(JSON.parse(e.data)));
    }
  };
</script>
<script src="react.js"></script>
<script src="react-dom.js"></script>
<script type="importmap">{"imports": {"react": "./shims/react.js", "react/jsx-runtime": "./shims/jsx-runtime.js"}}</script>
<script type="module" src="main.js"></script>
</head><body><div id="root"></div></body></html>`;
  }

  @Get('react.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  react(): string {
    return umd('react', 'react.development.js');
  }

  @Get('react-dom.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  reactDom(): string {
    return umd('react-dom', 'react-dom.development.js');
  }

  @Get('shims/react.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  reactModule(): string {
    return `const React = window.React;
export default React;
export const { useCallback, useEffect, useMemo, useReducer, useRef, useState } = React;\n`;
  }

  @Get('shims/jsx-runtime.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  jsxRuntime(): string {
    return `const React = window.React;
export const jsx = (type, props, key) => React.createElement(type, key === undefined ? props : { ...props, key });
export const jsxs = jsx;
export const Fragment = React.Fragment;\n`;
  }

  @Get('app.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  app(@Req() request: IncomingMessage): string {
    const printed = hookSource();
    if (!printed.includes(PRINTED_URL)) throw new Error(`The example no longer connects to ${PRINTED_URL}`);
    const source = `${printed.replaceAll(PRINTED_URL, `ws://${request.headers.host}`)}\nexport { ProductList };\n`;
    return ts.transpileModule(source, {
      compilerOptions: { jsx: ts.JsxEmit.ReactJSX, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: 'fluxbase-use-realtime.tsx',
    }).outputText;
  }

  @Get('main.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  main(): string {
    return `import { ProductList } from './app.js';
const root = document.getElementById('root');
new MutationObserver(() => {
  for (const row of root.firstChild?.children ?? []) window.__rendered.add(row.textContent);
}).observe(root, { childList: true, subtree: true, characterData: true });
window.ReactDOM.createRoot(root).render(window.React.createElement(ProductList));\n`;
  }
}
