import { Module, type DynamicModule } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure.module.js';
import { JobRunner } from './jobs/job-runner.service.js';

/** The worker: the same database and Firehose setup as the app, no controllers. */
@Module({})
export class WorkerModule {
  static forDatabase(url: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [InfrastructureModule.forRoot(url)],
      providers: [JobRunner],
    };
  }
}
