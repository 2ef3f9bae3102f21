import { ConfigurableModuleBuilder } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { FIREHOSE_DATA_SOURCE, FIREHOSE_MODULE_OPTIONS } from './firehose.constants.js';
import { FIREHOSE_PROVIDERS } from './firehose.providers.js';
import { FirehoseService } from './firehose.service.js';
import type { FirehoseModuleExtras, FirehoseModuleOptions } from './interfaces/firehose-module-options.interface.js';

/**
 * `forRoot` / `forRootAsync`. The extras (`isGlobal`, `dataSource`) shape the module graph, so they
 * are plain values even in `forRootAsync`; everything else may come from the async factory.
 */
export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<FirehoseModuleOptions>({
  optionsInjectionToken: FIREHOSE_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createFirehoseOptions')
  .setExtras<FirehoseModuleExtras>({ isGlobal: true, dataSource: undefined }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      { provide: FIREHOSE_DATA_SOURCE, useExisting: getDataSourceToken(extras.dataSource) },
      ...FIREHOSE_PROVIDERS,
    ],
    exports: [FirehoseService],
  }))
  .build();
