import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { FirehoseService } from '../../lib/index.js';
import { intFromEnv } from '../config/env.js';

const PROGRESS_STEPS = [0, 25, 50, 75, 100];

export interface JobProgress {
  jobId: string;
  progress: number;
  /** Which process sent it: the app logs another process's pid. */
  pid: number;
}

/** The worker's background loop: a few fake jobs, each broadcasting its progress on `jobs`. */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private readonly jobs = intFromEnv('WORKER_JOBS', 3);
  private readonly tickMs = intFromEnv('WORKER_TICK_MS', 2000);
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private resolveDone!: () => void;
  /** Resolves once every job has run (not when a signal cut them short: Nest exits then). */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly firehose: FirehoseService) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  /** Before the module drains its pending broadcasts: nothing new may be enqueued after that. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    for (let job = 1; job <= this.jobs; job++) {
      const jobId = randomUUID().slice(0, 8);
      for (const progress of PROGRESS_STEPS) {
        if (this.stopping) return;
        await this.report({ jobId, progress, pid: process.pid });
        await this.sleep();
      }
    }
    this.logger.log(`All ${this.jobs} jobs done`);
    this.resolveDone();
  }

  private async report(data: JobProgress): Promise<void> {
    try {
      const event = await this.firehose.broadcast('jobs', data);
      this.logger.log(`jobs #${event.id}: job ${data.jobId} at ${data.progress}%`);
    } catch (error) {
      // A worker keeps going through a database blip; the next tick tries again.
      this.logger.warn(`Broadcast failed: ${(error as Error).message}`);
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.tickMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
