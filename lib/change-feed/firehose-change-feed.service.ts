import { Injectable } from '@nestjs/common';
import type { ChangeFeedInfo } from './change-feed-info.interface.js';
import type { ChangeFeedOptions } from './change-feed-options.interface.js';
import { ChangeFeedRegistry } from './change-feed.registry.js';

/**
 * Turns table change feeds on and off (exported by FirehoseChangeFeedModule). A feed's events are
 * ordinary events of the stream `table:<schema>.<table>`, consumed through FirehoseService and the
 * transports like any broadcast.
 *
 * @publicApi
 */
@Injectable()
export class FirehoseChangeFeedService {
  /** @internal Nest injects the module's own providers. */
  constructor(private readonly registry: ChangeFeedRegistry) {}

  /**
   * Turns every committed INSERT, UPDATE and DELETE of `schema.table` into an event of the stream
   * `table:<schema>.<table>` (data: TableChange), delivered and replayed like any broadcast.
   * Resolves with the stream name. Fails with ChangeFeedAlreadyEnabledError unless `replace`.
   */
  enable(schema: string, table: string, options?: ChangeFeedOptions): Promise<string> {
    return this.registry.enable(schema, table, options);
  }

  /** Stops the table's feed; fails with ChangeFeedNotEnabledError when it has none. */
  disable(schema: string, table: string): Promise<void> {
    return this.registry.disable(schema, table);
  }

  /** The tables with a change feed, with their options. */
  list(): Promise<ChangeFeedInfo[]> {
    return this.registry.list();
  }
}
