/** Qualified names of the Durable Streams tables and functions, built from the DataSource's `schema`. */
export interface DurableStreamsTables {
  streams: string;
  messages: string;
  producers: string;
  appendFunction: string;
}

export function durableStreamsTables(schema?: string): DurableStreamsTables {
  const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
  return {
    streams: `${prefix}firehose_ds_streams`,
    messages: `${prefix}firehose_ds_messages`,
    producers: `${prefix}firehose_ds_producers`,
    appendFunction: `${prefix}firehose_ds_append`,
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
