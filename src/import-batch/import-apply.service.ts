import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { refreshPlannerStatistics } from '../sql/planner-statistics';
import { requestCheckpoint } from '../sql/sqlite-checkpointer';
import { applyToDatabase, ApplyOutcome, rollbackInDatabase, RollbackOutcome } from './apply/apply-batch';
import { loadContractReference } from './load-reference';
import { loadFile, storeIssues, storePreview } from './store-preview';
import { refillSparesAfter } from '../../import/read/read-file';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportKind, ImportStatus } from '../kernel/import-batch.enum';
import { ImportIssue } from './import-issue.entity';
import { ImportRequestError, prepareImport, PreparedImport, PreviewRequest, PreviewResult } from './import-preview.service';
import { Organisation } from '../organisation/organisation.entity';
import { AuditHook } from '../audit/audit.service';
import { writeToContract } from '../contract/contract-write';
import { correctionsOf } from './store-preview';

/**
 * A request that came too late: the batch is no longer in the state the request needs (applied, abandoned
 * or rolled back by another request meanwhile). HTTP answers it with a 409, GraphQL with CONFLICT.
 */
export class ImportConflictError extends ImportRequestError {
  constructor(message: string) {
    super(message, 'id');
  }
}

export interface ApplyResult extends Omit<PreviewResult, 'status'> {
  status: 'PREVIEWED' | 'REJECTED' | 'APPLIED' | 'UNCHANGED';
  applied?: Omit<ApplyOutcome, 'undo'>;
}

/**
 * Reads, checks and applies a file in one go (`crte import` without --dry-run, POST /api/imports):
 * a file with any ERROR changes nothing (unless `allowPartial`); the same file as the source's current
 * one is UNCHANGED; otherwise the batch and its lines are written in one transaction.
 */
export async function importFile(dataSource: DataSource, request: PreviewRequest & { allowPartial?: boolean }, audit?: AuditHook<ApplyResult>): Promise<ApplyResult> {
  // The workers this read used are replaced once the lines are written, not while.
  return refillSparesAfter(() => readAndApply(dataSource, request, audit));
}

async function readAndApply(dataSource: DataSource, request: PreviewRequest & { allowPartial?: boolean }, audit?: AuditHook<ApplyResult>): Promise<ApplyResult> {
  const early = await prepareImport(dataSource, request);
  request.onProgress?.('enregistrement', 0.8);
  const outcome = await writeToContract(dataSource, { id: early.contract.id }, { changed: changedFigures, audit }, async (manager) => {
    const prepared = await refresh(dataSource, manager, early, request);
    const batch = await storePreview(manager, prepared.meta, prepared.preview, prepared.storedFile);
    return applyPrepared(manager, batch, prepared, request.allowPartial ?? false);
  });
  request.onProgress?.('enregistrement', 1);
  // What the import wrote goes into the database file now, on the checkpointer's thread.
  requestCheckpoint(dataSource);
  if (outcome.status === 'APPLIED') await refreshPlannerStatistics(dataSource);
  return outcome;
}

export interface ApplyStoredOptions {
  allowPartial?: boolean;
  appliedBy?: string | null;
  /** How far the re-read and the write are (the command line's progress line). */
  onProgress?: PreviewRequest['onProgress'];
}

/** Applies a stored preview (`crte apply BATCH`), re-reading the stored file against today's contract. */
export async function applyStoredBatch(
  dataSource: DataSource,
  batchId: number,
  options: ApplyStoredOptions = {},
  audit?: AuditHook<ApplyResult>,
): Promise<ApplyResult> {
  return refillSparesAfter(() => applyStored(dataSource, batchId, options, audit));
}

