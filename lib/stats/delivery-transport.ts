/**
 * Who a hub subscriber delivers to, as the figures count them: a WebSocket connection, an SSE
 * connection, or something in this process (`stream()` Observables, `@OnFirehose` handlers).
 */
export type DeliveryTransport = 'websocket' | 'sse' | 'local';

export const DELIVERY_TRANSPORTS: readonly DeliveryTransport[] = ['websocket', 'sse', 'local'];
