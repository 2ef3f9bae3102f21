export { FirehoseModule } from './firehose.module.js';
export { FirehoseService, type FirehoseHealth } from './firehose.service.js';
export { OnFirehose } from './decorators/on-firehose.decorator.js';
export { FIREHOSE_MODULE_OPTIONS, ON_FIREHOSE_METADATA } from './firehose.constants.js';
export type {
  FirehoseModuleOptions,
  FirehoseModuleExtras,
  FirehoseOptionsFactory,
} from './interfaces/firehose-module-options.interface.js';
export { isFirehoseReset, type FirehoseEvent, type FirehoseReset, type FirehoseStreamItem } from './interfaces/firehose-event.interface.js';
export type { FirehoseAuthorizer, FirehoseConnectionContext } from './interfaces/firehose-authorizer.interface.js';
export { AllowAllStreamsAuthorizer } from './auth/allow-all-streams.authorizer.js';
export { SSE_RESET_EVENT } from './sse/sse-frames.js';
export { FirehoseGateway } from './gateway/firehose.gateway.js';
export { WS_CLOSE_TOO_SLOW, type WsErrorCode } from './gateway/ws-protocol.js';
export type { BroadcastOptions, StreamOptions } from './interfaces/broadcast-options.interface.js';
export type { FirehoseQueue, QueuePopOptions } from './interfaces/firehose-queue.interface.js';
export type { ListenerState } from './listener/listener-state.js';
export * from './errors/index.js';
export { FirehoseChannel } from './store/firehose-channel.entity.js';
export { FirehoseMessage } from './store/firehose-message.entity.js';
export { FIREHOSE_ENTITIES } from './store/firehose.entities.js';
export { FIREHOSE_MIGRATIONS, CreateFirehoseTables1732320000000 } from '../migrations/index.js';
export type { ChangeFeedOptions, ChangeFeedInfo } from './change-feed/change-feed-options.interface.js';
export type { TableChange, ChangeOperation } from './change-feed/table-change.interface.js';
export { tableStream, isTableChangeEvent } from './change-feed/table-stream.js';
export { ChangeFeedAlreadyEnabledError } from './change-feed/change-feed-already-enabled.error.js';
export { ChangeFeedNotEnabledError } from './change-feed/change-feed-not-enabled.error.js';
export { ChangeFeedTableNotFoundError } from './change-feed/change-feed-table-not-found.error.js';
export { InvalidChangeFeedOptionsError } from './change-feed/invalid-change-feed-options.error.js';
export { CreateChangeFeedFunctions1732340000000 } from '../migrations/index.js';
