import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableForeignKeyOptions } from 'typeorm';

// Governance (issue 17, point 3, src/meeting/): a contract's COTECH and COPIL meetings, the members present,
// the fiches actions on their agenda, their decisions, and the review frozen on the meeting row. New tables
// only (no BI view reads them): QueryRunner schema API, so that SQLite and MySQL/MariaDB run the same file.
// review_json is TEXT on both (64 KB on MariaDB: a review is ~400 bytes per orientation; the service refuses
// a larger one rather than losing its end).

const id = (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const fk = (column: string, referencedTableName: string, onDelete: 'CASCADE' | 'SET NULL'): TableForeignKeyOptions => ({
  columnNames: [column],
  referencedTableName,
  referencedColumnNames: ['id'],
  onDelete,
  onUpdate: 'NO ACTION',
});

const tables = (): Table[] => [
  new Table({
    name: 'meeting',
    columns: [
      id(),
      int('contract_id'),
      text('body', 10),
      { name: 'held_on', type: 'date', isNullable: false },
      text('title', 500, true),
      text('place', 255, true),
      text('created_by_name', 255),
      int('created_by_organisation_id', true),
      { name: 'created_at', type: 'datetime', isNullable: false },
      { name: 'review_as_of', type: 'datetime', isNullable: false },
      int('review_year', true),
      { name: 'review_json', type: 'text', isNullable: false },
    ],
    indices: [{ name: 'idx_meeting_contract_held', columnNames: ['contract_id', 'held_on'] }],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE'), fk('created_by_organisation_id', 'organisation', 'SET NULL')],
  }),
  new Table({
    name: 'meeting_member',
    columns: [id(), int('meeting_id'), int('organisation_id', true), text('name', 255, true), int('position')],
    indices: [{ name: 'idx_meeting_member_meeting', columnNames: ['meeting_id'] }],
    foreignKeys: [fk('meeting_id', 'meeting', 'CASCADE'), fk('organisation_id', 'organisation', 'SET NULL')],
  }),
  new Table({
    name: 'meeting_agenda_item',
    columns: [id(), int('meeting_id'), int('action_id'), int('position')],
    indices: [{ name: 'uq_meeting_agenda_action', columnNames: ['meeting_id', 'action_id'], isUnique: true }],
    foreignKeys: [fk('meeting_id', 'meeting', 'CASCADE'), fk('action_id', 'action', 'CASCADE')],
  }),
  new Table({
    name: 'decision',
    columns: [
      id(),
      int('meeting_id'),
      int('action_id', true),
      text('kind', 30),
      { name: 'text', type: 'text', isNullable: false },
      { name: 'due_on', type: 'date', isNullable: true },
      { name: 'created_at', type: 'datetime', isNullable: false },
    ],
    indices: [
      { name: 'idx_decision_meeting', columnNames: ['meeting_id'] },
      { name: 'idx_decision_action', columnNames: ['action_id'] },
    ],
    foreignKeys: [fk('meeting_id', 'meeting', 'CASCADE'), fk('action_id', 'action', 'SET NULL')],
  }),
];

export class Meetings1765238400000 implements MigrationInterface {
  name = 'Meetings1765238400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables()) await queryRunner.createTable(table, false, true, true);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables().reverse()) await queryRunner.dropTable(table.name, true, true, true);
  }
}
