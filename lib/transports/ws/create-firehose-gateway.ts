import type { Type } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { FirehoseGateway } from './firehose.gateway.js';

export interface FirehoseGatewayRouteOptions {
  path: string;
  maxFrameBytes: number;
}

/**
 * A gateway path cannot come from DI, so each registration gets a subclass decorated with its own
 * path and frame limit (`ws` closes with 1009 above `maxPayload`). Port 0: the app's HTTP server.
 */
export function createFirehoseGateway(options: FirehoseGatewayRouteOptions): Type<FirehoseGateway> {
  @WebSocketGateway(0, { path: options.path, maxPayload: options.maxFrameBytes })
  class ConfiguredFirehoseGateway extends FirehoseGateway {}
  // A stable name for Nest's logs, whatever the registration (mixin() would make a random one).
  Object.defineProperty(ConfiguredFirehoseGateway, 'name', { value: 'FirehoseGateway' });
  return ConfiguredFirehoseGateway;
}
