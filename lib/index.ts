// The public API of nestjs-firehose. Migration classes come from 'nestjs-firehose/migrations',
// the browser client from 'nestjs-firehose/client', test helpers from 'nestjs-firehose/testing'.

// The core module, its options and its service.
export { FirehoseModule } from './firehose.module.js';
export type {
  FirehoseModuleExtras,
  FirehoseModuleOptions,
  FirehoseOptionsFactory,
} from './interfaces/firehose-module-options.interface.js';
export { FIREHOSE_MODULE_OPTIONS } from './firehose.constants.js';
export { FirehoseService, type FirehoseHealth } from './firehose.service.js';
export type { BroadcastOptions, StreamOptions } from './interfaces/broadcast-options.interface.js';
export type { FirehoseQueue, QueuePopOptions } from './interfaces/firehose-queue.interface.js';
export type { ListenerState } from './listener/listener-state.js';
export type {
  FirehoseDeliveryFigures,
  FirehoseNotifyQueueFigures,
  FirehoseStatsSnapshot,
} from './stats/firehose-stats-snapshot.interface.js';
export type { DeliveryTransport } from './stats/delivery-transport.js';

// Events as consumers see them.
export {
  isFirehoseReset,
  type FirehoseEvent,
  type FirehoseReset,
  type FirehoseResetReason,
  type FirehoseStreamItem,
} from './protocol/firehose-event.js';
export { OnFirehose } from './decorators/on-firehose.decorator.js';

// Who may read what.
export type { FirehoseAuthorizer, FirehoseConnectionContext } from './interfaces/firehose-authorizer.interface.js';
export { AllowAllStreamsAuthorizer } from './auth/allow-all-streams.authorizer.js';

// An app's own @Sse() routes.
export { LastEventId } from './transports/message-events/last-event-id.decorator.js';
export type { FirehoseMessageEvent } from './transports/message-events/firehose-message-event.interface.js';

// Storage: entities and each module's migrations.
export { FIREHOSE_ENTITIES } from './store/firehose.entities.js';
export { FirehoseStreamEntity } from './store/firehose-stream.entity.js';
export { FirehoseMessageEntity } from './store/firehose-message.entity.js';
export {
  CHANGE_FEED_MIGRATIONS,
  DURABLE_STREAMS_MIGRATIONS,
  FIREHOSE_MIGRATIONS,
  FLUXBASE_MIGRATIONS,
  type FirehoseMigration,
} from '../migrations/index.js';

// Server-side rendering of the browser client's element.
export { renderFirehoseStreamSource, type RenderFirehoseStreamSourceOptions } from './render/render-firehose-stream-source.js';
export { firehoseStreamName, type FirehoseEntity, type FirehoseStreamTarget } from './render/firehose-stream-name.js';

// The wire: WebSocket frames and SSE payloads, for clients written in TypeScript.
export type { WsClientFrame, WsSubscribeFrame, WsUnsubscribeFrame } from './protocol/ws-client-frame.js';
export type {
  WsControlFrame,
  WsErrorCode,
  WsErrorFrame,
  WsEventFrame,
  WsResetFrame,
  WsResetReason,
  WsServerFrame,
  WsSubscribedFrame,
  WsUnsubscribedFrame,
} from './protocol/ws-server-frame.js';
export { WS_CLOSE_TOO_SLOW } from './protocol/ws-server-frame.js';
export type { SseEventData, SseResetData } from './protocol/sse-data.js';
export { SSE_RESET_EVENT } from './protocol/sse-frames.js';

// Errors of the core.
export * from './errors/index.js';

