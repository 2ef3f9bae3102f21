import { Logger, type INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { EMBEDDED_PORT, EMBEDDED_URL, startEmbeddedPostgres } from './embedded-postgres.js';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface SampleDatabase {
  url: string;
  /** On SIGINT/SIGTERM, stops the embedded server (if this process runs one) once `app` has closed. */
  stopAfter(app: INestApplicationContext): void;
  /** Stops the embedded server now, for a boot that failed; a no-op with DATABASE_URL. */
  stop(): Promise<void>;
}

/** The app's database: DATABASE_URL when set, else an embedded PostgreSQL that this process owns. */
export async function openAppDatabase(): Promise<SampleDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) return { url, stopAfter: () => undefined, stop: async () => undefined };

  const logger = new Logger('SampleDatabase');
  const server = await startEmbeddedPostgres();
  logger.log(`Embedded PostgreSQL on port ${EMBEDDED_PORT}, data in ${server.dataDir} (set DATABASE_URL to use another server)`);
  let app: INestApplicationContext | undefined;
  let stopping = false;
  // Subscribed from here on, not only once the app exists, so a signal during boot cannot kill the
  // process and orphan the server. Staying subscribed also absorbs the signal Nest re-raises after
  // its shutdown hooks, which would otherwise end the process before the server has stopped.
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      // close() joins the shutdown Nest's own signal handler started, and returns when it is done:
      // the pools and the LISTEN connection must be closed before their server goes away.
      await app?.close();
      await server.stop();
      logger.log('Embedded PostgreSQL stopped');
      process.exit(0);
    })().catch((error) => {
      console.error(error);
      process.exit(1);
    });
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  return {
    url: EMBEDDED_URL,
    stopAfter: (closing) => void (app = closing),
    stop: () => server.stop(),
  };
}

/**
 * The worker's database: DATABASE_URL when set, else the embedded server of the running app. The
 * worker never starts one itself: two processes must share one database to share one log.
 */
export async function connectWorkerDatabase(): Promise<string> {
  const url = process.env.DATABASE_URL ?? EMBEDDED_URL;
  const problem = await unreachable(url);
  if (problem === undefined) return url;
  const hint = process.env.DATABASE_URL
    ? `DATABASE_URL (${url}) does not answer: ${problem}. Check the server, or unset DATABASE_URL to use the app's embedded one.`
    : `No PostgreSQL answers on port ${EMBEDDED_PORT} (${problem}). The worker uses the embedded server that the app ` +
      'starts: run `npm start` first and keep it running, or set DATABASE_URL to the same server as the app.';
  throw new Error(hint);
}

async function unreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || (error as Error).name;
  } finally {
    await client.end().catch(() => undefined);
  }
}
