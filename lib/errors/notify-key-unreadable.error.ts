import { FirehoseError } from './firehose.error.js';

/**
 * The key that signs the module's notifications could not be read at boot: without it no
 * notification can be told from a forged one, so the module does not start.
 */
export class FirehoseNotifyKeyUnreadableError extends FirehoseError {
  constructor(
    /** The key table, as a qualified name. */
    readonly table: string,
    cause: unknown,
  ) {
    super(
      `Could not read the Firehose notification key from ${table} (${(cause as Error)?.message ?? String(cause)}). ` +
        "Connect as the role that ran FIREHOSE_MIGRATIONS, or grant the app's role what it has on the other Firehose tables " +
        `(GRANT SELECT ON ${table} TO <app role>); if the table is empty, run the SignFirehoseNotifications1732350000000 migration again.`,
    );
  }
}
