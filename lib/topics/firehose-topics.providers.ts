import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import { PgListener } from '../listener/pg-listener.js';
import { NotifySignature } from '../listener/notify-signature.js';
import { FirehoseTopicsService } from './firehose-topics.service.js';
import type { ResolvedTopicsOptions } from './firehose-topics-options.js';
import { TopicHub } from './topic-hub.js';
import { TopicPublisher, topicSql } from './topic-publisher.js';
import { topicChannels } from './topic-shards.js';
import { FIREHOSE_TOPICS_AUTHORIZER, FIREHOSE_TOPICS_OPTIONS } from './topics.constants.js';

/** Providers of FirehoseTopicsModule; its shard channels ride on the core's LISTEN connection. */
export function topicsProviders(options: ResolvedTopicsOptions): Provider[] {
  const channelsOf = (firehose: ResolvedFirehoseOptions) => topicChannels(firehose.notifyChannel, options.shards);
  return [
    { provide: FIREHOSE_TOPICS_OPTIONS, useValue: options },
    ...(options.authorizer ? [{ provide: FIREHOSE_TOPICS_AUTHORIZER, useClass: options.authorizer }] : []),
    {
      provide: TopicHub,
      useFactory: async (listener: PgListener, firehose: ResolvedFirehoseOptions) => {
        const hub = new TopicHub(channelsOf(firehose), options.ringCapacity, options.maxPendingBytes);
        for (const handler of hub.handlers) await listener.register(handler);
        return hub;
      },
      inject: [PgListener, FIREHOSE_RESOLVED_OPTIONS],
    },
    {
      provide: TopicPublisher,
      useFactory: (dataSource: DataSource, firehose: ResolvedFirehoseOptions, signature: NotifySignature) =>
        new TopicPublisher(topicSql(dataSource), channelsOf(firehose), options.maxDataBytes, firehose.notifyMaxBytes, signature),
      inject: [FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS, NotifySignature],
    },
    FirehoseTopicsService,
  ];
}
