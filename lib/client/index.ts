/**
 * The Firehose browser client: `import 'nestjs-firehose/client'` in a bundle, or
 * `<script type="module" src="/firehose/client.js">` served by the module. Either way it sets
 * `window.Firehose` and defines `<firehose-stream-source>`, as the Firehose protocol's own client does, so a page
 * written for that client works unchanged.
 */
import { FirehoseClient } from './firehose-client.js';
import { defineFirehoseStreamSource } from './firehose-stream-source.element.js';

declare global {
  // eslint-disable-next-line no-var
  var Firehose: FirehoseClient;
}

/**
 * The page's one client. A second copy of this file (the served script and a bundle on one page)
 * reuses the first copy's, so a path still has one socket.
 */
// biome-ignore lint/suspicious/noRedeclare: the module's export and the page global are the same client on purpose.
export const Firehose: FirehoseClient = typeof globalThis.Firehose?.subscribe === 'function' ? globalThis.Firehose : new FirehoseClient();

if (typeof document !== 'undefined') {
  globalThis.Firehose = Firehose;
  defineFirehoseStreamSource(Firehose);
}

export { FirehoseClient, type FirehoseClientOptions, type TopicClientOptions } from './firehose-client.js';
export { defineFirehoseStreamSource, FIREHOSE_STREAM_SOURCE_TAG, DEFAULT_FIREHOSE_PATH } from './firehose-stream-source.element.js';
export * from './firehose-events.js';
export type { ReconnectPolicy } from './reconnect-delay.js';
export type * from '../protocol/ws-client-frame.js';
export type * from '../protocol/ws-server-frame.js';
export type * from '../protocol/sse-data.js';
