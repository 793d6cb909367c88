import { MigrationInterface, QueryRunner } from 'typeorm';
import { createBiViews, dropBiViews } from './1764460800000-bi-views';

// Issue 17, annex 2 end to end: a batch applied with its rows in error left out says so (applied_partially,
// rows_left_out: how many rows of the file were not written), and the BI views in their version 3 show it in
// v_import_batch and add v_relance_amount (the recovery plan's amounts in force). Plain ADD COLUMNs, which
// neither database answers by rebuilding the table; down drops the views first (SQLite refuses to drop a
// column a view names).

export class RelancePartial1765411200000 implements MigrationInterface {
  name = 'RelancePartial1765411200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE import_batch ADD COLUMN applied_partially boolean NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE import_batch ADD COLUMN rows_left_out integer NOT NULL DEFAULT 0');
    await createBiViews(queryRunner, 3);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await dropBiViews(queryRunner);
    await queryRunner.query('ALTER TABLE import_batch DROP COLUMN rows_left_out');
    await queryRunner.query('ALTER TABLE import_batch DROP COLUMN applied_partially');
    await createBiViews(queryRunner, 2);
  }
}
