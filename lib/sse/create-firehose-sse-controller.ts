import { Controller, Req, Sse, UseGuards, type CanActivate, type MessageEvent, type Type } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Observable } from 'rxjs';
import { FirehoseStreamsGuard } from '../auth/firehose-streams.guard.js';
import { FirehoseSseController } from './firehose-sse.controller.js';

export interface FirehoseSseRouteOptions {
  path: string;
  guards: Type<CanActivate>[];
  maxPendingBytes: number;
}

/**
 * A route path cannot come from DI, so each registration gets a subclass decorated with its own
 * path, guards and pending-data bound. Class-level guards run before method-level ones: the app's
 * guards (which may attach `request.user`) run before FirehoseStreamsGuard asks the authorizer.
 */
export function createFirehoseSseController(options: FirehoseSseRouteOptions): Type<FirehoseSseController> {
  @Controller(options.path)
  @UseGuards(...options.guards)
  class ConfiguredFirehoseSseController extends FirehoseSseController {
    // A client that stops reading is dropped once this much event text waits for it, instead of
    // being buffered without bound; it resumes with Last-Event-ID and loses nothing.
    @Sse('sse', { maxPendingDataLength: options.maxPendingBytes })
    @UseGuards(FirehoseStreamsGuard)
    override events(@Req() request: IncomingMessage): Observable<MessageEvent> {
      return super.events(request);
    }
  }
  // A stable name for Nest's route logs, whatever the registration.
  Object.defineProperty(ConfiguredFirehoseSseController, 'name', { value: 'FirehoseSseController' });
  return ConfiguredFirehoseSseController;
}
