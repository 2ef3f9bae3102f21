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
    // biome-ignore lint/complexity/noThisInStatic: the builder's forRoot must see this subclass, not its own class.
    return super.forRoot(options);
  }
}
