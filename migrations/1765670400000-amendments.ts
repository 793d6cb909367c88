import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableForeignKeyOptions } from 'typeorm';

// Amendments (avenants) with history (issue 16, point 3, src/amendment/): the amendment itself, and what it
// changed, dated by its signature so that the structure is still answered as it stood before:
// - axis and orientation: the date from which they are in force (valid_from, null: since the contract) and
//   the date they were closed (closed_on), with the amendments that did it. Plain ADD COLUMN, as in
//   1765152000000-contract-structure.ts: SQLite binds the BI views to these tables, and TypeORM's addColumn
//   would rebuild them; no FOREIGN KEY on the added columns for the same reason (amendments are only
//   deleted with their contract, which deletes the axes and orientations too).
// - amendment_change, one history table: each rename with the title it replaced, each move of an action
//   from one orientation to another, each commune entering or leaving the perimeter (its entity says which
//   columns each kind uses). One table rather than one per kind: test/db/migrations.test.ts reads every
//   table's schema once per older release, and each table added costs it on MariaDB. Only the amendment has
//   a foreign key (see the entity).
// New tables through the QueryRunner schema API, so that SQLite and MySQL/MariaDB run the same file.

const id = (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const date = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'date', isNullable });
const fk = (column: string, referencedTableName: string, onDelete: 'CASCADE'): TableForeignKeyOptions => ({
  columnNames: [column],
  referencedTableName,
  referencedColumnNames: ['id'],
  onDelete,
  onUpdate: 'NO ACTION',
});

const tables = (): Table[] => [
  new Table({
    name: 'amendment',
    columns: [
      id(),
      int('contract_id'),
      text('number', 40),
      date('signed_on'),
      text('title', 500),
      { name: 'changes_json', type: 'text', isNullable: false },
      text('recorded_by', 255),
      { name: 'recorded_at', type: 'datetime', isNullable: false },
    ],
    uniques: [{ name: 'uq_amendment_contract_number', columnNames: ['contract_id', 'number'] }],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE')],
  }),
  new Table({
    name: 'amendment_change',
    columns: [
      id(),
      int('amendment_id'),
      int('contract_id'),
      text('kind', 20),
      date('effective_on'),
      int('axis_id', true),
      int('orientation_id', true),
      int('action_id', true),
      int('from_orientation_id', true),
      int('organisation_id', true),
      text('previous_title', 500, true),
      text('title', 500, true),
    ],
    indices: [
      { name: 'idx_amendment_change_action', columnNames: ['action_id', 'effective_on'] },
      { name: 'idx_amendment_change_axis', columnNames: ['axis_id', 'effective_on'] },
      { name: 'idx_amendment_change_orientation', columnNames: ['orientation_id', 'effective_on'] },
      { name: 'idx_amendment_change_commune', columnNames: ['contract_id', 'organisation_id'] },
    ],
    foreignKeys: [fk('amendment_id', 'amendment', 'CASCADE')],
  }),
];

const DATED = ['axis', 'orientation'] as const;
const ADDED = ['valid_from date NULL', 'closed_on date NULL', 'added_by_amendment_id integer NULL', 'closed_by_amendment_id integer NULL'];

export class Amendments1765670400000 implements MigrationInterface {
  name = 'Amendments1765670400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === 'better-sqlite3';
    for (const table of DATED) {
      // SQLite adds one column per statement; MariaDB does them in one ALTER.
      if (sqlite) for (const column of ADDED) await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN ${column}`);
      else await queryRunner.query(`ALTER TABLE ${table} ${ADDED.map((column) => `ADD COLUMN ${column}`).join(', ')}`);
    }
    for (const table of tables()) await queryRunner.createTable(table, false, true, true);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // A plain DROP TABLE drops the table's indexes and foreign keys with it; TypeORM's dropTable reads each
    // table's definition from information_schema first, then drops them one by one (slow on MariaDB, and
    // test/db/migrations.test.ts reverts this migration once per older release).
    for (const table of tables().reverse()) await queryRunner.query(`DROP TABLE ${table.name}`);
    const sqlite = queryRunner.connection.options.type === 'better-sqlite3';
    const names = ADDED.map((column) => column.split(' ')[0]).reverse();
    for (const table of DATED) {
      if (sqlite) for (const name of names) await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN ${name}`);
      else await queryRunner.query(`ALTER TABLE ${table} ${names.map((name) => `DROP COLUMN ${name}`).join(', ')}`);
    }
  }
}