async function applyStored(
  dataSource: DataSource,
  batchId: number,
  options: ApplyStoredOptions,
  audit?: AuditHook<ApplyResult>,
): Promise<ApplyResult> {
  const batch = await dataSource.getRepository(ImportBatch).findOne({ where: { id: batchId } });
  if (!batch) throw new ImportRequestError(`Le lot n° ${batchId} n'existe pas.`);
  // Early, so that a request on a batch already applied does not read its file again; the check that
  // counts is the one made again under the lock below.
  checkApplicable(batch, options.allowPartial ?? false, false);
  const buffer = await loadFile(dataSource.manager, batchId);
  const source = await dataSource.getRepository(Organisation).findOneByOrFail({ id: batch.sourceId });
  const contract = await dataSource.query('SELECT code FROM contract WHERE id = ?', [batch.contractId]);
  // Checked again with the rights of whoever sent the file (its token), not those of an in-process caller.
  // Read with the corrections made in its preview, if any: what the person read in a doubtful cell is applied.
  const corrections = await correctionsOf(dataSource.manager, batchId);
  const request: PreviewRequest = { buffer, fileName: batch.fileName, kind: batch.kind, source: String(source.id), contract: contract[0].code, year: batch.year, programme: batch.programme, uploadedByTokenId: batch.uploadedByTokenId, corrections, onProgress: options.onProgress };
  const early = await prepareImport(dataSource, request);
  options.onProgress?.('enregistrement', 0.8);
  const outcome = await writeToContract(dataSource, { id: batch.contractId }, { changed: changedFigures, audit }, async (manager) => {
    // Another request (a second click, an abandon, another server, `crte apply`) may have changed the
    // batch while its file was read: what it is now decides, read under the lock.
    checkApplicable(await lockBatch(manager, batchId), options.allowPartial ?? false, true);
    // The file was read with the corrections as they were before the lock: one stored meanwhile would not be applied.
    if (JSON.stringify(await correctionsOf(manager, batchId)) !== JSON.stringify(corrections)) {
      throw new ImportConflictError(`Une correction de l’aperçu n° ${batchId} a été enregistrée pendant son application : rechargez l’aperçu, puis appliquez-le à nouveau.`);
    }
    const prepared = await refresh(dataSource, manager, early, request);
    // The check is run again: what it says now replaces what the preview said.
    await manager.delete(ImportIssue, { batchId });
    await manager.update(ImportBatch, batchId, {
      errorCount: prepared.preview.counts.errors,
      warningCount: prepared.preview.counts.warnings,
      lineCount: prepared.preview.counts.lines,
      total: prepared.preview.total,
    });
    await storeIssues(manager, batchId, prepared.preview.issues);
    return applyPrepared(manager, { ...batch, uploadedBy: options.appliedBy ?? batch.uploadedBy }, prepared, options.allowPartial ?? false);
  });
  options.onProgress?.('enregistrement', 1);
  if (outcome.status === 'APPLIED') await refreshPlannerStatistics(dataSource);
  return outcome;
}

/** Only a preview may be applied (or a rejected batch, with allowPartial); otherwise a 409 naming what it is. */
function checkApplicable(batch: ImportBatch, allowPartial: boolean, meanwhile: boolean): void {
  if (batch.status === ImportStatus.PREVIEWED || (batch.status === ImportStatus.REJECTED && allowPartial)) return;
  throw new ImportConflictError(
    `Le lot n° ${batch.id} est ${statusLabel(batch.status)} : seul un aperçu peut être appliqué${batch.status === ImportStatus.REJECTED ? ' (ou un lot rejeté, avec --allow-partial)' : ''}${
      meanwhile ? ' (une autre demande l’a traité pendant celle-ci, qui n’a rien changé)' : ''
    }.`,
  );
}

/**
 * The batch as it is now, locked until the transaction ends. On InnoDB a locking read (FOR UPDATE) reads
 * the last committed row, not the transaction's snapshot, and holds an abandon's UPDATE until the end; on
 * SQLite the transaction already holds the database's write lock (writeToContract's lock on the contract),
 * so a plain read is current.
 */
async function lockBatch(manager: EntityManager, batchId: number): Promise<ImportBatch> {
  const sqlite = manager.connection.options.type === 'better-sqlite3';
  return manager.findOneOrFail(ImportBatch, { where: { id: batchId }, ...(sqlite ? {} : { lock: { mode: 'pessimistic_write' as const } }) });
}

