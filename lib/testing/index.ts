export { FirehoseTestingModule } from './firehose-testing.module.js';
export { FirehoseTestingService } from './firehose-testing.service.js';
export type { BroadcastMatcher } from './broadcast-matcher.js';
export { createFirehoseTestSchema, type FirehoseTestSchema, type FirehoseTestSchemaOptions } from './create-firehose-test-schema.js';
