import { FirehoseStreamEntity } from './firehose-stream.entity.js';
import { FirehoseMessageEntity } from './firehose-message.entity.js';

/** Every entity of the module, for a DataSource that lists its entities explicitly. */
export const FIREHOSE_ENTITIES = [FirehoseStreamEntity, FirehoseMessageEntity];
