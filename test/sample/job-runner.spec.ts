import { Test } from '@nestjs/testing';
import { FirehoseTestingModule, FirehoseTestingService } from '../../lib/testing/index.js';
import { JobRunner } from '../../sample/jobs/job-runner.service.js';

// The sample's worker loop, unit-tested the way an app would: no database, broadcasts recorded.
describe('sample JobRunner (FirehoseTestingModule)', () => {
  it('broadcasts each job from 0 to 100 percent on the jobs stream', async () => {
    process.env.WORKER_JOBS = '2';
    process.env.WORKER_TICK_MS = '1';
    const moduleRef = await Test.createTestingModule({ imports: [FirehoseTestingModule], providers: [JobRunner] }).compile();
    await moduleRef.init();
    try {
      await moduleRef.get(JobRunner).done;
      const firehose = moduleRef.get(FirehoseTestingService);
      const finished = firehose.expectBroadcast<{ jobId: string }>('jobs', { progress: 100, pid: process.pid });
      expect(firehose.broadcasts.filter((e) => e.stream === 'jobs').map((e) => (e.data as { progress: number }).progress)).toEqual([
        0, 25, 50, 75, 100, 0, 25, 50, 75, 100,
      ]);
      firehose.expectBroadcast('jobs', expect.objectContaining({ jobId: finished.data.jobId, progress: 0 }));
      firehose.expectNoBroadcast('dashboard');
    } finally {
      delete process.env.WORKER_JOBS;
      delete process.env.WORKER_TICK_MS;
      await moduleRef.close();
    }
  });
});
