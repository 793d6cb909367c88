import { EntityManager } from 'typeorm';
import { ImportBatch } from '../../src/import-batch/import-batch.entity';
import { ImportKind, ImportStatus, IssueSeverity } from '../../src/import-batch/import-batch.enums';
import { FILE_CHUNK_BYTES, ImportFileChunk } from '../../src/import-batch/import-file-chunk.entity';
import { ImportIssue } from '../../src/import-batch/import-issue.entity';
import { PreviewReport } from '../report/preview-report';
import { bulkInsert } from './bulk-insert';

export interface BatchMeta {
  contractId: number;
  kind: ImportKind;
  sourceId: number;
  year: number | null;
  fileName: string;
  sha256: string;
  sizeBytes: number;
  uploadedBy: string | null;
  uploadedByTokenId: number | null;
}


/** Stores a preview (or a rejection) and all its issues, in the caller's transaction. */
export async function storePreview(manager: EntityManager, meta: BatchMeta, report: PreviewReport, file: Buffer): Promise<ImportBatch> {
  const batch = await manager.getRepository(ImportBatch).save({
    ...meta,
    fileName: meta.fileName.slice(0, 255),
    layout: report.layout ? report.layout.slice(0, 20) : null,
    status: report.status === 'PREVIEWED' ? ImportStatus.PREVIEWED : ImportStatus.REJECTED,
    uploadedAt: new Date(),
    appliedAt: null,
    rolledBackAt: null,
    lineCount: report.counts.lines,
    errorCount: report.counts.errors,
    warningCount: report.counts.warnings,
    total: report.total,
  });
  await storeIssues(manager, batch.id, report.issues);
  await storeFile(manager, batch.id, file);
  return batch;
}

/** Stores a batch's issues (a file may carry tens of thousands of warnings). */
export async function storeIssues(manager: EntityManager, batchId: number, issues: PreviewReport['issues']): Promise<void> {
  await bulkInsert(
    manager,
    ImportIssue,
    issues.map((issue) => ({
      batchId,
      severity: issue.severity === 'ERROR' ? IssueSeverity.ERROR : IssueSeverity.WARNING,
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

/** Keeps the uploaded bytes, so that a stored preview is applied from exactly what was read. */
export async function storeFile(manager: EntityManager, batchId: number, file: Buffer): Promise<void> {
  const rows: Array<Partial<ImportFileChunk>> = [];
  for (let offset = 0, seq = 0; offset < file.length; offset += FILE_CHUNK_BYTES, seq++) {
    rows.push({ batchId, seq, data: file.subarray(offset, offset + FILE_CHUNK_BYTES) });
  }
  await bulkInsert(manager, ImportFileChunk, rows, { maxRowsPerStatement: Math.max(1, Math.floor(FILE_BYTES_PER_STATEMENT / FILE_CHUNK_BYTES)) });
}

export async function loadFile(manager: EntityManager, batchId: number): Promise<Buffer> {
  const chunks = await manager.find(ImportFileChunk, { where: { batchId }, order: { seq: 'ASC' } });
  return Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.data)));
}
