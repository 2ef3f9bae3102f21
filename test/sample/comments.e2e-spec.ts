import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { INestApplicationContext } from '@nestjs/common';
import { FirehoseModule, FirehoseService } from '../../lib/index.js';
import { createFirehoseTestSchema, type FirehoseTestSchema } from '../../lib/testing/index.js';
import { Comment } from '../../sample/comments/comment.entity.js';
import { CommentsService } from '../../sample/comments/comments.service.js';
import { CreateSampleComments1732400000000 } from '../../sample/comments/create-sample-comments.migration.js';
import { collectLive } from '../utils/collect.js';

// The sample's transactional broadcast against real PostgreSQL, in a throwaway schema of the test
// database, the way an app's own e2e tests would use createFirehoseTestSchema.
describe('sample CommentsService (createFirehoseTestSchema)', () => {
  let schema: FirehoseTestSchema;
  let app: INestApplicationContext;

  beforeAll(async () => {
    schema = await createFirehoseTestSchema({ url: process.env.DATABASE_URL!, migrations: [CreateSampleComments1732400000000] });
    @Module({
      imports: [
        TypeOrmModule.forRoot({ ...schema.dataSourceOptions, entities: [...schema.dataSourceOptions.entities, Comment] }),
        FirehoseModule.forRoot({ ...schema.firehoseOptions }),
      ],
      providers: [CommentsService],
    })
    class CommentsTestModule {}
    app = await NestFactory.createApplicationContext(CommentsTestModule, { logger: ['error', 'warn'] });
  });

  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  it('stores the comment and its event in the test schema, and delivers the event once committed', async () => {
    const live = await collectLive(app.get(FirehoseService), 'comments', 1);
    const { comment, event } = await app.get(CommentsService).create('hello');
    expect(await live.done).toEqual([event]);
    expect(event.data).toEqual({ id: comment.id, text: 'hello' });
    const dataSource = app.get(DataSource);
    const [stored] = await dataSource.query(
      `SELECT c.text, m.data FROM ${schema.schema}.sample_comments c, ${schema.schema}.firehose_messages m`,
    );
    expect(stored).toEqual({ text: 'hello', data: { id: comment.id, text: 'hello' } });
  });
});
