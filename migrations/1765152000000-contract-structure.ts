import { MigrationInterface, QueryRunner } from 'typeorm';

// A contract's structure at any depth and with any numbering (issue 16): an axis gets a code as its contract
// writes it (« 1 », « A », « OS-2 »), filled from its number for the axes that exist; an orientation gets an
// optional parent orientation (« 3.1.2 » under « 3.1 »).
// Plain ADD COLUMN and CREATE INDEX, which neither database answers by rebuilding the table: SQLite binds the
// BI views to axis and orientation, and TypeORM's addColumn would copy and rename them. For the same reason
// parent_id has no FOREIGN KEY: SQLite cannot drop a column a foreign key uses without that rebuild. The
// service checks the parent (same contract, same axis), and orientations are only deleted with their contract.

export class ContractStructure1765152000000 implements MigrationInterface {
  name = 'ContractStructure1765152000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE axis ADD COLUMN code varchar(40) NULL');
    await queryRunner.query('UPDATE axis SET code = CAST(number AS CHAR(11))');
    await queryRunner.query('CREATE UNIQUE INDEX uq_axis_contract_code ON axis (contract_id, code)');
    await queryRunner.query('ALTER TABLE orientation ADD COLUMN parent_id integer NULL');
    await queryRunner.query('CREATE INDEX idx_orientation_parent ON orientation (parent_id)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const on = (table: string) => (queryRunner.connection.options.type === 'better-sqlite3' ? '' : ` ON ${table}`);
    await queryRunner.query(`DROP INDEX idx_orientation_parent${on('orientation')}`);
    await queryRunner.query('ALTER TABLE orientation DROP COLUMN parent_id');
    await queryRunner.query(`DROP INDEX uq_axis_contract_code${on('axis')}`);
    await queryRunner.query('ALTER TABLE axis DROP COLUMN code');
  }
}
