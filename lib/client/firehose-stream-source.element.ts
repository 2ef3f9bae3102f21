import type { FirehoseClient } from './firehose-client.js';
import { parseStreams } from '../protocol/stream-name.js';

export const FIREHOSE_STREAM_SOURCE_TAG = 'firehose-stream-source';
/** The server's default `path` (FirehoseModule's DEFAULT_PATH; the client imports no server code). */
export const DEFAULT_FIREHOSE_PATH = '/firehose';

/**
 * Registers `<firehose-stream-source path="/firehose" streams="a,b">`: subscribed while it is in
 * the document, unsubscribed when it leaves, re-subscribed when its attributes change. Defined
 * lazily, so importing the client where there is no DOM (server-side rendering) does not throw.
 */
export function defineFirehoseStreamSource(client: FirehoseClient, tag = FIREHOSE_STREAM_SOURCE_TAG): void {
  if (typeof customElements === 'undefined' || customElements.get(tag)) return;

  class FirehoseStreamSourceElement extends HTMLElement {
    static observedAttributes = ['path', 'streams'];
    /** What this element subscribed, so it unsubscribes exactly that even after its attributes changed. */
    private subscription?: { path: string; streams: string[] };

    connectedCallback(): void {
      this.attach();
    }

    disconnectedCallback(): void {
      this.detach();
    }

    attributeChangedCallback(): void {
      // Before the first connectedCallback (parsing, upgrade) there is nothing to move yet.
      if (!this.subscription) return;
      this.detach();
      this.attach();
    }

    private attach(): void {
      if (this.subscription) return;
      const path = this.getAttribute('path') || DEFAULT_FIREHOSE_PATH;
      const streams = parseStreams(this.getAttribute('streams'));
      if (streams.length === 0) return;
      client.subscribe(path, streams);
      this.subscription = { path, streams };
    }

    private detach(): void {
      if (!this.subscription) return;
      client.unsubscribe(this.subscription.path, this.subscription.streams);
      this.subscription = undefined;
    }
  }

  customElements.define(tag, FirehoseStreamSourceElement);
}
