import { FirehoseError } from './firehose.error.js';

/** The module's tables or functions are not in the database: its migrations have not run. */
export class FirehoseTablesMissingError extends FirehoseError {
  constructor(
    /** What was looked for and not found, as qualified names. */
    readonly missing: string[],
    /** The migrations (of FIREHOSE_MIGRATIONS) that create what is missing. */
    readonly migrations: string[] = [],
  ) {
    super(
      `The Firehose tables are missing (${missing.join(', ')} not found${migrations.length > 0 ? `; created by ${migrations.join(', ')}` : ''}): ` +
        "add FIREHOSE_MIGRATIONS to your DataSource's migrations with migrationsRun: true, or let the module apply them with " +
        'FirehoseModule.forRoot({ migrationsRun: true }).',
    );
  }
}
