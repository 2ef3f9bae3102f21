import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigurableModuleClass, type OPTIONS_TYPE } from './firehose.module-definition.js';

/**
 * Real-time streams over PostgreSQL. Import once with `FirehoseModule.forRoot(options)` or
 * `FirehoseModule.forRootAsync({ imports, inject, useFactory })`, after `TypeOrmModule.forRoot`.
 *
 * @publicApi
 */
@Module({ imports: [DiscoveryModule] })
export class FirehoseModule extends ConfigurableModuleClass {
  /** Every option has a default, so `forRoot()` alone is a complete registration. */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
