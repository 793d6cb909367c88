import { DataSource, In } from 'typeorm';
import { parseCellAddress } from '../../import/common/model';
import { refillSparesAfter } from '../../import/read/read-file';
import { AuditHook } from '../audit/audit.service';
import { ImportStatus, IssueSeverity } from '../kernel/import-batch.enum';
import { Role } from '../kernel/role.enum';
import { Organisation } from '../organisation/organisation.entity';
import { Identity } from '../request/identity';
import { ImportConflictError } from './import-apply.service';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportCellCorrection } from '../provenance/import-cell-correction.entity';
import { ImportIssue } from './import-issue.entity';
import { ImportRequestError, prepareImport, PreviewResult } from './import-preview.service';
import { correctionsOf, loadFile, storeIssues } from './store-preview';

export interface CellCorrectionRequest {
  sheet: string;
  cell: string;
  /** The cell's text as the person reads it (« 1 050 000 € »). */
  value: string;
}

/**
 * Who corrects: a token's identity (HTTP, or `crte import correct --token`), or the command line, which has
 * an administrator's rights (role 'cli', no token).
 */
export interface Corrector {
  tokenId: number | null;
  name: string;
  role: Identity['role'] | 'cli';
}

export interface CorrectedPreview extends PreviewResult {
  /** Every correction of the batch, the file's text beside each. */
  corrections: Array<Pick<ImportCellCorrection, 'sheet' | 'cell' | 'rawValue' | 'correctedValue' | 'correctedBy' | 'correctedAt'>>;
}

/**
 * Corrects the reading of one doubtful cell of a stored preview (an ERROR or a WARNING names it): the
 * correction is kept beside the file's text with who made it; the stored file is read again with every
 * correction of the batch and its check replaces the preview's (issues, counts, PREVIEWED or REJECTED).
 * Applying the batch reads the file with the same corrections (import-apply.service.ts).
 *
 * Only the sender of the file (its token) or an admin corrects, and only a batch not applied (a preview, or
 * a preview rejected for its errors); checked again under the batch's lock, so that an apply and a
 * correction at once take turns.
 */
export async function correctPreviewCell(
  dataSource: DataSource,
  identity: Corrector,
  batchId: number,
  request: CellCorrectionRequest,
  audit?: AuditHook<CorrectedPreview>,
): Promise<CorrectedPreview> {
  return refillSparesAfter(() => correct(dataSource, identity, batchId, request, audit));
}

/** A batch's corrections, in the order they were first made: `crte import corrections`, beside `importBatch { corrections }`. */
export async function batchCorrections(dataSource: DataSource, batchId: number): Promise<ImportCellCorrection[]> {
  const batch = await dataSource.getRepository(ImportBatch).findOne({ where: { id: batchId } });
  if (!batch) throw new ImportRequestError(`Le lot n° ${batchId} n'existe pas.`, 'id');
  return dataSource.getRepository(ImportCellCorrection).find({ where: { batchId }, order: { id: 'ASC' } });
}

/** The sheets where the check found `cell` doubtful (an ERROR or a WARNING there): a correction without a sheet names one of them. */
export async function doubtfulSheetsOf(dataSource: DataSource, batchId: number, cell: string): Promise<string[]> {
  const issues = await dataSource.getRepository(ImportIssue).find({ where: { batchId, cell: cell.trim().toUpperCase(), severity: In([IssueSeverity.ERROR, IssueSeverity.WARNING]) }, order: { id: 'ASC' } });
  return [...new Set(issues.flatMap((issue) => (issue.sheet ? [issue.sheet] : [])))];
}

