import { Module } from '@nestjs/common';
import { CHANGE_FEED_PROVIDERS } from './change-feed.providers.js';
import { FirehoseChangeFeedService } from './firehose-change-feed.service.js';

/**
 * Table change feeds, beside `FirehoseModule` (which it needs, global as by default): import
 * `FirehoseChangeFeedModule`, then `FirehoseChangeFeedService.enable('public', 'products')`. Its
 * SQL functions come from `CHANGE_FEED_MIGRATIONS`. Without this module no process relays changes.
 *
 * @publicApi
 */
@Module({ providers: CHANGE_FEED_PROVIDERS, exports: [FirehoseChangeFeedService] })
export class FirehoseChangeFeedModule {}
