import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

// Applying imports: the uploaded file kept for a later apply, each funding line's declaring source and
// file kind (re-imports replace by source and kind), the batch that created an action or organisation
// (rollback removes them again), and what a batch changed (to restore it). QueryRunner schema API only.

const batchForeignKey = (column: string) =>
  new TableForeignKey({ columnNames: [column], referencedTableName: 'import_batch', referencedColumnNames: ['id'], onDelete: 'SET NULL', onUpdate: 'NO ACTION' });

export class ImportApply1764201600000 implements MigrationInterface {
  name = 'ImportApply1764201600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'import_file_chunk',
        columns: [
          { name: 'batch_id', type: 'integer', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'data', type: 'blob', isNullable: false },
        ],
        foreignKeys: [{ columnNames: ['batch_id'], referencedTableName: 'import_batch', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }],
      }),
      false,
      true,
      true,
    );
    await queryRunner.addColumns('funding', [
      new TableColumn({ name: 'source_id', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'import_kind', type: 'varchar', length: '12', isNullable: true }),
    ]);
    await queryRunner.createForeignKey(
      'funding',
      new TableForeignKey({ columnNames: ['source_id'], referencedTableName: 'organisation', referencedColumnNames: ['id'], onDelete: 'RESTRICT', onUpdate: 'NO ACTION' }),
    );
    await queryRunner.createIndex('funding', new TableIndex({ name: 'idx_funding_source_kind', columnNames: ['source_id', 'import_kind'] }));
    for (const table of ['action', 'organisation']) {
      await queryRunner.addColumn(table, new TableColumn({ name: 'created_by_batch_id', type: 'integer', isNullable: true }));
      await queryRunner.createForeignKey(table, batchForeignKey('created_by_batch_id'));
    }
    await queryRunner.addColumn('import_batch', new TableColumn({ name: 'undo', type: 'text', isNullable: true }));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('import_batch', 'undo');
    for (const table of ['organisation', 'action']) {
      const loaded = await queryRunner.getTable(table);
      const foreignKey = loaded!.foreignKeys.find((fk) => fk.columnNames.includes('created_by_batch_id'));
      if (foreignKey) await queryRunner.dropForeignKey(table, foreignKey);
      await queryRunner.dropColumn(table, 'created_by_batch_id');
    }
    // The foreign key first: MySQL keeps the index for it otherwise.
    const funding = await queryRunner.getTable('funding');
    const sourceForeignKey = funding!.foreignKeys.find((fk) => fk.columnNames.includes('source_id'));
    if (sourceForeignKey) await queryRunner.dropForeignKey('funding', sourceForeignKey);
    await queryRunner.dropIndex('funding', 'idx_funding_source_kind');
    await queryRunner.dropColumns('funding', ['import_kind', 'source_id']);
    await queryRunner.dropTable('import_file_chunk', true, true, true);
  }
}
