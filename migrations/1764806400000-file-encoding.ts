import { MigrationInterface, QueryRunner } from 'typeorm';

// How an import's file is stored in import_file_chunk (import/apply/store-preview.ts): NULL for its bytes as
// uploaded, 'gzip' when compressing them saved enough (a workbook written without compression is a tenth of
// its size gzipped, and its hexadecimal form was most of the time MariaDB spent storing a preview).
// A plain ADD COLUMN, which neither database answers by rebuilding the table: SQLite binds the BI views to
// import_batch, and TypeORM's addColumn would copy and rename it.

export class FileEncoding1764806400000 implements MigrationInterface {
  name = 'FileEncoding1764806400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE import_batch ADD COLUMN file_encoding varchar(10) NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE import_batch DROP COLUMN file_encoding');
  }
}
