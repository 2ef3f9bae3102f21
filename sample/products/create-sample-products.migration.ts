import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The sample's realtime table. Idempotent: the app and the worker both migrate at boot. */
export class CreateSampleProducts1732340000100 implements MigrationInterface {
  name = 'CreateSampleProducts1732340000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS sample_products (
        id serial PRIMARY KEY,
        name text NOT NULL,
        price numeric(10,2) NOT NULL,
        stock integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS sample_products');
  }
}
