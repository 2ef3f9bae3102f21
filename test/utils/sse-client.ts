import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { waitFor } from './collect.js';

/** One dispatched block of an event stream, fields as sent (`raw` is the block's exact text). */
export interface SseFrame {
  raw: string;
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comments: string[];
}

export interface SseConnection {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body of a non-200 answer, parsed as JSON when it is. */
  body: any;
  /** Every block received so far, in order. */
  readonly frames: SseFrame[];
  /** Frames that carry data (events and resets), in order. */
  dataFrames(): SseFrame[];
  /** Everything received on the stream, as text. */
  readonly text: string;
  /** Resolves when the server ends or breaks the response. */
  readonly ended: Promise<void>;
  readonly isEnded: boolean;
  /** True once the whole response arrived, last chunk included (false when it was cut off). */
  readonly completed: boolean;
  waitForDataFrames(count: number, timeoutMs?: number): Promise<SseFrame[]>;
  /** Stops reading from the socket, like a client that hangs, so the server's buffers fill. */
  pause(): void;
  resume(): void;
  close(): void;
}

function parseBlock(raw: string): SseFrame {
  const frame: SseFrame = { raw, comments: [] };
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) {
      frame.comments.push(line.slice(1).trimStart());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    else if (field === 'id') frame.id = value;
    else if (field === 'event') frame.event = value;
    else if (field === 'retry') frame.retry = Number(value);
  }
  return frame;
}

/** GET an SSE endpoint with a raw `http` request and parse the event stream as it arrives. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const frames: SseFrame[] = [];
      let text = '';
      let pending = '';
      let isEnded = false;
      const ended = new Promise<void>((done) => {
        const finish = () => {
          isEnded = true;
          done();
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
        // A paused response emits nothing more: the socket tells when the server hung up.
        res.socket.on('close', finish);
      });
      res.setEncoding('utf8');
      const connection: SseConnection = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: undefined,
        frames,
        dataFrames: () => frames.filter((frame) => frame.data !== undefined),
        get text() {
          return text;
        },
        ended,
        get isEnded() {
          return isEnded;
        },
        get completed() {
          return res.complete;
        },
        waitForDataFrames: async (count, timeoutMs = 15_000) => {
          await waitFor(() => connection.dataFrames().length >= count || isEnded, timeoutMs, `${count} data frames`);
          const got = connection.dataFrames();
          if (got.length < count) throw new Error(`the stream ended after ${got.length} of ${count} data frames`);
          return got;
        },
        // Pausing the response (not the socket, which the response would resume) stops reading
        // once its buffer is full, so the server's writes back up.
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => {
          req.destroy();
          res.destroy();
        },
      };
      if (connection.status !== 200) {
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            connection.body = JSON.parse(text);
          } catch {
            connection.body = text;
          }
          resolve(connection);
        });
        return;
      }
      res.on('data', (chunk: string) => {
        text += chunk;
        pending += chunk;
        let end: number;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          // Nest writes a lone newline right after the headers; it is not a frame.
          if (block.replace(/^\n+/, '') !== '') frames.push(parseBlock(block.replace(/^\n+/, '')));
        }
      });
      resolve(connection);
    });
    req.end();
  });
}
