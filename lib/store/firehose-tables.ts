/**
 * Qualified names of everything the module creates in PostgreSQL. Built once from the DataSource's
 * `schema` option so that queries never concatenate user input.
 */
export interface FirehoseTables {
  channels: string;
  messages: string;
  appendFunction: string;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function firehoseTables(schema?: string): FirehoseTables {
  const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
  return {
    channels: `${prefix}firehose_channels`,
    messages: `${prefix}firehose_messages`,
    appendFunction: `${prefix}firehose_append`,
  };
}
