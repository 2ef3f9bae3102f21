import { CreateFirehoseTables1732320000000 } from './1732320000000-create-firehose-tables.js';
import { CreateDurableStreamsTables1732330000000 } from './1732330000000-create-durable-streams-tables.js';
import { CreateChangeFeedFunctions1732340000000 } from './1732340000000-create-change-feed-functions.js';
import { UpgradeChangeFeedCapture1732350000000 } from './1732350000000-upgrade-change-feed-capture.js';

export {
  CreateFirehoseTables1732320000000,
  CreateDurableStreamsTables1732330000000,
  CreateChangeFeedFunctions1732340000000,
  UpgradeChangeFeedCapture1732350000000,
};

/** Every migration of the module, in order. Add them to your DataSource's `migrations`. */
export const FIREHOSE_MIGRATIONS = [
  CreateFirehoseTables1732320000000,
  CreateDurableStreamsTables1732330000000,
  CreateChangeFeedFunctions1732340000000,
  UpgradeChangeFeedCapture1732350000000,
];
