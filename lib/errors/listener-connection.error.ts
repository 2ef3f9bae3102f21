import { FirehoseError } from './firehose.error.js';

/** The dedicated LISTEN connection could not be established at boot. */
export class FirehoseListenerConnectionError extends FirehoseError {
  constructor(attempts: number, cause: unknown) {
    super(
      `Could not open the Firehose LISTEN connection after ${attempts} attempts (${(cause as Error)?.message ?? String(cause)}). ` +
        'Check that PostgreSQL is reachable at databaseUrl (or the DataSource settings) and is not a transaction-mode pooler.',
    );
  }
}
