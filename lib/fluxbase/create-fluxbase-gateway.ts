import type { Type } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { FluxbaseGateway } from './fluxbase.gateway.js';

/**
 * A gateway path cannot come from DI, so each registration gets a subclass decorated with its own
 * path and frame limit. Port 0: the app's HTTP server, shared with the Firehose gateway's path.
 */
export function createFluxbaseGateway(options: { path: string; maxFrameBytes: number }): Type<FluxbaseGateway> {
  @WebSocketGateway(0, { path: options.path, maxPayload: options.maxFrameBytes })
  class ConfiguredFluxbaseGateway extends FluxbaseGateway {}
  // A stable name for Nest's logs, whatever the registration.
  Object.defineProperty(ConfiguredFluxbaseGateway, 'name', { value: 'FluxbaseGateway' });
  return ConfiguredFluxbaseGateway;
}
