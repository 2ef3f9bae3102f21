export { FirehoseModule } from './firehose.module.js';
export { FirehoseService, type FirehoseHealth } from './firehose.service.js';
export { OnFirehose } from './decorators/on-firehose.decorator.js';
export { LastEventId } from './transports/message-events/last-event-id.decorator.js';
export type { FirehoseMessageEvent } from './transports/message-events/firehose-message-event.interface.js';
export { FIREHOSE_MODULE_OPTIONS, ON_FIREHOSE_METADATA } from './firehose.constants.js';
export type {
  FirehoseModuleOptions,
  FirehoseModuleExtras,
  FirehoseOptionsFactory,
} from './interfaces/firehose-module-options.interface.js';
export { isFirehoseReset, type FirehoseEvent, type FirehoseReset, type FirehoseStreamItem } from './protocol/firehose-event.js';
export type { FirehoseAuthorizer, FirehoseConnectionContext } from './interfaces/firehose-authorizer.interface.js';
export { AllowAllStreamsAuthorizer } from './auth/allow-all-streams.authorizer.js';
export { SSE_RESET_EVENT } from './protocol/sse-frames.js';
export { WS_CLOSE_TOO_SLOW } from './protocol/ws-server-frame.js';
export type { BroadcastOptions, StreamOptions } from './interfaces/broadcast-options.interface.js';
export type { FirehoseQueue, QueuePopOptions } from './interfaces/firehose-queue.interface.js';
export type { ListenerState } from './listener/listener-state.js';
export * from './errors/index.js';
export { FirehoseStreamEntity } from './store/firehose-stream.entity.js';
export { FirehoseMessageEntity } from './store/firehose-message.entity.js';
export { FIREHOSE_ENTITIES } from './store/firehose.entities.js';
export { FIREHOSE_MIGRATIONS, DURABLE_STREAMS_MIGRATIONS, CHANGE_FEED_MIGRATIONS } from '../migrations/index.js';
export { renderFirehoseStreamSource, type RenderFirehoseStreamSourceOptions } from './render/render-firehose-stream-source.js';
export { firehoseStreamName, type FirehoseEntity, type FirehoseStreamTarget } from './render/firehose-stream-name.js';
export type { WsClientFrame, WsSubscribeFrame, WsUnsubscribeFrame } from './protocol/ws-client-frame.js';
export type {
  WsServerFrame,
  WsEventFrame,
  WsControlFrame,
  WsSubscribedFrame,
  WsUnsubscribedFrame,
  WsResetFrame,
  WsResetReason,
  WsErrorFrame,
  WsErrorCode,
} from './protocol/ws-server-frame.js';
export type { SseEventData, SseResetData } from './protocol/sse-data.js';
export type { DurableStreamsOptions } from './durable-streams/durable-streams-options.interface.js';
export { DurableStreamsModule } from './durable-streams/durable-streams.module.js';
export type { ChangeFeedOptions } from './change-feed/change-feed-options.interface.js';
export type { ChangeFeedInfo } from './change-feed/change-feed-info.interface.js';
export type { TableChange, ChangeOperation } from './change-feed/table-change.interface.js';
export { tableStream, isTableChangeEvent } from './change-feed/table-stream.js';
export { ChangeFeedAlreadyEnabledError } from './change-feed/change-feed-already-enabled.error.js';
export { ChangeFeedNotEnabledError } from './change-feed/change-feed-not-enabled.error.js';
export { ChangeFeedTableNotFoundError } from './change-feed/change-feed-table-not-found.error.js';
export { InvalidChangeFeedOptionsError } from './change-feed/invalid-change-feed-options.error.js';
export { FirehoseChangeFeedModule } from './change-feed/firehose-change-feed.module.js';
export { FirehoseChangeFeedService } from './change-feed/firehose-change-feed.service.js';
