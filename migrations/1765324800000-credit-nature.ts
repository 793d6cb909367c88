import { MigrationInterface, QueryRunner } from 'typeorm';
import { createBiViews, dropBiViews } from './1764460800000-bi-views';

// The nature of the credits of a funding line (issue 17: France Relance, contractualised, valorised), NULL when
// its source does not say. A plain ADD COLUMN, which neither database answers by rebuilding the table, then the
// BI views again in their version 2, whose v_funding (and v_funding_history) end with credit_nature. Down drops
// the views first: SQLite refuses to drop a column a view names.

export class CreditNature1765324800000 implements MigrationInterface {
  name = 'CreditNature1765324800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE funding ADD COLUMN credit_nature varchar(16) NULL');
    await createBiViews(queryRunner, 2);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await dropBiViews(queryRunner);
    await queryRunner.query('ALTER TABLE funding DROP COLUMN credit_nature');
    await createBiViews(queryRunner, 1);
  }
}
