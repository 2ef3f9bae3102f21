// Contract: @nestjs/websockets binds a client's `message`/`close` listeners synchronously right after handleConnection returns (verified with @nestjs/websockets 12.1.1, @nestjs/platform-ws 12.1.1, ws 8.23.0; peer ranges ^12.0).
import type { WebSocket } from 'ws';

/** The events Nest's adapter binds per client after `handleConnection` returns. */
const ADAPTER_EVENTS = ['message', 'close'] as const;

/**
 * Right after `handleConnection`, Nest binds every client to the gateway's `@SubscribeMessage`
 * handlers (an rxjs chain on `message` and `close`) and to `handleDisconnect` (a `close`
 * listener). The Firehose gateway has neither and reads its frames itself, yet that chain is
 * most of what an idle connection costs (about 7 KB of its 18 KB in the fanout bench). So the
 * listeners added after this call are removed once the adapter is done: the chain is then
 * unreachable and collected. Listeners present now (the gateway's own, `ws`'s client tracking)
 * stay.
 */
export function releaseAdapterBindings(client: WebSocket): void {
  const before = ADAPTER_EVENTS.map((event) => new Set(client.listeners(event)));
  // The adapter binds synchronously after handleConnection, in the same turn.
  queueMicrotask(() => {
    ADAPTER_EVENTS.forEach((event, i) => {
      for (const listener of client.listeners(event)) {
        if (!before[i].has(listener)) client.off(event, listener as (...args: unknown[]) => void);
      }
    });
  });
}
