import { FirehoseChannel } from './firehose-channel.entity.js';
import { FirehoseMessage } from './firehose-message.entity.js';

/** Every entity of the module, for a DataSource that lists its entities explicitly. */
export const FIREHOSE_ENTITIES = [FirehoseChannel, FirehoseMessage];
