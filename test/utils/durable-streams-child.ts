import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../durable-streams/durable-streams-child.mjs', import.meta.url));

export interface DurableStreamsChild {
  baseUrl: string;
  /** `METHOD url` of every request the child received, in order. */
  received: string[];
  stop(): Promise<void>;
}

/** What the child app adds around DurableStreamsModule: @nestjs/throttler's guard, on the module or global. */
export interface DurableStreamsChildExtras {
  throttle?: { limit: number; ttl?: number; global?: boolean };
}

/**
 * Starts test/durable-streams/durable-streams-child.mjs (the built library in a plain Node process,
 * its own LISTEN connection) on `databaseUrl`. Plain Node also loads CommonJS packages that
 * require Nest's ESM-only packages, which Jest's module runtime cannot on this Node.
 */
export async function startDurableStreamsChild(
  databaseUrl: string,
  durableStreams: object,
  extras: DurableStreamsChildExtras = {},
): Promise<DurableStreamsChild> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, JSON.stringify({ databaseUrl, durableStreams, ...extras })], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const received: string[] = [];
  const baseUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line);
      if (message.baseUrl) resolve(message.baseUrl);
      if (message.request) received.push(message.request);
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  return {
    baseUrl,
    received,
    stop: async () => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
