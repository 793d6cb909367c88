import { MigrationInterface, QueryRunner, Table } from 'typeorm';

// Issue 17, annex 2 end to end: a doubtful cell corrected in the preview (src/import-batch/cell-correction.service.ts)
// keeps the file's text, the reading given, who and when. A new table no BI view reads: QueryRunner schema
// API, so that SQLite and MySQL/MariaDB run the same file.

const table = (): Table =>
  new Table({
    name: 'import_cell_correction',
    columns: [
      { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
      { name: 'batch_id', type: 'integer', isNullable: false },
      { name: 'sheet', type: 'varchar', length: '100', isNullable: false },
      { name: 'cell', type: 'varchar', length: '20', isNullable: false },
      { name: 'raw_value', type: 'text', isNullable: true },
      { name: 'corrected_value', type: 'varchar', length: '500', isNullable: false },
      { name: 'corrected_by', type: 'varchar', length: '255', isNullable: false },
      { name: 'corrected_by_token_id', type: 'integer', isNullable: true },
      { name: 'corrected_at', type: 'datetime', isNullable: false },
    ],
    indices: [{ name: 'uq_import_cell_correction_cell', columnNames: ['batch_id', 'sheet', 'cell'], isUnique: true }],
    foreignKeys: [{ columnNames: ['batch_id'], referencedTableName: 'import_batch', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }],
  });

export class CellCorrections1765497600000 implements MigrationInterface {
  name = 'CellCorrections1765497600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(table(), false, true, true);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('import_cell_correction', true, true, true);
  }
}
