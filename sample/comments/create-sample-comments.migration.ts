import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sample's own table, beside FIREHOSE_MIGRATIONS in one migrations list. Idempotent because the
 * app and the worker both run migrations at boot and may race on a fresh database.
 */
export class CreateSampleComments1732400000000 implements MigrationInterface {
  name = 'CreateSampleComments1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS sample_comments (
        id serial PRIMARY KEY,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS sample_comments');
  }
}
