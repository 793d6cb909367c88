import { EntityManager, In } from 'typeorm';
import { Action } from '../../action/action.entity';
import { ActionCommune } from '../../action/action-commune.entity';
import { ActionStatus } from '../../kernel/action-status.enum';
import { decimalOf, formatCents } from '../../kernel/money';
import { normaliseText } from '../../kernel/normalise-text';
import { Funding } from '../../funding/funding.entity';
import { ImportKind, ImportStatus } from '../../kernel/import-batch.enum';
import { OrganisationAlias } from '../../organisation/organisation-alias.entity';
import { OrganisationKind } from '../../kernel/organisation-kind.enum';
import { Organisation } from '../../organisation/organisation.entity';
import { IssueDraft } from '../../../import/common/model';
import { applyIndicators, IndicatorUndo, rollbackIndicators } from './apply-indicators';
import { applyMeasures, rollbackMeasures } from './apply-measures';
import { applyStructure, rollbackStructure, StructureUndo } from './apply-structure';
import { bulkInsert } from './bulk-insert';
import { yieldIfDue } from '../../../import/common/time-slice';
import { PipelineResult } from '../../../import/pipeline';
import { ContractReference } from '../../../import/resolve/contract-reference';
import { OrganisationTarget, ResolvedAction, ResolvedLine } from '../../../import/resolve/resolve';

export interface ApplyInput {
  batchId: number;
  contractId: number;
  sourceId: number;
  kind: ImportKind;
  result: PipelineResult;
  reference: ContractReference;
  /** Apply the valid lines and leave the rows that hold an ERROR (the issues say which). */
  allowPartial: boolean;
  now: Date;
}

export interface ApplyOutcome {
  inserted: number;
  skipped: number;
  superseded: number;
  createdActions: number;
  updatedActions: number;
  createdOrganisations: number;
  /** Rows of the file in error that were left out (allowPartial): 0 when the file went in whole. */
  rowsLeftOut: number;
  /** Annex 2 measures and indicators written, for those kinds. */
  measures?: number;
  indicators?: number;
  indicatorValues?: number;
  /** Kind `plan`: the axes and orientations created, and those whose title the file changed. */
  createdAxes?: number;
  createdOrientations?: number;
  renamedLevels?: number;
  /** The previous values of what was updated, for a rollback. */
  undo: UndoRecord;
}

export interface UndoRecord {
  /** leadId is there when the batch gave a lead to an action that had none (it is null again after a rollback). */
  actions: Array<{
    id: number;
    title: string;
    normalisedTitle: string;
    totalCost: string | null;
    status: ActionStatus;
    orientationId: number | null;
    leadId?: number | null;
    /** Absent from the records of batches applied before imports read dates. */
    startDate?: string | null;
    endDate?: string | null;
  }>;
  /** Annex 2: the measures this batch superseded. */
  measures?: number[];
  indicators?: IndicatorUndo;
  /** Kind `plan`: the axes and orientations it created, the titles it replaced. */
  structure?: StructureUndo;
}


/**
 * Writes a checked file into the contract, in the caller's transaction: organisations and actions it
 * names for the first time, updates from the action's own lead, then its lines, which replace the lines
 * that the same source's earlier files of the same kind gave for the (funder, year) pairs it covers.
 * The replaced lines stay, marked superseded by this batch.
 */
