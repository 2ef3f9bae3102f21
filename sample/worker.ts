import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connectWorkerDatabase } from './database/sample-database.js';
import { JobRunner } from './jobs/job-runner.service.js';
import { WorkerModule } from './worker.module.js';

// A second process with no HTTP server: its broadcasts reach the app through PostgreSQL alone.
const logger = new Logger('Worker');
let url: string;
try {
  url = await connectWorkerDatabase();
} catch (error) {
  logger.error((error as Error).message);
  process.exit(1);
}

// abortOnError: false, so a failed boot throws here instead of aborting the process.
const app = await NestFactory.createApplicationContext(WorkerModule.forDatabase(url), { abortOnError: false });
app.enableShutdownHooks();
logger.log('Broadcasting job progress on "jobs"; the app logs each event. Ctrl+C stops early.');
await app.get(JobRunner).done;
await app.close();
