import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

// The visibility rule (src/funding/funding-visibility.ts) looks, for each line, for the funder's own
// declaration of the same (action, funder, year, stage): without an index on those columns that lookup
// tripled the time of every total on MariaDB (bench:reports). The index starts with action_id, so it also
// serves the action's foreign key and the per-action loaders: the single-column index goes.
// CREATE/DROP INDEX rebuild no table, so the BI views (which SQLite binds to the table) are untouched.

export class FundingFactIndex1764547200000 implements MigrationInterface {
  name = 'FundingFactIndex1764547200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('funding', new TableIndex({ name: 'idx_funding_fact', columnNames: ['action_id', 'funder_id', 'year', 'stage'] }));
    await queryRunner.dropIndex('funding', 'idx_funding_action');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('funding', new TableIndex({ name: 'idx_funding_action', columnNames: ['action_id'] }));
    await queryRunner.dropIndex('funding', 'idx_funding_fact');
  }
}
