import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AllowAllTopicsAuthorizer, FirehoseOperationsModule, FirehoseTopicsModule } from '../lib/index.js';
import { ActivityListener } from './activity/activity.listener.js';
import { BroadcastController } from './broadcast/broadcast.controller.js';
import { CommentsController } from './comments/comments.controller.js';
import { CommentsService } from './comments/comments.service.js';
import { DemoController } from './demo/demo.controller.js';
import { FirehoseExceptionFilter } from './errors/firehose-exception.filter.js';
import { EventsController } from './events/events.controller.js';
import { HealthController } from './health/health.controller.js';
import { InfrastructureModule } from './infrastructure.module.js';
import { QueueController } from './queue/queue.controller.js';
import { QueueHandles } from './queue/queue-handles.service.js';
import { ProductsModule } from './products/products.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';

/** The HTTP app. A dynamic module because the database URL is known only once main.ts has one. */
@Module({})
export class AppModule {
  static forDatabase(url: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(url, { durableStreams: true }),
        ProductsModule,
        RealtimeModule,
        // GET /healthz: this instance's figures (the live board's operations panel reads it), plus
        // metrics, the NOTIFY queue watch and a bounded shutdown. An app in production guards it:
        // FirehoseOperationsModule.forRoot({ guards: [AdminGuard] }).
        FirehoseOperationsModule.forRoot(),
        // POST/GET /topics/{id}/events: ephemeral topics (the board's typing indicator), gzip for clients that accept it.
        FirehoseTopicsModule.forRoot({ authorizer: AllowAllTopicsAuthorizer, sseCompression: true }),
      ],
      controllers: [DemoController, BroadcastController, EventsController, CommentsController, QueueController, HealthController],
      providers: [
        CommentsService,
        QueueHandles,
        ActivityListener,
        { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
        { provide: APP_FILTER, useClass: FirehoseExceptionFilter },
      ],
    };
  }
}
