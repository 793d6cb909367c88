import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableForeignKeyOptions } from 'typeorm';

// Written with the QueryRunner schema API only, so that the same file runs on SQLite and MySQL/MariaDB.
// Each table mirrors its entity; test/db/migrations.test.ts proves that they agree.

const id = (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const longText = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'text', isNullable });
const money = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'decimal', precision: 15, scale: 2, isNullable });
const quantity = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'decimal', precision: 18, scale: 4, isNullable });
const timestamp = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', isNullable });
const date = (name: string): TableColumnOptions => ({ name, type: 'date', isNullable: true });
const flag = (name: string): TableColumnOptions => ({ name, type: 'boolean', isNullable: false, default: 0 });
const counter = (name: string): TableColumnOptions => ({ name, type: 'integer', isNullable: false, default: 0 });
const fk = (column: string, referencedTableName: string, onDelete: 'CASCADE' | 'RESTRICT' | 'SET NULL'): TableForeignKeyOptions => ({
  columnNames: [column],
  referencedTableName,
  referencedColumnNames: ['id'],
  onDelete,
  onUpdate: 'NO ACTION',
});

// Built afresh on each call: createTable fills in generated names on the objects it receives.
const tables = (): Table[] => [
  new Table({
    name: 'contract',
    columns: [id(), text('code', 40), text('name', 255), date('signed_on'), int('start_year'), int('end_year'), timestamp('created_at'), timestamp('updated_at')],
    uniques: [{ name: 'uq_contract_code', columnNames: ['code'] }],
  }),
  new Table({
    name: 'organisation',
    columns: [
      id(),
      text('name', 255),
      text('short_name', 80, true),
      text('kind', 20),
      text('siren', 9, true),
      text('insee_code', 5, true),
      int('parent_id', true),
      timestamp('created_at'),
      timestamp('updated_at'),
    ],
    uniques: [
      { name: 'uq_organisation_siren', columnNames: ['siren'] },
      { name: 'uq_organisation_insee_code', columnNames: ['insee_code'] },
    ],
    indices: [{ name: 'idx_organisation_name', columnNames: ['name'] }],
    foreignKeys: [fk('parent_id', 'organisation', 'SET NULL')],
  }),
  new Table({
    name: 'contract_party',
    columns: [id(), int('contract_id'), int('organisation_id'), text('role', 20)],
    uniques: [{ name: 'uq_contract_party', columnNames: ['contract_id', 'organisation_id', 'role'] }],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE'), fk('organisation_id', 'organisation', 'CASCADE')],
  }),
  new Table({
    name: 'organisation_alias',
    columns: [id(), int('organisation_id'), int('contract_id', true), text('alias', 255), text('normalised', 255)],
    uniques: [{ name: 'uq_organisation_alias', columnNames: ['contract_id', 'normalised'] }],
    indices: [{ name: 'idx_organisation_alias_normalised', columnNames: ['normalised'] }],
    foreignKeys: [fk('organisation_id', 'organisation', 'CASCADE'), fk('contract_id', 'contract', 'CASCADE')],
  }),
  new Table({
    name: 'programme',
    columns: [id(), text('code', 40), text('name', 255), longText('description', true), int('operator_id', true)],
    uniques: [{ name: 'uq_programme_code', columnNames: ['code'] }],
    foreignKeys: [fk('operator_id', 'organisation', 'SET NULL')],
  }),
  new Table({
    name: 'axis',
    columns: [id(), int('contract_id'), int('number'), text('title', 500)],
    uniques: [{ name: 'uq_axis_contract_number', columnNames: ['contract_id', 'number'] }],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE')],
  }),
  new Table({
    name: 'orientation',
    columns: [id(), int('contract_id'), int('axis_id'), text('code', 10), text('title', 500)],
    uniques: [{ name: 'uq_orientation_contract_code', columnNames: ['contract_id', 'code'] }],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE'), fk('axis_id', 'axis', 'CASCADE')],
  }),
  new Table({
    name: 'action',
    columns: [
      id(),
      int('contract_id'),
      int('orientation_id', true),
      text('code', 40),
      text('title', 500),
      text('normalised_title', 500),
      longText('description', true),
      int('lead_id', true),
      text('status', 20),
      money('total_cost', true),
      text('cost_base', 3, true),
      date('start_date'),
      date('end_date'),
      timestamp('created_at'),
      timestamp('updated_at'),
    ],
    uniques: [{ name: 'uq_action_contract_code', columnNames: ['contract_id', 'code'] }],
    indices: [
      { name: 'idx_action_contract_orientation', columnNames: ['contract_id', 'orientation_id'] },
      { name: 'idx_action_normalised_title', columnNames: ['normalised_title'] },
    ],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE'), fk('orientation_id', 'orientation', 'SET NULL'), fk('lead_id', 'organisation', 'SET NULL')],
  }),
  new Table({
    name: 'action_commune',
    columns: [
      { name: 'action_id', type: 'integer', isPrimary: true },
      { name: 'organisation_id', type: 'integer', isPrimary: true },
    ],
    foreignKeys: [fk('action_id', 'action', 'CASCADE'), fk('organisation_id', 'organisation', 'CASCADE')],
  }),
  new Table({
    name: 'api_token',
    columns: [
      id(),
      text('name', 100),
      text('role', 10),
      int('organisation_id', true),
      text('token_hash', 64),
      text('token_prefix', 16),
      timestamp('created_at'),
      timestamp('last_used_at', true),
      timestamp('revoked_at', true),
    ],
    uniques: [{ name: 'uq_api_token_hash', columnNames: ['token_hash'] }],
    foreignKeys: [fk('organisation_id', 'organisation', 'CASCADE')],
  }),
  new Table({
    name: 'import_batch',
    columns: [
      id(),
      int('contract_id'),
      text('kind', 12),
      int('source_id'),
      int('year', true),
      text('file_name', 255),
      text('sha256', 64),
      int('size_bytes'),
      text('layout', 20, true),
      text('status', 12),
      int('uploaded_by_token_id', true),
      text('uploaded_by', 255, true),
      timestamp('uploaded_at'),
      timestamp('applied_at', true),
      timestamp('rolled_back_at', true),
      counter('line_count'),
      counter('error_count'),
      counter('warning_count'),
      money('total', true),
    ],
    indices: [
      { name: 'idx_import_batch_contract_kind_source', columnNames: ['contract_id', 'kind', 'source_id'] },
      { name: 'idx_import_batch_sha256', columnNames: ['sha256'] },
    ],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE'), fk('source_id', 'organisation', 'RESTRICT'), fk('uploaded_by_token_id', 'api_token', 'SET NULL')],
  }),
  new Table({
    name: 'import_issue',
    columns: [id(), int('batch_id'), text('severity', 8), text('code', 40), longText('message'), text('sheet', 100, true), text('cell', 20, true), longText('raw_value', true)],
    foreignKeys: [fk('batch_id', 'import_batch', 'CASCADE')],
  }),
  new Table({
    name: 'funding',
    columns: [
      id(),
      int('contract_id'),
      int('action_id', true),
      int('funder_id'),
      int('programme_id', true),
      int('beneficiary_id', true),
      int('year'),
      money('amount'),
      text('stage', 12),
      text('instrument', 12),
      text('cost_base', 3, true),
      flag('approximate'),
      int('batch_id', true),
      text('source_sheet', 100, true),
      text('source_cell', 20, true),
      text('raw_value', 500, true),
      int('superseded_by_batch_id', true),
      timestamp('superseded_at', true),
      timestamp('created_at'),
    ],
    indices: [
      { name: 'idx_funding_contract_year', columnNames: ['contract_id', 'year'] },
      { name: 'idx_funding_action', columnNames: ['action_id'] },
      { name: 'idx_funding_funder', columnNames: ['funder_id'] },
      { name: 'idx_funding_batch', columnNames: ['batch_id'] },
    ],
    foreignKeys: [
      fk('contract_id', 'contract', 'CASCADE'),
      fk('action_id', 'action', 'CASCADE'),
      fk('funder_id', 'organisation', 'RESTRICT'),
      fk('programme_id', 'programme', 'RESTRICT'),
      fk('beneficiary_id', 'organisation', 'RESTRICT'),
      fk('batch_id', 'import_batch', 'RESTRICT'),
      fk('superseded_by_batch_id', 'import_batch', 'SET NULL'),
    ],
  }),
  new Table({
    name: 'indicator',
    columns: [
      id(),
      int('contract_id'),
      int('action_id', true),
      int('orientation_id', true),
      text('code', 40),
      text('name', 255),
      text('unit', 40),
      quantity('baseline', true),
      quantity('target', true),
      int('target_year', true),
      timestamp('created_at'),
      timestamp('updated_at'),
    ],
    uniques: [{ name: 'uq_indicator_contract_code', columnNames: ['contract_id', 'code'] }],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE'), fk('action_id', 'action', 'CASCADE'), fk('orientation_id', 'orientation', 'CASCADE')],
  }),
  new Table({
    name: 'indicator_value',
    columns: [
      id(),
      int('indicator_id'),
      int('year'),
      quantity('value'),
      text('stage', 10),
      int('batch_id', true),
      text('source_sheet', 100, true),
      text('source_cell', 20, true),
      text('raw_value', 500, true),
      timestamp('created_at'),
      timestamp('updated_at'),
    ],
    uniques: [{ name: 'uq_indicator_value', columnNames: ['indicator_id', 'year', 'stage'] }],
    foreignKeys: [fk('indicator_id', 'indicator', 'CASCADE'), fk('batch_id', 'import_batch', 'SET NULL')],
  }),
  new Table({
    name: 'relance_measure',
    columns: [
      id(),
      int('contract_id'),
      int('batch_id', true),
      text('volet_number', 8),
      text('volet_title', 255),
      text('name', 500),
      longText('beneficiaries', true),
      longText('raw_texts', true),
      int('position'),
      text('source_sheet', 100, true),
      text('source_cell', 20, true),
      timestamp('superseded_at', true),
      timestamp('created_at'),
    ],
    foreignKeys: [fk('contract_id', 'contract', 'CASCADE'), fk('batch_id', 'import_batch', 'CASCADE')],
  }),
  new Table({
    name: 'relance_amount',
    columns: [
      id(),
      int('measure_id'),
      text('kind', 12),
      text('instrument', 12),
      money('amount'),
      int('year', true),
      flag('approximate'),
      longText('raw_value', true),
      text('source_sheet', 100, true),
      text('source_cell', 20, true),
    ],
    foreignKeys: [fk('measure_id', 'relance_measure', 'CASCADE')],
  }),
  new Table({
    name: 'saved_report',
    columns: [id(), text('name', 100), longText('query'), longText('variables', true), int('created_by_token_id', true), timestamp('created_at'), timestamp('updated_at')],
    uniques: [{ name: 'uq_saved_report_name', columnNames: ['name'] }],
    foreignKeys: [fk('created_by_token_id', 'api_token', 'SET NULL')],
  }),
];

export class InitialSchema1764115200000 implements MigrationInterface {
  name = 'InitialSchema1764115200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables()) await queryRunner.createTable(table, false, true, true);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of tables().reverse()) await queryRunner.dropTable(table.name, true, true, true);
  }
}