/** The file resolved again when the contract changed since it was (another apply came first). */
async function refresh(dataSource: DataSource, manager: EntityManager, prepared: PreparedImport, request: PreviewRequest): Promise<PreparedImport> {
  const reference = await loadContractReference(manager, prepared.contract);
  if (JSON.stringify(reference) === JSON.stringify(prepared.reference)) return prepared;
  return prepareImport(dataSource, request);
}

/** Only an applied batch changed the contract's figures (a rejected or unchanged one wrote only its own status). */
function changedFigures(result: ApplyResult): boolean {
  return result.status === 'APPLIED';
}

async function applyPrepared(manager: EntityManager, batch: ImportBatch, prepared: PreparedImport, allowPartial: boolean): Promise<ApplyResult> {
  const base = { batchId: batch.id, ...prepared.preview };
  if (!prepared.result || (prepared.preview.status === 'REJECTED' && !allowPartial)) {
    await manager.update(ImportBatch, batch.id, { status: ImportStatus.REJECTED });
    return { ...base, status: 'REJECTED' };
  }
  // The same file as the one this source's current data came from: nothing to do, and say so. Only when
  // that file went in whole, sent with the same token: what an import writes depends on who sends it (an
  // editor's lines on others' actions are refused, its changes to their fields left out; an admin's are
  // not), so a file applied with rows left out, or re-sent by someone else, is applied again.
  const latest = await manager.findOne(ImportBatch, {
    where: { contractId: batch.contractId, kind: batch.kind, sourceId: batch.sourceId, status: ImportStatus.APPLIED },
    order: { appliedAt: 'DESC', id: 'DESC' },
  });
  // The same bytes read as another programme (a list of one programme given at upload) are another file.
  // Nor when a cell was read otherwise (corrections in either preview): the same bytes give other lines.
  if (
    latest &&
    latest.sha256 === batch.sha256 &&
    latest.errorCount === 0 &&
    (latest.uploadedByTokenId ?? null) === (batch.uploadedByTokenId ?? null) &&
    (latest.programme ?? null) === (batch.programme ?? null) &&
    JSON.stringify(await correctionsOf(manager, latest.id)) === JSON.stringify(await correctionsOf(manager, batch.id))
  ) {
    await manager.update(ImportBatch, batch.id, { status: ImportStatus.UNCHANGED });
    return { ...base, status: 'UNCHANGED' };
  }
  const now = new Date();
  const outcome = await applyToDatabase(manager, {
    batchId: batch.id,
    contractId: batch.contractId,
    sourceId: batch.sourceId,
    kind: batch.kind,
    result: prepared.result,
    reference: prepared.reference,
    allowPartial,
    now,
  });
  await manager.update(ImportBatch, batch.id, {
    status: ImportStatus.APPLIED,
    appliedAt: now,
    undo: JSON.stringify(outcome.undo),
    // Recorded on the batch: its rows in error were left out (allowPartial), not applied.
    appliedPartially: outcome.rowsLeftOut > 0,
    rowsLeftOut: outcome.rowsLeftOut,
  });
  // An earlier batch none of whose lines still count has been replaced as a whole (of the same source and
  // kind, or a manual correction of one of its lines, whose line this file replaced).
  await manager.query(
    `UPDATE import_batch SET status = ? WHERE status = ? AND contract_id = ? AND id <> ?
       AND ((kind = ? AND source_id = ?) OR id IN (SELECT f2.batch_id FROM funding f2 WHERE f2.superseded_by_batch_id = ?))
       AND NOT EXISTS (SELECT 1 FROM funding f WHERE f.batch_id = import_batch.id AND f.superseded_at IS NULL)`,
    [ImportStatus.SUPERSEDED, ImportStatus.APPLIED, batch.contractId, batch.id, batch.kind, batch.sourceId, batch.id],
  );
  // The contract's figures changed: writeToContract bumps its version (changedFigures).
  const { undo: _undo, ...applied } = outcome;
  return { ...base, status: 'APPLIED', applied };
}

