import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FirehoseTopicsController, type TopicPublishAnswer } from './firehose-topics.controller.js';
import { TopicAccessGuard } from './topic-access.guard.js';

export interface FirehoseTopicsRouteOptions {
  path: string;
  guards: Type<CanActivate>[];
}

/**
 * A route path cannot come from DI, so each registration gets a subclass decorated with its own
 * path and guards. Class-level guards run before method-level ones: the app's guards (which may
 * attach `request.user`) run before TopicAccessGuard asks the authorizer. Global guards run first.
 */
export function createFirehoseTopicsController(options: FirehoseTopicsRouteOptions): Type<FirehoseTopicsController> {
  @Controller(options.path)
  @UseGuards(...options.guards)
  class ConfiguredFirehoseTopicsController extends FirehoseTopicsController {
    @Post(':topic/events')
    @HttpCode(200)
    @UseGuards(TopicAccessGuard)
    override publish(@Param('topic') topic: string, @Body() body: unknown): Promise<TopicPublishAnswer> {
      return super.publish(topic, body);
    }

    @Get(':topic/events')
    @UseGuards(TopicAccessGuard)
    override subscribe(@Param('topic') topic: string, @Req() request: IncomingMessage, @Res() response: ServerResponse): void {
      super.subscribe(topic, request, response);
    }
  }
  // A stable name for Nest's route logs, whatever the registration.
  Object.defineProperty(ConfiguredFirehoseTopicsController, 'name', { value: 'FirehoseTopicsController' });
  return ConfiguredFirehoseTopicsController;
}
