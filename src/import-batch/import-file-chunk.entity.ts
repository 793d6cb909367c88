import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, Relation } from 'typeorm';
import { ImportBatch } from '../provenance/import-batch.entity';

/**
 * The uploaded file itself, kept so that a stored preview can be applied later exactly as it was read.
 * Stored in pieces under 64 KB: a BLOB column is that size on MySQL, and the same migration must serve
 * SQLite.
 */
@Entity('import_file_chunk')
export class ImportFileChunk {
  @PrimaryColumn({ type: 'integer' })
  batchId: number;

  @ManyToOne(() => ImportBatch, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'batch_id' })
  batch: Relation<ImportBatch>;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'blob' })
  data: Buffer;
}

export const FILE_CHUNK_BYTES = 60_000;
