import { Injectable, Logger, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FirehoseChangeFeedService } from '../../lib/index.js';
import type { CreateProductDto, UpdateProductDto } from './product.dto.js';
import { Product } from './product.entity.js';

export const PRODUCTS_STREAM = 'table:public.sample_products';

/**
 * Plain TypeORM writes, nothing realtime in sight: the table's change feed turns each committed
 * write into an event on PRODUCTS_STREAM, in commit order, replayable like any other stream.
 */
@Injectable()
export class ProductsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Products');

  constructor(
    private readonly dataSource: DataSource,
    private readonly changeFeeds: FirehoseChangeFeedService,
  ) {}

  /** `replace`, so that every boot (and the worker, booting beside the app) succeeds. */
  async onApplicationBootstrap(): Promise<void> {
    const stream = await this.changeFeeds.enable('public', 'sample_products', { replace: true });
    this.logger.log(`Change feed on: ${stream}`);
  }

  list(): Promise<Product[]> {
    return this.dataSource.getRepository(Product).find({ order: { id: 'ASC' } });
  }

  create(body: CreateProductDto): Promise<Product> {
    const products = this.dataSource.getRepository(Product);
    return products.save(products.create({ name: body.name, price: String(body.price), stock: body.stock ?? 0 }));
  }

  async update(id: number, body: UpdateProductDto): Promise<Product> {
    const products = this.dataSource.getRepository(Product);
    const product = await products.findOneBy({ id });
    if (!product) throw new NotFoundException(`No product ${id}.`);
    if (body.name !== undefined) product.name = body.name;
    if (body.price !== undefined) product.price = String(body.price);
    if (body.stock !== undefined) product.stock = body.stock;
    return products.save(product);
  }

  async remove(id: number): Promise<void> {
    const { affected } = await this.dataSource.getRepository(Product).delete({ id });
    if (!affected) throw new NotFoundException(`No product ${id}.`);
  }
}
