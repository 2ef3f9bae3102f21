import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';
import { waitFor } from './collect.js';

/** A received frame, parsed. Event frames have no `type`; control frames do. */
export type WsFrame = Record<string, any>;

export interface WsTestClient {
  readonly socket: WebSocket;
  /** Every frame received so far, parsed, in order. */
  readonly frames: WsFrame[];
  /** The same frames as the exact text received. */
  readonly texts: string[];
  /** Event frames only (no `type`). */
  events(): WsFrame[];
  /** Control frames of one type. */
  control(type: string): WsFrame[];
  /** Resolves with the close code and reason once the socket is closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly isClosed: boolean;
  send(frame: unknown): void;
  /** Waits until `count` frames match `match` (default: any frame), then returns them. */
  waitForFrames(match: (frame: WsFrame) => boolean, count?: number, timeoutMs?: number): Promise<WsFrame[]>;
  waitForEvents(count: number, timeoutMs?: number): Promise<WsFrame[]>;
  waitForControl(type: string, count?: number, timeoutMs?: number): Promise<WsFrame[]>;
  close(): void;
}

/** Opens a WebSocket with the `ws` package and records every frame it receives. */
export function openWs(url: string, options: ClientOptions = {}): Promise<WsTestClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const frames: WsFrame[] = [];
    const texts: string[] = [];
    let isClosed = false;
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.once('close', (code, reason) => {
        isClosed = true;
        done({ code, reason: String(reason) });
      }),
    );
    socket.on('message', (data) => {
      texts.push(String(data));
      frames.push(JSON.parse(String(data)));
    });
    const matching = (match: (frame: WsFrame) => boolean) => frames.filter(match);
    const client: WsTestClient = {
      socket,
      frames,
      texts,
      events: () => matching((frame) => frame.type === undefined),
      control: (type) => matching((frame) => frame.type === type),
      closed,
      get isClosed() {
        return isClosed;
      },
      send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
      waitForFrames: async (match, count = 1, timeoutMs = 15_000) => {
        await waitFor(() => matching(match).length >= count || isClosed, timeoutMs, `${count} matching frames`);
        const got = matching(match);
        if (got.length < count) throw new Error(`the socket closed after ${got.length} of ${count} matching frames`);
        return got;
      },
      waitForEvents: (count, timeoutMs) => client.waitForFrames((frame) => frame.type === undefined, count, timeoutMs),
      waitForControl: (type, count, timeoutMs) => client.waitForFrames((frame) => frame.type === type, count, timeoutMs),
      close: () => socket.terminate(),
    };
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

/** Attempts an upgrade that is expected to be refused: resolves with the HTTP status and body. */
export function refusedUpgrade(url: string, options: ClientOptions = {}): Promise<{ status: number; body: string }> {
  return refusedUpgradeResponse(url, options).then(({ status, body }) => ({ status, body }));
}

/** refusedUpgrade, with the refusal's headers. */
export function refusedUpgradeResponse(
  url: string,
  options: ClientOptions = {},
): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    socket.once('error', () => undefined);
  });
}
