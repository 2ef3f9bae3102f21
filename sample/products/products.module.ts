import { Module } from '@nestjs/common';
import { FirehoseChangeFeedModule } from '../../lib/index.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';

/** A realtime table: its entity and migration are listed in InfrastructureModule's DataSource. */
@Module({
  // For FirehoseChangeFeedService; one instance, shared with the app's other imports of the module.
  imports: [FirehoseChangeFeedModule],
  controllers: [ProductsController],
  providers: [ProductsService],
})
export class ProductsModule {}