/** Rolls back an applied batch (`crte rollback BATCH`): the data is as it was before it. */
export async function rollbackBatch(
  dataSource: DataSource,
  batchId: number,
  audit?: AuditHook<RollbackOutcome & { batchId: number; status: 'ROLLED_BACK' }>,
): Promise<RollbackOutcome & { batchId: number; status: 'ROLLED_BACK' }> {
  const found = await dataSource.getRepository(ImportBatch).findOne({ where: { id: batchId } });
  if (!found) throw new ImportRequestError(`Le lot n° ${batchId} n'existe pas.`);
  // Under the contract's lock, as applies: two rollbacks at once, or a rollback and the apply of a later
  // batch of the same source, take turns, and each reads the batch as the other left it.
  return writeToContract(dataSource, { id: found.contractId }, { audit }, async (manager) => {
    const batch = await lockBatch(manager, batchId);
    if (batch.status !== ImportStatus.APPLIED && batch.status !== ImportStatus.SUPERSEDED) {
      throw new ImportConflictError(`Le lot n° ${batchId} est ${statusLabel(batch.status)} : seul un lot appliqué peut être annulé.`);
    }
    // A later file of the same source and kind rests on this one (a manual entry stands alone: MANUAL
    // batches are not chained so); and so does any later batch that replaced one of its lines (a manual
    // correction of one of its amounts), which would otherwise count beside the line restored.
    const later =
      (batch.kind === ImportKind.MANUAL
        ? null
        : await manager.findOne(ImportBatch, {
            where: { contractId: batch.contractId, kind: batch.kind, sourceId: batch.sourceId, status: ImportStatus.APPLIED, id: MoreThan(batchId) },
            order: { id: 'ASC' },
          })) ?? (await laterReplacement(manager, batchId));
    if (later) throw new ImportConflictError(`Le lot n° ${later.id}, appliqué après celui-ci ${later.kind === batch.kind && later.sourceId === batch.sourceId && later.kind !== ImportKind.MANUAL ? 'pour la même source' : 'et qui en a remplacé des lignes'}, doit être annulé d'abord.`);
    const now = new Date();
    const outcome = await rollbackInDatabase(manager, batchId, batch.undo, now);
    await manager.update(ImportBatch, batchId, { status: ImportStatus.ROLLED_BACK, rolledBackAt: now });
    // The batches it had replaced as a whole count again (of its source and kind, or, for a manual entry,
    // whichever batch the line it corrected or ended came from).
    await manager.query(
      `UPDATE import_batch SET status = ? WHERE status = ? AND contract_id = ?
         AND ((kind = ? AND source_id = ?) OR id IN (SELECT f2.batch_id FROM funding f2 WHERE f2.superseded_by_batch_id = ?))
         AND EXISTS (SELECT 1 FROM funding f WHERE f.batch_id = import_batch.id AND f.superseded_at IS NULL)`,
      [ImportStatus.APPLIED, ImportStatus.SUPERSEDED, batch.contractId, batch.kind, batch.sourceId, batchId],
    );
    return { batchId, status: 'ROLLED_BACK' as const, ...outcome };
  });
}

/** The earliest batch still in force (applied, or superseded in its turn) that replaced one of this batch's lines. */
async function laterReplacement(manager: EntityManager, batchId: number): Promise<ImportBatch | null> {
  const [row] = await manager.query(
    `SELECT MIN(f.superseded_by_batch_id) AS id FROM funding f JOIN import_batch b ON b.id = f.superseded_by_batch_id
      WHERE f.batch_id = ? AND b.id > ? AND b.status IN (?, ?)`,
    [batchId, batchId, ImportStatus.APPLIED, ImportStatus.SUPERSEDED],
  );
  return row?.id === null || row?.id === undefined ? null : manager.findOne(ImportBatch, { where: { id: Number(row.id) } });
}

function statusLabel(status: ImportStatus): string {
  return (
    {
      PREVIEWED: 'un aperçu',
      APPLIED: 'déjà appliqué',
      REJECTED: 'rejeté',
      SUPERSEDED: 'remplacé',
      ROLLED_BACK: 'annulé',
      UNCHANGED: 'identique au fichier en vigueur',
      ABANDONED: 'abandonné',
    } as Record<ImportStatus, string>
  )[status];
}
