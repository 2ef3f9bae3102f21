/**
 * Qualified names of everything the module creates in PostgreSQL. Built once from the DataSource's
 * `schema` option so that queries never concatenate user input.
 */
export interface FirehoseTables {
  channels: string;
  messages: string;
  appendFunction: string;
  /** The one-row table of the key that signs NOTIFY payloads (lib/listener/notify-signature.ts). */
  notifyKey: string;
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
    notifyKey: `${prefix}firehose_notify_key`,
  };
}
