import { ChangeFeedRelay } from '../../lib/change-feed/change-feed.relay.js';
import type { FirehoseTestApp } from './create-firehose-app.js';

export interface RelayCounts {
  /** Table changes this app's relay appended to the log. */
  changes: number;
  /** Relay steps that appended at least one change. */
  steps: number;
}

/**
 * Counts the changes one app's change-feed relay moves into the log, so a test can tell which
 * process relayed. Every process runs a relay and one at a time works; nothing else shows which.
 * It reads the answer of each real relay step (the relay queries only through `dataSource.query`).
 */
export function countRelayed(app: Pick<FirehoseTestApp, 'app'>): RelayCounts {
  const relay = app.app.get(ChangeFeedRelay) as unknown as {
    stepSql: string;
    dataSource: { query(sql: string, params?: unknown[]): Promise<any[]> };
  };
  const counts: RelayCounts = { changes: 0, steps: 0 };
  const dataSource = relay.dataSource;
  relay.dataSource = {
    query: async (sql, params) => {
      const rows = await dataSource.query(sql, params);
      if (sql === relay.stepSql && rows[0]?.appended > 0) {
        counts.steps++;
        counts.changes += rows[0].appended;
      }
      return rows;
    },
  };
  return counts;
}
