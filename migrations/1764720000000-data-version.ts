import { MigrationInterface, QueryRunner, Table } from 'typeorm';

// The data version of each contract (src/cache/data-version.ts): bumped in the transaction of every write
// that changes the contract's fundings, actions, indicators or values, read once per request to key the
// aggregate cache. A table of its own rather than a column of `contract`: no table the BI views read is
// altered (SQLite binds views to their tables), and a write locks only its contract's version row.
// The global version is the sum of these rows: it moves with every bump and needs no row of its own,
// so writes on two contracts never wait for one another on a shared counter.

export class DataVersion1764720000000 implements MigrationInterface {
  name = 'DataVersion1764720000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'contract_data_version',
        columns: [
          { name: 'contract_id', type: 'integer', isPrimary: true, isNullable: false },
          { name: 'version', type: 'integer', isNullable: false, default: 0 },
        ],
        foreignKeys: [{ columnNames: ['contract_id'], referencedTableName: 'contract', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }],
      }),
      false,
      true,
      true,
    );
    // Existing contracts get their row now: a bump is then an UPDATE of a present row (no insert, no gap lock on InnoDB).
    await queryRunner.query('INSERT INTO contract_data_version (contract_id, version) SELECT id, 0 FROM contract');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('contract_data_version', true, true, true);
  }
}
