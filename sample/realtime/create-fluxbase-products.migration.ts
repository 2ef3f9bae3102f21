import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The table Fluxbase's React example watches (`table:public.products`), with its feed turned on
 * the Fluxbase way, `enable_realtime()`. Rows with `hidden` are never sent (the sample's
 * authorizer, `buildEvent`). Idempotent: the app and the worker both migrate at boot.
 */
export class CreateFluxbaseProducts1732400000200 implements MigrationInterface {
  name = 'CreateFluxbaseProducts1732400000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS products (
        id serial PRIMARY KEY,
        name text NOT NULL,
        price numeric(10,2),
        hidden boolean NOT NULL DEFAULT false
      )`);
    await queryRunner.query(`SELECT enable_realtime('public', 'products')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SELECT disable_realtime('public', 'products')`);
    await queryRunner.query('DROP TABLE IF EXISTS products');
  }
}
