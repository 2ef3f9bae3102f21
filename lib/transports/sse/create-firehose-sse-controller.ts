import { Controller, Get, Req, Res, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FirehoseStreamsGuard } from './firehose-streams.guard.js';
import { FirehoseSseController } from './firehose-sse.controller.js';

export interface FirehoseSseRouteOptions {
  path: string;
  guards: Type<CanActivate>[];
}

/**
 * A route path cannot come from DI, so each registration gets a subclass decorated with its own
 * path and guards. Class-level guards run before method-level ones: the app's guards (which may
 * attach `request.user`) run before FirehoseStreamsGuard asks the authorizer.
 */
export function createFirehoseSseController(options: FirehoseSseRouteOptions): Type<FirehoseSseController> {
  @Controller(options.path)
  @UseGuards(...options.guards)
  class ConfiguredFirehoseSseController extends FirehoseSseController {
    @Get('sse')
    @UseGuards(FirehoseStreamsGuard)
    override events(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
      super.events(request, response);
    }
  }
  // A stable name for Nest's route logs, whatever the registration.
  Object.defineProperty(ConfiguredFirehoseSseController, 'name', { value: 'FirehoseSseController' });
  return ConfiguredFirehoseSseController;
}
