import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { EntityManager } from 'typeorm';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportKind, ImportStatus, IssueSeverity } from '../kernel/import-batch.enum';
import { FILE_CHUNK_BYTES, ImportFileChunk } from './import-file-chunk.entity';
import { ImportIssue } from './import-issue.entity';
import { ImportPreview } from '../../import/preview/import-preview';
import { bulkInsert } from './apply/bulk-insert';
import { ImportCellCorrection } from '../provenance/import-cell-correction.entity';
import { CellCorrection } from '../../import/common/model';

export interface BatchMeta {
  contractId: number;
  kind: ImportKind;
  sourceId: number;
  year: number | null;
  /** The programme given with the upload (grants lists of one programme). */
  programme: string | null;
  fileName: string;
  sha256: string;
  sizeBytes: number;
  uploadedBy: string | null;
  uploadedByTokenId: number | null;
}


/** An uploaded file as import_file_chunk keeps it. */
export interface StoredFile {
  bytes: Buffer;
  /** Null: the bytes as uploaded; 'gzip': compressed (import_batch.file_encoding). */
  encoding: 'gzip' | null;
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * The file as it will be stored: gzipped when that saves a fifth or more. Workbooks written without
 * compression (SheetJS's default, some exports) shrink tenfold, and their hexadecimal form in MariaDB's
 * INSERTs cost more than the rest of a preview's storing; a deflated xlsx is kept as it is. Runs in libuv's
 * thread pool, so that it is done while the workers parse the file.
 */
export async function prepareStoredFile(file: Buffer): Promise<StoredFile> {
  const compressed = await gzipAsync(file, { level: 1 });
  return compressed.length <= file.length * 0.8 ? { bytes: compressed, encoding: 'gzip' } : { bytes: file, encoding: null };
}

/** Stores a preview (or a rejection) and all its issues, in the caller's transaction. */
export async function storePreview(manager: EntityManager, meta: BatchMeta, preview: ImportPreview, file: StoredFile): Promise<ImportBatch> {
  const batch = await manager.getRepository(ImportBatch).save({
    ...meta,
    fileEncoding: file.encoding,
    fileName: meta.fileName.slice(0, 255),
    layout: preview.layout ? preview.layout.slice(0, 20) : null,
    status: preview.status === 'PREVIEWED' ? ImportStatus.PREVIEWED : ImportStatus.REJECTED,
    uploadedAt: new Date(),
    appliedAt: null,
    rolledBackAt: null,
    lineCount: preview.counts.lines,
    errorCount: preview.counts.errors,
    warningCount: preview.counts.warnings,
    total: preview.total,
  });
  await storeIssues(manager, batch.id, preview.issues);
  await storeFile(manager, batch.id, file.bytes);
  return batch;
}

/** Stores a batch's issues (a file may carry tens of thousands of warnings). */
export async function storeIssues(manager: EntityManager, batchId: number, issues: ImportPreview['issues']): Promise<void> {
  await bulkInsert(
    manager,
    ImportIssue,
    issues.map((issue) => ({
      batchId,
      severity: IssueSeverity[issue.severity],
      code: issue.code,
      message: issue.message,
      sheet: issue.sheet?.slice(0, 100) ?? null,
      cell: issue.cell?.slice(0, 20) ?? null,
      rawValue: issue.value,
    })),
  );
}

/**
 * Bytes of file per INSERT: several chunks a statement (one each was 340 statements for a 20 MB file). The
 * MariaDB driver sends them as hex, twice the size: 8 MB, well under the default max_allowed_packet of 16 MB.
 */
const FILE_BYTES_PER_STATEMENT = 4 * 1024 * 1024;

/** Keeps the (stored form of the) uploaded bytes, so that a stored preview is applied from exactly what was read. */
export async function storeFile(manager: EntityManager, batchId: number, file: Buffer): Promise<void> {
  const rows: Array<Partial<ImportFileChunk>> = [];
  for (let offset = 0, seq = 0; offset < file.length; offset += FILE_CHUNK_BYTES, seq++) {
    rows.push({ batchId, seq, data: file.subarray(offset, offset + FILE_CHUNK_BYTES) });
  }
  await bulkInsert(manager, ImportFileChunk, rows, { maxRowsPerStatement: Math.max(1, Math.floor(FILE_BYTES_PER_STATEMENT / FILE_CHUNK_BYTES)) });
}

/** The uploaded file of a batch, byte for byte. */
export async function loadFile(manager: EntityManager, batchId: number): Promise<Buffer> {
  const batch = await manager.findOne(ImportBatch, { where: { id: batchId }, select: { id: true, fileEncoding: true, sizeBytes: true } });
  const chunks = await manager.find(ImportFileChunk, { where: { batchId }, order: { seq: 'ASC' } });
  const stored = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.data)));
  if (batch?.fileEncoding === 'gzip') return gunzipAsync(stored, { maxOutputLength: Math.max(1, batch.sizeBytes) });
  return stored;
}

/** The corrections made in a batch's preview, as the pipeline reads them (pipeline.ts, applyCorrections). */
export async function correctionsOf(manager: EntityManager, batchId: number): Promise<CellCorrection[]> {
  const rows = await manager.find(ImportCellCorrection, { where: { batchId }, order: { id: 'ASC' } });
  return rows.map((row) => ({ sheet: row.sheet, cell: row.cell, value: row.correctedValue }));
}
