import { MigrationInterface, QueryRunner, Table } from 'typeorm';

// The audit trail (src/audit/): one row per write, in the write's own transaction. A new table only: no
// table the BI views read is altered. No foreign keys: the trail must outlive what it names. QueryRunner
// schema API only, so that SQLite and MySQL/MariaDB run the same file.

export class Audit1764633600000 implements MigrationInterface {
  name = 'Audit1764633600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_event',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'occurred_at', type: 'datetime', isNullable: false },
          { name: 'action', type: 'varchar', length: '40', isNullable: false },
          { name: 'target_kind', type: 'varchar', length: '40', isNullable: false },
          { name: 'target_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'token_id', type: 'integer', isNullable: true },
          { name: 'actor_name', type: 'varchar', length: '255', isNullable: false },
          { name: 'actor_role', type: 'varchar', length: '10', isNullable: false },
          { name: 'organisation_id', type: 'integer', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
        ],
        indices: [
          { name: 'idx_audit_event_occurred', columnNames: ['occurred_at'] },
          { name: 'idx_audit_event_target', columnNames: ['target_kind', 'target_id'] },
        ],
      }),
      false,
      true,
      true,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_event', true, true, true);
  }
}