export async function applyToDatabase(manager: EntityManager, input: ApplyInput): Promise<ApplyOutcome> {
  const { result, now } = input;
  const rejectedRows = input.allowPartial ? rowsWithErrors(result.issues) : new Set<string>();
  const rowKey = (sheet: string, row: number) => `${sheet}\u0000${row}`;
  const keptAction = (action: ResolvedAction) => action.code !== '' && !rejectedRows.has(rowKey(action.parsed.sheet, action.parsed.row));
  await yieldIfDue();
  const keptLines =
    rejectedRows.size === 0
      ? result.resolved.lines.filter((line) => line.actionIndex === null || result.resolved.actions[line.actionIndex].code !== '')
      : result.resolved.lines.filter((line) => {
          const row = Number(/\d+$/.exec(line.parsed.source.cell)![0]) - 1;
          if (rejectedRows.has(rowKey(line.parsed.source.sheet, row))) return false;
          return line.actionIndex === null || keptAction(result.resolved.actions[line.actionIndex]);
        });

  // Organisations named for the first time, with the spelling the file used as the contract's alias.
  const organisationIds = new Map<string, number>();
  let createdOrganisations = 0;
  for (const organisation of result.resolved.newOrganisations) {
    const saved = await manager.save(Organisation, {
      name: organisation.name.slice(0, 255),
      shortName: null,
      kind: organisation.kind ?? OrganisationKind.OTHER,
      // A grants list's beneficiary met for the first time keeps its SIREN (resolve looked for it first).
      siren: organisation.siren ?? null,
      inseeCode: null,
      parentId: null,
      createdByBatchId: input.batchId,
      createdAt: now,
      updatedAt: now,
    });
    // A beneficiary created from its SIREN is keyed by it: its alias is its name's spelling.
    const normalised = organisation.siren ? normaliseText(organisation.name).slice(0, 255) : organisation.key;
    await manager.insert(OrganisationAlias, { organisationId: saved.id, contractId: input.contractId, alias: organisation.name.slice(0, 255), normalised });
    organisationIds.set(organisation.key, saved.id);
    createdOrganisations++;
  }
  const idOf = (target: OrganisationTarget | null): number | null => (target === null ? null : 'id' in target ? target.id : (organisationIds.get(target.newKey) ?? null));

  // A plan's axes and orientations first: its actions are placed in them (the resolve stage gave new
  // orientations negative ids, replaced here by the rows' ids).
  const undo: UndoRecord = { actions: [] };
  const structure = result.structure ? await applyStructure(manager, input.contractId, result.structure) : null;
  if (structure) undo.structure = structure.undo;
  const orientationOf = (id: number | null): number | null => (id !== null && id < 0 ? (structure?.orientationIds.get(id) ?? null) : id);

  // Actions: created when new; updated only from their own lead's file (the lead per the database).
  const actionIds = new Map<number, number>();
  let createdActions = 0;
  let updatedActions = 0;
  const existing = new Map(
    (await manager.find(Action, { where: { id: In(result.resolved.actions.map((a) => a.existingId).filter((id): id is number => id !== null)) } })).map((a) => [a.id, a]),
  );
  const created: Array<{ index: number; row: Partial<Action> }> = [];
  await yieldIfDue();
  for (const [index, action] of result.resolved.actions.entries()) {
    if (index % 200 === 199) await yieldIfDue();
    if (!keptAction(action)) continue;
    const parsed = action.parsed;
    if (action.existingId === null) {
      created.push({
        index,
        row: {
          contractId: input.contractId,
          orientationId: orientationOf(action.orientationId),
          code: action.code.slice(0, 40),
          title: (parsed.title ?? action.code).slice(0, 500),
          normalisedTitle: normaliseText(parsed.title ?? action.code).slice(0, 500),
          description: parsed.description ?? null,
          leadId: idOf(action.lead),
          status: parsed.status ?? ActionStatus.PLANNED,
          totalCost: parsed.totalCostCents === null ? null : formatCents(parsed.totalCostCents),
          costBase: parsed.costBase,
          startDate: parsed.startDate,
          endDate: parsed.endDate,
          createdByBatchId: input.batchId,
          createdAt: now,
          updatedAt: now,
        },
      });
      continue;
    }
    actionIds.set(index, action.existingId);
    const current = existing.get(action.existingId);
    // Only the action's lead, as the contract says inside this transaction, changes its fields; or an
    // admin's file classifying an action that has no lead yet.
    if (!current || !action.fromLead) continue;
    const classifying = action.classifies && current.leadId === null;
    if (current.leadId !== input.sourceId && !classifying) continue;
    const changes: Partial<Action> = {};
    const newLeadId = classifying ? idOf(action.lead) : null;
    if (newLeadId !== null) changes.leadId = newLeadId;
    if (parsed.title && normaliseText(parsed.title) !== current.normalisedTitle) {
      changes.title = parsed.title.slice(0, 500);
      changes.normalisedTitle = normaliseText(parsed.title).slice(0, 500);
    }
    if (parsed.totalCostCents !== null && formatCents(parsed.totalCostCents) !== current.totalCost) changes.totalCost = formatCents(parsed.totalCostCents);
    if (parsed.status && parsed.status !== current.status) changes.status = parsed.status;
    if (parsed.startDate && parsed.startDate !== current.startDate) changes.startDate = parsed.startDate;
    if (parsed.endDate && parsed.endDate !== current.endDate) changes.endDate = parsed.endDate;
    const orientationId = orientationOf(action.orientationId);
    // Only an action « à classer » is placed by a file: a classified one moves by an amendment (resolve said so at the cell).
    if (orientationId !== null && current.orientationId === null) changes.orientationId = orientationId;
    if (Object.keys(changes).length === 0) continue;
    undo.actions.push({
      id: current.id,
      title: current.title,
      normalisedTitle: current.normalisedTitle,
      totalCost: current.totalCost,
      status: current.status,
      orientationId: current.orientationId,
      startDate: current.startDate,
      endDate: current.endDate,
      ...(newLeadId !== null ? { leadId: current.leadId } : {}),
    });
    await manager.update(Action, current.id, { ...changes, updatedAt: now });
    updatedActions++;
  }

  // New actions in bulk, then their ids by code (unique in the contract).
  await bulkInsert(manager, Action, created.map((entry) => entry.row));
  if (created.length) {
    const ids = new Map<string, number>(
      (await manager.query('SELECT id, code FROM action WHERE contract_id = ? AND created_by_batch_id = ?', [input.contractId, input.batchId])).map((row: { id: number | string; code: string }) => [row.code, Number(row.id)]),
    );
    for (const entry of created) actionIds.set(entry.index, ids.get(entry.row.code!)!);
    createdActions = created.length;
    // A grants list's project keeps the commune where it stands (the beneficiary may be a syndicate or an EPCI).
    const places = created
      .map((entry) => ({ actionId: actionIds.get(entry.index)!, organisationId: result.resolved.actions[entry.index].placeId ?? null }))
      .filter((place): place is { actionId: number; organisationId: number } => place.organisationId !== null);
    if (places.length) await bulkInsert(manager, ActionCommune, places);
  }

  // Built in slices: tens of thousands of lines would hold the event loop (the transaction stays open).
  const rows: Array<Partial<Funding>> = new Array(keptLines.length);
  for (let i = 0; i < keptLines.length; i++) {
    if (i % 500 === 0) await yieldIfDue();
    rows[i] = fundingRow(keptLines[i], input, idOf, actionIds);
  }
  const superseded = await supersede(manager, input, rows);
  await bulkInsert(manager, Funding, rows);
  const outcome: ApplyOutcome = {
    inserted: rows.length,
    skipped: result.resolved.lines.length - keptLines.length,
    superseded,
    createdActions,
    updatedActions,
    createdOrganisations,
    ...(structure ? { createdAxes: structure.createdAxes, createdOrientations: structure.createdOrientations, renamedLevels: structure.renamed } : {}),
    rowsLeftOut: rejectedRows.size,
    undo,
  };
  if (result.parsed.measures) {
    const leftOut = (source: { sheet: string; cell: string }) => rejectedRows.has(rowKey(source.sheet, Number(/\d+$/.exec(source.cell)![0]) - 1));
    const measures = await applyMeasures(manager, { batchId: input.batchId, contractId: input.contractId, sourceId: input.sourceId, measures: result.parsed.measures, leftOut, now });
    undo.measures = measures.supersededIds;
    outcome.measures = measures.inserted;
  }
  if (result.parsed.indicators) {
    const kept = result.parsed.indicators.filter((indicator) => !rejectedRows.has(rowKey(indicator.source.sheet, Number(/\d+$/.exec(indicator.source.cell)![0]) - 1)));
    const indicators = await applyIndicators(manager, { batchId: input.batchId, contractId: input.contractId, indicators: kept, now });
    undo.indicators = indicators.undo;
    outcome.indicators = indicators.indicators;
    outcome.indicatorValues = indicators.values;
  }
  return outcome;
}

