import { gunzipSync } from 'node:zlib';
import { MigrationInterface, QueryRunner } from 'typeorm';

// How an import's file is stored in import_file_chunk (src/import-batch/store-preview.ts): NULL for its bytes as
// uploaded, 'gzip' when compressing them saved enough (a workbook written without compression is a tenth of
// its size gzipped, and its hexadecimal form was most of the time MariaDB spent storing a preview).
// A plain ADD COLUMN, which neither database answers by rebuilding the table: SQLite binds the BI views to
// import_batch, and TypeORM's addColumn would copy and rename it.

export class FileEncoding1764806400000 implements MigrationInterface {
  name = 'FileEncoding1764806400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE import_batch ADD COLUMN file_encoding varchar(10) NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // The release before this one reads import_file_chunk as the file's own bytes: a gzipped file goes back
    // to its bytes as uploaded (in chunks of 60 000 bytes, as then), or every stored preview would read as
    // garbage after the downgrade. One file at a time: memory holds one upload, not all of them.
    const gzipped: Array<{ id: number }> = await queryRunner.query(`SELECT id FROM import_batch WHERE file_encoding = 'gzip' ORDER BY id`);
    for (const { id } of gzipped) {
      const chunks: Array<{ data: Uint8Array }> = await queryRunner.query('SELECT data FROM import_file_chunk WHERE batch_id = ? ORDER BY seq', [id]);
      const bytes = gunzipSync(Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.data))));
      await queryRunner.query('DELETE FROM import_file_chunk WHERE batch_id = ?', [id]);
      for (let offset = 0, seq = 0; offset < bytes.length; offset += 60_000, seq++) {
        await queryRunner.query('INSERT INTO import_file_chunk (batch_id, seq, data) VALUES (?, ?, ?)', [id, seq, bytes.subarray(offset, offset + 60_000)]);
      }
    }
    await queryRunner.query('ALTER TABLE import_batch DROP COLUMN file_encoding');
  }
}
