import { Inject, Logger, Optional, type BeforeApplicationShutdown, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { OnGatewayConnection, OnGatewayInit } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { EventStreamReaderFactory } from '../../delivery/event-stream-reader.js';
import { FIREHOSE_AUTHORIZER, FIREHOSE_GATEWAY_OPTIONS, FIREHOSE_RESOLVED_OPTIONS } from '../../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../../firehose-options.js';
import type { FirehoseAuthorizer } from '../../interfaces/firehose-authorizer.interface.js';
import { startHeartbeatTimer } from '../connection/heartbeat-timer.js';
import { FirehoseWsConnection } from './firehose-ws-connection.js';
import { SocketUncorker } from './socket-uncorker.js';
import { releaseAdapterBindings } from '../../platform/ws-adapter-bindings.js';
import { installVerifyClient } from '../../platform/ws-verify-client.js';
import { lazyUpgradeCheck, type UpgradeChecks } from '../../auth/upgrade-verifier.js';
import { WS_CLOSE_GOING_AWAY } from '../../protocol/ws-server-frame.js';
import { ConnectionSlots } from '../connection/connection-slots.js';
import { withConnectionSlot } from './upgrade-connection-slot.js';
import { FirehoseStats } from '../../stats/firehose-stats.js';

/** What the gateway checks at the upgrade, from the module's extras. */
export type FirehoseGatewayOptions = UpgradeChecks;

/**
 * The Firehose protocol over WebSocket at `{path}`. This base class has no `@WebSocketGateway`:
 * the path and frame limit come from the module's extras, so each registration gets its own
 * decorated subclass (createFirehoseGateway). Frames are the Firehose protocol's, not Nest's `{event, data}`,
 * so the gateway reads raw messages itself; Nest's adapter finds no `event` in them and drops
 * them silently.
 */
export class FirehoseGateway implements OnGatewayInit<WebSocketServer>, OnGatewayConnection<WebSocket>, BeforeApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private readonly connections = new Map<WebSocket, FirehoseWsConnection>();
  private heartbeat?: NodeJS.Timeout;
  private readonly uncorker = new SocketUncorker();

  constructor(
    private readonly readers: EventStreamReaderFactory,
    private readonly moduleRef: ModuleRef,
    private readonly slots: ConnectionSlots,
    @Inject(FIREHOSE_RESOLVED_OPTIONS) private readonly options: ResolvedFirehoseOptions,
    @Inject(FIREHOSE_GATEWAY_OPTIONS) private readonly gatewayOptions: FirehoseGatewayOptions,
    private readonly stats: FirehoseStats,
    @Optional() @Inject(FIREHOSE_AUTHORIZER) private readonly authorizer?: FirehoseAuthorizer,
  ) {
    stats.register({ name: 'websocket', connections: () => this.connections.size });
  }

  /**
   * Installs the upgrade check on this app's server. It is set on the server rather than in the
   * `@WebSocketGateway` options because those belong to the class, which every app built from
   * the same module definition shares; the server, like this instance, is the app's own.
   */
  afterInit(server: WebSocketServer): void {
    installVerifyClient(
      server,
      withConnectionSlot(
        this.slots,
        lazyUpgradeCheck(this.moduleRef, this.gatewayOptions, this.constructor as Type, this.handleConnection),
      ),
      (error) => this.logger.error(`WebSocket upgrade check failed, refused with 500: ${String(error)}`),
    );
    this.heartbeat = startHeartbeatTimer(this.connections, this.options.wsHeartbeatInterval);
  }

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    const connection = new FirehoseWsConnection(
      client,
      { transport: 'ws', request },
      {
        readers: this.readers,
        uncorker: this.uncorker,
        authorizer: this.authorizer,
        maxStreams: this.options.maxStreamsPerConnection,
        maxBufferedBytes: this.options.wsMaxBufferedBytes,
        logger: this.logger,
        stats: this.stats,
      },
    );
    this.connections.set(client, connection);
    client.once('close', () => this.connections.delete(client));
    releaseAdapterBindings(client);
  }

  /** Says goodbye with 1001 before the adapter terminates the sockets, so clients know to reconnect. */
  beforeApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    for (const [client, connection] of this.connections) {
      connection.stop();
      client.close(WS_CLOSE_GOING_AWAY, 'Server shutting down; reconnect with last_event_id');
    }
  }
}