function fundingRow(line: ResolvedLine, input: ApplyInput, idOf: (target: OrganisationTarget | null) => number | null, actionIds: Map<number, number>): Partial<Funding> {
  const parsed = line.parsed;
  return {
    contractId: input.contractId,
    actionId: line.actionIndex === null ? null : (actionIds.get(line.actionIndex) ?? null),
    funderId: idOf(line.funder)!,
    programmeId: line.programmeId,
    beneficiaryId: idOf(line.beneficiary),
    year: parsed.year,
    amount: decimalOf(parsed.cents),
    stage: parsed.stage,
    instrument: parsed.instrument,
    costBase: parsed.costBase,
    creditNature: parsed.creditNature ?? null,
    approximate: parsed.approximate,
    sourceId: input.sourceId,
    importKind: input.kind,
    batchId: input.batchId,
    sourceSheet: parsed.source.sheet.slice(0, 100),
    sourceCell: parsed.source.cell,
    rawValue: parsed.source.raw.slice(0, 500),
    supersededByBatchId: null,
    supersededAt: null,
    createdAt: input.now,
  };
}

/** Marks superseded the current lines of the same source and kind for the (funder, year) pairs given. */
async function supersede(manager: EntityManager, input: ApplyInput, rows: Array<Partial<Funding>>): Promise<number> {
  // Distinct (funder, year) pairs, in order of first appearance, without a key string per line.
  const seen = new Map<number, Set<number>>();
  const pairs: number[][] = [];
  for (const row of rows) {
    let years = seen.get(row.funderId!);
    if (!years) {
      years = new Set();
      seen.set(row.funderId!, years);
    }
    if (years.has(row.year!)) continue;
    years.add(row.year!);
    pairs.push([row.funderId!, row.year!]);
  }
  let count = 0;
  for (let i = 0; i < pairs.length; i += 400) {
    await yieldIfDue();
    const chunk = pairs.slice(i, i + 400);
    const query = manager
      .createQueryBuilder()
      .update(Funding)
      .set({ supersededAt: input.now, supersededByBatchId: input.batchId })
      .where('contract_id = :contractId AND source_id = :sourceId AND import_kind = :kind AND superseded_at IS NULL AND batch_id <> :batchId', {
        contractId: input.contractId,
        sourceId: input.sourceId,
        kind: input.kind,
        batchId: input.batchId,
      })
      .andWhere(`(${chunk.map((_, j) => `(funder_id = :funder${j} AND year = :year${j})`).join(' OR ')})`, Object.fromEntries(chunk.flatMap(([funder, year], j) => [[`funder${j}`, funder], [`year${j}`, year]])));
    const updated = await query.execute();
    count += updated.affected ?? 0;
  }
  return count;
}

