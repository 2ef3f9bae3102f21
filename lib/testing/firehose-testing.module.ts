import { Global, Module } from '@nestjs/common';
import { FirehoseService } from '../firehose.service.js';
import { FirehoseTestingService } from './firehose-testing.service.js';

/**
 * Replaces FirehoseModule in an app's unit tests, with no database: whatever injects
 * FirehoseService gets a FirehoseTestingService, which records broadcasts for `expectBroadcast`.
 *
 * ```ts
 * const moduleRef = await Test.createTestingModule({
 *   imports: [FirehoseTestingModule],
 *   providers: [CommentsService],
 * }).compile();
 * await moduleRef.get(CommentsService).create({ postId: 7, text: 'hi' });
 * moduleRef.get(FirehoseTestingService).expectBroadcast('Post:7', { type: 'comment' });
 * ```
 *
 * @publicApi
 */
@Global()
@Module({
  providers: [FirehoseTestingService, { provide: FirehoseService, useExisting: FirehoseTestingService }],
  exports: [FirehoseTestingService, FirehoseService],
})
export class FirehoseTestingModule {}
