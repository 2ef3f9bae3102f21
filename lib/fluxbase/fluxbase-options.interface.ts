import type { CanActivate, Type } from '@nestjs/common';

/**
 * Options of `FirehoseFluxbaseModule.forRoot`: Fluxbase's realtime WebSocket protocol and its stats
 * route. Plain values, because the routes are mounted when the module graph is built.
 */
export interface FirehoseFluxbaseOptions {
  /** Path of the WebSocket endpoint (`ws://host{path}?token=…`). @default '/realtime' */
  path?: string;
  /** Path of `GET {statsPath}`, answering `{"connections":N,"channels":M}`. @default '/api/realtime/stats' */
  statsPath?: string;
  /** Milliseconds between two `{"type":"heartbeat"}` frames (and pings) to every connection. @default 30000 */
  heartbeatInterval?: number;
  /**
   * Your own guards (e.g. one that verifies the JWT in `?token=` and sets `request.user`), run in
   * order on every WebSocket upgrade and on the stats route. Their dependencies must come from a
   * global module. @default []
   */
  guards?: Type<CanActivate>[];
  /**
   * Origins of browser pages, besides the app's own, that may open the WebSocket, e.g.
   * `['http://localhost:3000']` for a front end served from another port. @default []
   */
  allowedOrigins?: string[];
}