// Feature module: table change feeds.
export { FirehoseChangeFeedModule } from './change-feed/firehose-change-feed.module.js';
export { FirehoseChangeFeedService } from './change-feed/firehose-change-feed.service.js';
export type { ChangeFeedInfo } from './change-feed/change-feed-info.interface.js';
export type { ChangeFeedOptions } from './change-feed/change-feed-options.interface.js';
export type { ChangeOperation, TableChange } from './change-feed/table-change.interface.js';
export { isTableChangeEvent, tableStream } from './change-feed/table-stream.js';
export { ChangeFeedAlreadyEnabledError } from './change-feed/change-feed-already-enabled.error.js';
export { ChangeFeedInvalidOptionsError } from './change-feed/invalid-change-feed-options.error.js';
export { ChangeFeedNotEnabledError } from './change-feed/change-feed-not-enabled.error.js';
export { ChangeFeedTableNotFoundError } from './change-feed/change-feed-table-not-found.error.js';

// Feature module: the Durable Streams HTTP protocol.
export { DurableStreamsModule } from './durable-streams/durable-streams.module.js';
export type { DurableStreamsOptions } from './durable-streams/durable-streams-options.interface.js';
export type {
  DurableStreamsAccessContext,
  DurableStreamsAuthorizer,
  DurableStreamsOperation,
} from './durable-streams/durable-streams-authorizer.interface.js';
export { AllowAllDurableStreamsAuthorizer } from './durable-streams/auth/allow-all-durable-streams.authorizer.js';
export { DurableStreamsConfigurationError } from './durable-streams/errors/durable-streams-configuration.error.js';

// Feature module: Fluxbase's realtime WebSocket protocol.
export { FirehoseFluxbaseModule } from './fluxbase/firehose-fluxbase.module.js';
export type { FirehoseFluxbaseOptions } from './fluxbase/fluxbase-options.interface.js';
export type { FluxbaseRealtimeStats } from './fluxbase/fluxbase-stats.js';
export { FluxbaseConfigurationError } from './fluxbase/fluxbase-configuration.error.js';
export type {
  FluxbaseAckFrame,
  FluxbaseBroadcastFrame,
  FluxbaseClientHeartbeatMessage,
  FluxbaseClientMessage,
  FluxbaseErrorFrame,
  FluxbaseHeartbeatFrame,
  FluxbaseResetFrame,
  FluxbaseServerFrame,
  FluxbaseSubscribeMessage,
  FluxbaseUnsubscribeMessage,
} from './fluxbase/fluxbase-protocol.js';

// Feature module: health, stats, metrics, the NOTIFY queue watch and a bounded shutdown.
export { FirehoseOperationsModule } from './operations/firehose-operations.module.js';
export type { FirehoseOperationsOptions } from './operations/firehose-operations-options.interface.js';
export { FirehoseOperationsService } from './operations/firehose-operations.service.js';
export type { FirehoseOperationsReport, FirehoseOperationsStatus } from './operations/firehose-operations-report.interface.js';
export { FirehoseHealthIndicator, type FirehoseHealthIndicatorResult } from './operations/firehose-health.indicator.js';
export { OperationsConfigurationError } from './operations/errors/operations-configuration.error.js';

// The protocol's schema as class-validator DTOs: what the WebSocket gateway and the SSE route check.
export { FirehoseWsSubscribeDto, FirehoseWsUnsubscribeDto } from './transports/schema/ws-command.dto.js';
export { FirehoseSseQueryDto } from './transports/schema/sse-query.dto.js';
export { IsFirehoseStreamName } from './transports/schema/stream-name.constraint.js';
export { IsFirehoseCursor } from './transports/schema/cursor.constraint.js';

// Feature module: ephemeral topics over LISTEN/NOTIFY.
export { FirehoseTopicsModule } from './topics/firehose-topics.module.js';
export { FirehoseTopicsService } from './topics/firehose-topics.service.js';
export type { FirehoseTopicsOptions } from './topics/firehose-topics-options.interface.js';
export type { FirehoseTopicsAuthorizer, TopicOperation, TopicRequestContext } from './topics/firehose-topics-authorizer.interface.js';
export { AllowAllTopicsAuthorizer } from './topics/allow-all-topics.authorizer.js';
export type { FirehoseTopicsStats, TopicStats } from './topics/topic-stats.interface.js';
export { TopicInvalidIdError } from './topics/errors/topic-invalid-id.error.js';
export { TopicsConfigurationError } from './topics/errors/topics-configuration.error.js';
