import { quoteIdentifier } from '../store/firehose-tables.js';

/** Qualified names of the change-feed objects, in the schema of the Firehose tables. */
export interface ChangeFeedTables {
  /** Which tables have a feed, with their options (keyed by table oid, so a rename follows). */
  registry: string;
  /** Row changes of committed transactions waiting for the relay to append them to the log. */
  staging: string;
  /** Commit-ordered numbering of staged row changes, taken just before each writer commits. */
  commitSequence: string;
  /** 1 while a relay is idle and wants a NOTIFY on the next change; 0 while it is working. */
  armedSequence: string;
  /** NOTIFY channels of the relays that may be woken. */
  relays: string;
  captureFunction: string;
  barrierFunction: string;
  relayFunction: string;
  enableFunction: string;
  disableFunction: string;
  listFunction: string;
  /** The name of the commit sequence as a string literal, for nextval(). */
  commitSequenceLiteral: string;
  armedSequenceLiteral: string;
}

export function changeFeedTables(schema?: string): ChangeFeedTables {
  const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
  const literal = (name: string) => `'${(prefix + name).replace(/'/g, "''")}'`;
  return {
    registry: `${prefix}firehose_change_feed_tables`,
    staging: `${prefix}firehose_change_staging`,
    commitSequence: `${prefix}firehose_change_commit_seq`,
    armedSequence: `${prefix}firehose_change_armed`,
    relays: `${prefix}firehose_change_relays`,
    captureFunction: `${prefix}firehose_change_capture`,
    barrierFunction: `${prefix}firehose_change_barrier`,
    relayFunction: `${prefix}firehose_change_relay`,
    enableFunction: `${prefix}firehose_enable_change_feed`,
    disableFunction: `${prefix}firehose_disable_change_feed`,
    listFunction: `${prefix}firehose_list_change_feeds`,
    commitSequenceLiteral: literal('firehose_change_commit_seq'),
    armedSequenceLiteral: literal('firehose_change_armed'),
  };
}
