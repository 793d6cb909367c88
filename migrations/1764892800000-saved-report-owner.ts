import { MigrationInterface, QueryRunner, TableColumn, TableForeignKey } from 'typeorm';

// Saved reports have owners (src/report/saved-report.service.ts): an editor replaces or deletes only the
// reports of its organisation, an admin any. NULL means no organisation: reports created by an admin
// (they serve the whole contract) are the administrators' alone.
//
// Reports that exist already get the organisation of the editor's token that created them: that editor
// keeps the report it made, and nobody else gets it. A report created by an admin's token, by an
// editor's token without an organisation, or whose token was deleted (created_by_token_id NULL) has no
// owner and is the administrators' to change. Before this migration any editor could replace any report,
// so the content may have been replaced by another editor since: the name stays its creator's.
//
// QueryRunner schema API, so that SQLite and MySQL/MariaDB run the same file. saved_report is read by no
// BI view: SQLite's rebuild of the table by addColumn and createForeignKey breaks nothing.

const FK = 'fk_saved_report_owner_organisation';

export class SavedReportOwner1764892800000 implements MigrationInterface {
  name = 'SavedReportOwner1764892800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('saved_report', new TableColumn({ name: 'owner_organisation_id', type: 'integer', isNullable: true }));
    await queryRunner.createForeignKey(
      'saved_report',
      // An organisation deleted: its reports stay served, as the administrators' (never a BI tool's 404).
      new TableForeignKey({ name: FK, columnNames: ['owner_organisation_id'], referencedTableName: 'organisation', referencedColumnNames: ['id'], onDelete: 'SET NULL', onUpdate: 'NO ACTION' }),
    );
    await queryRunner.query(
      `UPDATE saved_report SET owner_organisation_id =
         (SELECT t.organisation_id FROM api_token t WHERE t.id = saved_report.created_by_token_id AND t.role = 'editor')
       WHERE created_by_token_id IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey('saved_report', FK);
    await queryRunner.dropColumn('saved_report', 'owner_organisation_id');
  }
}