async function correct(dataSource: DataSource, identity: Corrector, batchId: number, request: CellCorrectionRequest, audit?: AuditHook<CorrectedPreview>): Promise<CorrectedPreview> {
  const sheet = request.sheet?.trim() ?? '';
  const cell = request.cell?.trim().toUpperCase() ?? '';
  const value = request.value ?? '';
  if (!sheet || sheet.length > 100) throw new ImportRequestError('Le champ « sheet » doit nommer la feuille de la cellule (100 caractères au plus).', 'sheet');
  if (!parseCellAddress(cell)) throw new ImportRequestError(`« ${cell} » n’est pas une cellule (par exemple C10).`, 'cell');
  if (!value.trim() || value.length > 500) throw new ImportRequestError('La lecture corrigée (« value ») ne peut être vide et tient en 500 caractères.', 'value');

  const batch = await dataSource.getRepository(ImportBatch).findOne({ where: { id: batchId } });
  if (!batch) throw new ImportRequestError(`Le lot n° ${batchId} n'existe pas.`, 'id');
  checkCorrectable(identity, batch);
  // Only a cell the check found doubtful: the issue keeps the file's own text of it.
  // (Doubtful as doubtfulSheetsOf says: an ERROR or a WARNING there, whatever notes the cell also has.)
  const issue = await dataSource.getRepository(ImportIssue).findOne({ where: { batchId, sheet, cell, severity: In([IssueSeverity.ERROR, IssueSeverity.WARNING]) }, order: { id: 'ASC' } });
  if (!issue) {
    throw new ImportRequestError(`La cellule ${sheet}!${cell} n’a ni erreur ni avertissement dans l’aperçu n° ${batchId} : seule une cellule douteuse se corrige ici.`, 'cell');
  }
  const before = await correctionsOf(dataSource.manager, batchId);
  const others = before.filter((c) => !(c.sheet === sheet && c.cell === cell));
  const corrections = [...others, { sheet, cell, value }];

  // Read again as applying will read it: the sender's rights (its token), today's contract.
  const source = await dataSource.getRepository(Organisation).findOneByOrFail({ id: batch.sourceId });
  const [contract] = await dataSource.query('SELECT code FROM contract WHERE id = ?', [batch.contractId]);
  const prepared = await prepareImport(
    dataSource,
    { buffer: await loadFile(dataSource.manager, batchId), fileName: batch.fileName, kind: batch.kind, source: String(source.id), contract: contract.code, year: batch.year, programme: batch.programme, uploadedByTokenId: batch.uploadedByTokenId, corrections },
    { withResult: false },
  );

  return dataSource.transaction(async (manager) => {
    const sqlite = manager.connection.options.type === 'better-sqlite3';
    const locked = await manager.findOneOrFail(ImportBatch, { where: { id: batchId }, ...(sqlite ? {} : { lock: { mode: 'pessimistic_write' as const } }) });
    checkCorrectable(identity, locked, true);
    // The check above was run with the corrections as they were read before the lock: another one stored
    // meanwhile (of another cell: a preview that ignores it; of this cell: an insert that collides) is a 409.
    if (JSON.stringify(await correctionsOf(manager, batchId)) !== JSON.stringify(before)) {
      throw new ImportConflictError(`Une autre correction de l’aperçu n° ${batchId} a été enregistrée pendant celle-ci : rechargez l’aperçu, puis corrigez à nouveau ${sheet}!${cell}.`);
    }
    const existing = await manager.findOne(ImportCellCorrection, { where: { batchId, sheet, cell } });
    const now = new Date();
    // The file's text stays the first one read: a second correction of a cell corrects the reading, not the file.
    const rawValue = existing?.rawValue ?? issue.rawValue;
    if (existing) await manager.update(ImportCellCorrection, existing.id, { correctedValue: value, correctedBy: identity.name.slice(0, 255), correctedByTokenId: identity.tokenId, correctedAt: now });
    else await manager.insert(ImportCellCorrection, { batchId, sheet, cell, rawValue, correctedValue: value, correctedBy: identity.name.slice(0, 255), correctedByTokenId: identity.tokenId, correctedAt: now });
    await manager.delete(ImportIssue, { batchId });
    await storeIssues(manager, batchId, prepared.preview.issues);
    await manager.update(ImportBatch, batchId, {
      status: prepared.preview.status === 'PREVIEWED' ? ImportStatus.PREVIEWED : ImportStatus.REJECTED,
      layout: prepared.preview.layout ? prepared.preview.layout.slice(0, 20) : null,
      lineCount: prepared.preview.counts.lines,
      errorCount: prepared.preview.counts.errors,
      warningCount: prepared.preview.counts.warnings,
      total: prepared.preview.total,
    });
    const rows = await manager.find(ImportCellCorrection, { where: { batchId }, order: { id: 'ASC' } });
    const result: CorrectedPreview = {
      batchId,
      ...prepared.preview,
      corrections: rows.map(({ sheet, cell, rawValue, correctedValue, correctedBy, correctedAt }) => ({ sheet, cell, rawValue, correctedValue, correctedBy, correctedAt })),
    };
    await audit?.(manager, result);
    return result;
  });
}

function checkCorrectable(identity: Corrector, batch: ImportBatch, meanwhile = false): void {
  if (identity.role !== Role.ADMIN && identity.role !== 'cli' && batch.uploadedByTokenId !== identity.tokenId) {
    throw new ImportRequestError(`Seul l’expéditeur du fichier (« ${batch.uploadedBy ?? 'inconnu'} ») ou un administrateur peut corriger l’aperçu n° ${batch.id}.`, 'id', 403);
  }
  if (batch.status !== ImportStatus.PREVIEWED && batch.status !== ImportStatus.REJECTED) {
    throw new ImportConflictError(`Le lot n° ${batch.id} n’est plus un aperçu : une cellule ne se corrige qu’avant l’application${meanwhile ? ' (une autre demande l’a traité pendant celle-ci)' : ''}.`);
  }
}
