import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigurableModuleClass } from './firehose.module-definition.js';

/**
 * Real-time streams over PostgreSQL. Import once with `FirehoseModule.forRoot(options)` or
 * `FirehoseModule.forRootAsync({ imports, inject, useFactory })`, after `TypeOrmModule.forRoot`.
 *
 * @publicApi
 */
@Module({ imports: [DiscoveryModule] })
export class FirehoseModule extends ConfigurableModuleClass {}
