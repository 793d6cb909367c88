import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

// Issue 16, point 5 (bench:contracts): every total counts a contract's current lines (superseded_at IS NULL),
// while every re-import keeps the lines it replaces. With 850 contracts the planner scanned the table (or a
// contract's whole history) instead: the dashboard of one contract went 6.6× slower at 50 contracts.
// - (contract, superseded_at, stage, year) reads only a contract's current lines of a stage;
// - the visibility rule's lookup of the funder's own declaration, (action, funder, year, stage), ends with
//   superseded_at too, so that a line re-imported twelve times costs one index entry, not twelve rows.
// CREATE/DROP INDEX rebuild no table, so the BI views (which SQLite binds to the table) are untouched.

export class FundingCurrentIndex1765584000000 implements MigrationInterface {
  name = 'FundingCurrentIndex1765584000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('funding', new TableIndex({ name: 'idx_funding_contract_current', columnNames: ['contract_id', 'superseded_at', 'stage', 'year'] }));
    await queryRunner.createIndex('funding', new TableIndex({ name: 'idx_funding_fact_current', columnNames: ['action_id', 'funder_id', 'year', 'stage', 'superseded_at'] }));
    await queryRunner.dropIndex('funding', 'idx_funding_fact');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('funding', new TableIndex({ name: 'idx_funding_fact', columnNames: ['action_id', 'funder_id', 'year', 'stage'] }));
    await queryRunner.dropIndex('funding', 'idx_funding_fact_current');
    await queryRunner.dropIndex('funding', 'idx_funding_contract_current');
  }
}
