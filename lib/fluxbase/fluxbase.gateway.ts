import { Inject, Logger, Optional, type BeforeApplicationShutdown, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { OnGatewayConnection, OnGatewayInit } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { lazyUpgradeCheck } from '../auth/upgrade-verifier.js';
import { EventStreamReaderFactory } from '../delivery/event-stream-reader.js';
import { FIREHOSE_AUTHORIZER, FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import type { FirehoseAuthorizer } from '../interfaces/firehose-authorizer.interface.js';
import { releaseAdapterBindings } from '../platform/ws-adapter-bindings.js';
import { installVerifyClient } from '../platform/ws-verify-client.js';
import { WS_CLOSE_GOING_AWAY } from '../protocol/ws-server-frame.js';
import { startHeartbeatTimer } from '../transports/connection/heartbeat-timer.js';
import { SocketUncorker } from '../transports/ws/socket-uncorker.js';
import { ConnectionSlots } from '../transports/connection/connection-slots.js';
import { withConnectionSlot } from '../transports/ws/upgrade-connection-slot.js';
import { FLUXBASE_MIGRATIONS_APPLIED, FLUXBASE_OPTIONS } from './fluxbase.constants.js';
import { FluxbaseConnection } from './fluxbase-connection.js';
import type { ResolvedFluxbaseOptions } from './fluxbase-options.js';
import { FluxbaseStats } from './fluxbase-stats.js';

/**
 * Fluxbase's realtime protocol over WebSocket at `{path}`, on the app's `ws` adapter beside the
 * Firehose gateway. Like that one, this base class has no `@WebSocketGateway` (createFluxbaseGateway
 * decorates a subclass per registration), reads raw frames itself, checks the upgrade with the
 * module's guards and origin rule, and asks the core's authorizer for every channel.
 */
export class FluxbaseGateway implements OnGatewayInit<WebSocketServer>, OnGatewayConnection<WebSocket>, BeforeApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private readonly connections = new Map<WebSocket, FluxbaseConnection>();
  private heartbeat?: NodeJS.Timeout;
  private readonly uncorker = new SocketUncorker();

  constructor(
    private readonly readers: EventStreamReaderFactory,
    private readonly moduleRef: ModuleRef,
    private readonly stats: FluxbaseStats,
    private readonly slots: ConnectionSlots,
    @Inject(FIREHOSE_RESOLVED_OPTIONS) private readonly firehoseOptions: ResolvedFirehoseOptions,
    @Inject(FLUXBASE_OPTIONS) private readonly options: ResolvedFluxbaseOptions,
    // Injected so the endpoint serves only once the module's SQL helpers are in place.
    @Inject(FLUXBASE_MIGRATIONS_APPLIED) _migrated: boolean,
    @Optional() @Inject(FIREHOSE_AUTHORIZER) private readonly authorizer?: FirehoseAuthorizer,
  ) {}

  /** The upgrade check goes on this app's own server (see FirehoseGateway.afterInit). */
  afterInit(server: WebSocketServer): void {
    // Its connections count against the core's maxConnections like the Firehose transports'.
    const check = lazyUpgradeCheck(this.moduleRef, this.options, this.constructor as Type, this.handleConnection);
    installVerifyClient(server, withConnectionSlot(this.slots, check), (error) =>
      this.logger.error(`Fluxbase WebSocket upgrade check failed, refused with 500: ${String(error)}`),
    );
    this.heartbeat = startHeartbeatTimer(this.connections, this.options.heartbeatInterval);
  }

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    const connection = new FluxbaseConnection(
      client,
      { transport: 'ws', request },
      {
        readers: this.readers,
        uncorker: this.uncorker,
        authorizer: this.authorizer,
        stats: this.stats,
        maxChannels: this.firehoseOptions.maxStreamsPerConnection,
        maxBufferedBytes: this.firehoseOptions.wsMaxBufferedBytes,
        logger: this.logger,
      },
    );
    this.connections.set(client, connection);
    this.stats.opened();
    client.once('close', () => {
      this.connections.delete(client);
      this.stats.closed();
    });
    releaseAdapterBindings(client);
  }

  /** Says goodbye with 1001 before the adapter terminates the sockets, so clients know to reconnect. */
  beforeApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    for (const [client, connection] of this.connections) {
      connection.stop();
      client.close(WS_CLOSE_GOING_AWAY, 'Server shutting down; reconnect');
    }
  }
}
