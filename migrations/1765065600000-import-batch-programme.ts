import { MigrationInterface, QueryRunner } from 'typeorm';

// The programme given with an upload (« Fonds vert »), for a national grants list of one programme that has no
// dispositif column: kept on the batch so that applying a stored preview reads the file again the same way.
// A plain ADD COLUMN, as file-encoding's: SQLite binds the BI views to import_batch, and TypeORM's addColumn
// would copy and rename it.

export class ImportBatchProgramme1765065600000 implements MigrationInterface {
  name = 'ImportBatchProgramme1765065600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE import_batch ADD COLUMN programme varchar(100) NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE import_batch DROP COLUMN programme');
  }
}
