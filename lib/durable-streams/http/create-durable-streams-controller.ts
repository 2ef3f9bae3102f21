import { All, Controller, Req, Res, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DurableStreamsAccessGuard } from './durable-streams-access.guard.js';
import { DurableStreamsController } from './durable-streams.controller.js';
import { DurableStreamsRouter } from './durable-streams.router.js';

export interface DurableStreamsRouteOptions {
  path: string;
  guards: Type<CanActivate>[];
}

/**
 * A route path cannot come from DI, so each registration gets a subclass decorated with its own
 * path and guards. Class-level guards run before method-level ones: the app's guards (which may
 * attach `request.user`) run before DurableStreamsAccessGuard asks the authorizer.
 */
export function createDurableStreamsController(options: DurableStreamsRouteOptions): Type<DurableStreamsController> {
  @Controller(options.path)
  @UseGuards(...options.guards)
  class ConfiguredDurableStreamsController extends DurableStreamsController {
    constructor(router: DurableStreamsRouter) {
      super(router);
    }

    @All('*name')
    @UseGuards(DurableStreamsAccessGuard)
    override handle(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
      return super.handle(request, response);
    }
  }
  // A stable name for Nest's route logs and for rate limiters that key on the class, whatever the registration.
  Object.defineProperty(ConfiguredDurableStreamsController, 'name', { value: 'DurableStreamsController' });
  return ConfiguredDurableStreamsController;
}