/** Rows (sheet and 0-based row) that hold an ERROR: left out when applying partially. */
function rowsWithErrors(issues: IssueDraft[]): Set<string> {
  const rows = new Set<string>();
  for (const issue of issues) {
    if (issue.severity !== 'ERROR' || !issue.sheet || !issue.cell) continue;
    const match = /(\d+)$/.exec(issue.cell);
    if (match) rows.add(`${issue.sheet}\u0000${Number(match[1]) - 1}`);
  }
  return rows;
}

export interface RollbackOutcome {
  withdrawn: number;
  restored: number;
  removedActions: number;
  removedOrganisations: number;
  restoredActions: number;
  /** Kind `plan`: the axes and orientations it had created that went. */
  removedAxes?: number;
  removedOrientations?: number;
}

/**
 * Undoes an applied batch in the caller's transaction, so that every total is what it was before it:
 * its lines are withdrawn (kept, marked with the time), the lines it had replaced are current again
 * (as copies with their original lineage, so that the past stays readable), the actions it updated get
 * their values back, and what it created goes away unless something else uses it.
 */
export async function rollbackInDatabase(manager: EntityManager, batchId: number, undoJson: string | null, now: Date): Promise<RollbackOutcome> {
  const withdrawn = await manager
    .createQueryBuilder()
    .update(Funding)
    .set({ supersededAt: now })
    .where('batch_id = :batchId AND superseded_at IS NULL', { batchId })
    .execute();

  const replaced = await manager.find(Funding, { where: { supersededByBatchId: batchId } });
  const copies = replaced.map(({ id: _id, supersededAt: _at, supersededByBatchId: _by, ...line }) => ({ ...line, supersededAt: null, supersededByBatchId: null, createdAt: now }));
  await bulkInsert(manager, Funding, copies);

  const undo: UndoRecord = undoJson ? JSON.parse(undoJson) : { actions: [] };
  for (const previous of undo.actions) {
    const { id, ...values } = previous;
    // An action an amendment has moved since the file classified it stays where the amendment put it (its history starts there).
    if ((await manager.query('SELECT 1 FROM amendment_change WHERE action_id = ? LIMIT 1', [id])).length > 0) delete (values as Partial<typeof values>).orientationId;
    await manager.update(Action, id, { ...values, updatedAt: now });
  }
  await rollbackMeasures(manager, batchId, undo.measures ?? [], now);
  if (undo.indicators) await rollbackIndicators(manager, undo.indicators, now);

  // What the batch created goes, unless something else now uses it: a line of another batch that was
  // not itself rolled back, an indicator, an action it leads, a meeting's agenda or decision (the relevé
  // de décisions names it), an amendment that moved it (its history names it).
  const live = '(f.batch_id IS NULL OR (f.batch_id <> :batchId AND f.batch_id NOT IN (SELECT b.id FROM import_batch b WHERE b.status = :rolledBack)))';
  const rolledBack = ImportStatus.ROLLED_BACK;
  let removedActions = 0;
  for (const action of await manager.find(Action, { where: { createdByBatchId: batchId } })) {
    const usedElsewhere =
      (await manager.createQueryBuilder(Funding, 'f').where(`f.action_id = :id AND ${live}`, { id: action.id, batchId, rolledBack }).getCount()) > 0 ||
      (await manager.query('SELECT 1 FROM indicator WHERE action_id = ? LIMIT 1', [action.id])).length > 0 ||
      (await manager.query('SELECT 1 FROM meeting_agenda_item WHERE action_id = ? LIMIT 1', [action.id])).length > 0 ||
      (await manager.query('SELECT 1 FROM decision WHERE action_id = ? LIMIT 1', [action.id])).length > 0 ||
      (await manager.query('SELECT 1 FROM amendment_change WHERE action_id = ? LIMIT 1', [action.id])).length > 0;
    if (usedElsewhere) continue;
    // Its lines (this batch's, and those of batches already rolled back) go with it.
    await manager.delete(Funding, { actionId: action.id });
    await manager.delete(Action, action.id);
    removedActions++;
  }
  const structure = undo.structure ? await rollbackStructure(manager, undo.structure) : null;
  let removedOrganisations = 0;
  for (const organisation of await manager.find(Organisation, { where: { createdByBatchId: batchId } })) {
    const id = organisation.id;
    const others = await manager
      .createQueryBuilder(Funding, 'f')
      .where(`(f.funder_id = :id OR f.beneficiary_id = :id OR f.source_id = :id) AND ${live}`, { id, batchId, rolledBack })
      .getCount();
    const leads = await manager.count(Action, { where: { leadId: id } });
    const batches = (await manager.query('SELECT 1 FROM import_batch WHERE source_id = ? LIMIT 1', [id])).length;
    if (others + leads + batches > 0) continue;
    await manager
      .createQueryBuilder()
      .delete()
      .from(Funding)
      .where('(funder_id = :id OR beneficiary_id = :id OR source_id = :id) AND (batch_id = :batchId OR batch_id IN (SELECT b.id FROM import_batch b WHERE b.status = :rolledBack))', { batchId, id, rolledBack })
      .execute();
    await manager.delete(Organisation, id);
    removedOrganisations++;
  }
  return { withdrawn: withdrawn.affected ?? 0, restored: copies.length, removedActions, removedOrganisations, restoredActions: undo.actions.length, ...(structure ?? {}) };
}
