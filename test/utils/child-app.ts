import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FirehoseModuleOptions } from '../../lib/index.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/firehose-child.mjs', import.meta.url));

export interface ChildApp {
  /** Sends a command to the child and resolves with its answer (rejects if the child reports an error). */
  call<T = Record<string, unknown>>(command: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Starts test/fixtures/firehose-child.mjs (built library, separate process) and waits until it is ready. */
export async function startChildApp(url: string, firehose: FirehoseModuleOptions = {}): Promise<ChildApp> {
  const child: ChildProcess = spawn(process.execPath, [FIXTURE, JSON.stringify({ url, firehose })], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const pending = new Map<number, { resolve(value: any): void; reject(error: Error): void }>();
  let nextId = 1;
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: any;
      try {
        message = JSON.parse(line);
      } catch {
        return;
      }
      if (message.ready) return resolve();
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiter?.resolve(message);
      else waiter?.reject(new Error(`child: ${message.error}`));
    });
    child.on('exit', (code) => {
      exited = true;
      reject(new Error(`child exited with ${code} before it was ready`));
      for (const waiter of pending.values()) waiter.reject(new Error(`child exited with ${code}`));
    });
  });
  await ready;
  const call = <T>(command: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.stdin!.write(JSON.stringify({ id, command, ...args }) + '\n');
    });
  return {
    call,
    close: async () => {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await call('exit').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
