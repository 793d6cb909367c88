import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { DataSource, EntityManager } from 'typeorm';
import { Action } from '../action/action.entity';
import { AuditHook } from '../audit/audit.service';
import { FieldError, throwIfFieldErrors, checkYear } from '../common/field-validation';
import { writeToContract } from '../contract/contract-write';
import { findContract } from '../contract/contract.lookups';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportKind, ImportStatus } from '../kernel/import-batch.enum';
import { formatCents, MAX_MONEY_CENTS, parseCents } from '../kernel/money';
import { Role } from '../kernel/role.enum';
import { Organisation } from '../organisation/organisation.entity';
import { forbidden, requireWriter } from '../request/authorisation';
import { Identity } from '../request/identity';
import { Funding } from './funding.entity';
import { CreateFundingInput, UpdateFundingInput } from './manual-funding.inputs';

/**
 * Money kept by hand. Each entry is an import batch of kind MANUAL (« Saisie »), uploaded by the actor and
 * applied at once, so that the history, `asOf`, the lineage and `rollbackImport` treat it as they treat a
 * file: a creation brings one line; a correction supersedes the line it corrects and brings the new one;
 * an end supersedes the line and brings none.
 */

export interface ManualFundingContext {
  dataSource: DataSource;
  identity: Identity | null;
}

export interface ManualFundingResult {
  batch: ImportBatch;
  /** The line the entry brought; null for an end. */
  funding: Funding | null;
  /** The line it replaced or ended; null for a creation. */
  replaced: Funding | null;
}

/** Where a manual line says it comes from (funding.source_sheet): the lineage reads « Saisie ». */
export const MANUAL_SHEET = 'Saisie';
const NOTE_MAX = 200;

export async function createManualFunding(ctx: ManualFundingContext, input: CreateFundingInput, audit?: AuditHook<ManualFundingResult>): Promise<ManualFundingResult> {
  const identity = requireWriter(ctx);
  const errors: FieldError[] = [];
  const contractCode = (input.contract ?? '').trim();
  if (!contractCode) errors.push({ field: 'contract', message: 'Contrat (contract) : le code du contrat est obligatoire.' });
  const funderText = (input.funder ?? '').trim();
  if (!funderText) errors.push({ field: 'funder', message: 'Financeur (funder) : indiquez l’organisation qui apporte ce montant.' });
  checkYear(errors, 'year', 'Année', input.year);
  const cents = checkAmount(errors, input.amount);
  const note = checkNote(errors, input.note);
  const actionCode = input.action?.trim() || null;
  throwIfFieldErrors(errors);

  return writeToContract(ctx.dataSource, { code: contractCode }, { audit, caller: ctx }, async (manager) => {
    const contract = await findContract(manager, contractCode);
    if (!contract) errors.push({ field: 'contract', message: `Contrat (contract) « ${contractCode} » inconnu.` });
    const action = contract && actionCode ? await manager.findOne(Action, { where: { contractId: contract.id, code: actionCode } }) : null;
    if (contract && actionCode && !action) errors.push({ field: 'action', message: `Action (action) « ${actionCode} » inconnue dans le contrat ${contract.code}.` });
    const funder = await findFunder(manager, funderText, errors);
    throwIfFieldErrors(errors);

    await requireDeclarer(manager, identity, action, funder!);
    // The line's declarer: an editor's organisation; an admin's, or else the funder's own figure.
    const sourceId = identity.organisationId ?? funder!.id;
    const now = new Date();
    const batch = await insertBatch(manager, { contractId: contract!.id, sourceId, year: input.year, identity, note, now, total: formatCents(cents!), lineCount: 1, entry: input });
    const funding = await insertLine(manager, {
      contractId: contract!.id,
      actionId: action?.id ?? null,
      funderId: funder!.id,
      programmeId: null,
      // As an import does: the beneficiary of an action's money is its lead.
      beneficiaryId: action?.leadId ?? null,
      year: input.year,
      amount: formatCents(cents!),
      stage: input.stage,
      instrument: input.instrument,
      costBase: null,
      creditNature: input.creditNature ?? null,
      approximate: false,
      sourceId,
      rawValue: input.amount.trim().slice(0, 500),
      batchId: batch.id,
      importKind: ImportKind.MANUAL,
      now,
    });
    return { batch, funding, replaced: null };
  });
}

export async function updateManualFunding(ctx: ManualFundingContext, id: string, input: UpdateFundingInput, audit?: AuditHook<ManualFundingResult>): Promise<ManualFundingResult> {
  const identity = requireWriter(ctx);
  const errors: FieldError[] = [];
  if (input.year !== undefined && input.year !== null) checkYear(errors, 'year', 'Année', input.year);
  const cents = input.amount === undefined || input.amount === null ? null : checkAmount(errors, input.amount);
  const note = checkNote(errors, input.note);
  const given = [input.year, input.stage, input.instrument, input.amount, input.creditNature].some((value) => value !== undefined && value !== null);
  if (!given) errors.push({ field: 'input', message: 'Correction (input) : indiquez au moins un champ à corriger (amount, year, stage, instrument ou creditNature).' });
  throwIfFieldErrors(errors);

  return onCurrentLine(ctx, identity, id, audit, async (manager, line, action) => {
    const now = new Date();
    const amount = cents !== null ? formatCents(cents!) : line.amount;
    const batch = await insertBatch(manager, { contractId: line.contractId, sourceId: line.sourceId ?? identity.organisationId ?? line.funderId, year: input.year ?? line.year, identity, note, now, total: amount, lineCount: 1, entry: { id, ...input } });
    await supersedeLine(manager, line, batch.id, now);
    const funding = await insertLine(manager, {
      contractId: line.contractId,
      actionId: line.actionId,
      funderId: line.funderId,
      programmeId: line.programmeId,
      beneficiaryId: line.beneficiaryId ?? action?.leadId ?? null,
      year: input.year ?? line.year,
      amount,
      stage: input.stage ?? line.stage,
      instrument: input.instrument ?? line.instrument,
      costBase: line.costBase,
      creditNature: input.creditNature ?? line.creditNature,
      approximate: cents !== null ? false : line.approximate,
      sourceId: batch.sourceId,
      rawValue: (input.amount ?? line.rawValue ?? amount).trim().slice(0, 500),
      batchId: batch.id,
      // A correction of a file's line stays of the file's kind: the source's next file of that kind
      // replaces it, as it replaces the line it corrected, rather than counting beside it.
      importKind: line.importKind ?? ImportKind.MANUAL,
      now,
    });
    return { batch, funding, replaced: line };
  });
}

export async function endManualFunding(ctx: ManualFundingContext, id: string, noteText: string | null | undefined, audit?: AuditHook<ManualFundingResult>): Promise<ManualFundingResult> {
  const identity = requireWriter(ctx);
  const errors: FieldError[] = [];
  const note = checkNote(errors, noteText);
  throwIfFieldErrors(errors);
  return onCurrentLine(ctx, identity, id, audit, async (manager, line) => {
    const now = new Date();
    const batch = await insertBatch(manager, { contractId: line.contractId, sourceId: line.sourceId ?? identity.organisationId ?? line.funderId, year: line.year, identity, note, now, total: null, lineCount: 0, entry: { id, end: true } });
    await supersedeLine(manager, line, batch.id, now);
    return { batch, funding: null, replaced: line };
  });
}

/** A current line, read again under the contract's lock, that the actor may correct or end. */
async function onCurrentLine(
  ctx: ManualFundingContext,
  identity: Identity,
  id: string,
  audit: AuditHook<ManualFundingResult> | undefined,
  write: (manager: EntityManager, line: Funding, action: Action | null) => Promise<ManualFundingResult>,
): Promise<ManualFundingResult> {
  const unknown = () => new GraphQLError(`Ligne de financement (id) : la ligne n° ${id} n’existe pas.`, { extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
  const found = /^\d{1,10}$/.test(id) ? await ctx.dataSource.getRepository(Funding).findOne({ where: { id: Number(id) } }) : null;
  if (!found) throw unknown();
  return writeToContract(ctx.dataSource, { id: found.contractId }, { audit, caller: ctx }, async (manager) => {
    const line = await manager.findOne(Funding, { where: { id: found.id } });
    if (!line) throw unknown();
    if (line.supersededAt !== null) {
      throw new GraphQLError(`Ligne de financement (id) : la ligne n° ${id} n’est plus en vigueur (remplacée, close ou annulée) ; corrigez la ligne en vigueur.`, {
        extensions: { code: 'CONFLICT', field: 'id' },
      });
    }
    const action = line.actionId !== null ? await manager.findOne(Action, { where: { id: line.actionId } }) : null;
    const funder = await manager.findOneOrFail(Organisation, { where: { id: line.funderId } });
    await requireDeclarer(manager, identity, action, funder);
    // As a re-import replaces only its own source's lines: an editor corrects what its organisation declared.
    if (identity.role !== Role.ADMIN && line.sourceId !== identity.organisationId) {
      const declarer = line.sourceId !== null ? await manager.findOne(Organisation, { where: { id: line.sourceId } }) : null;
      throw forbidden(
        `Un éditeur ne corrige que les montants que son organisation a déclarés ; la ligne n° ${id} a été déclarée par ${declarer ? (declarer.shortName ?? declarer.name) : 'l’équipe du contrat'}.`,
      );
    }
    return write(manager, line, action);
  });
}

/**
 * The import's rule (import/resolve/resolve.ts, SenderAuthority 'source'): an editor declares the money
 * of the actions its organisation leads (any funder), and the money its organisation gives (any action,
 * or none); an admin declares anything.
 */
async function requireDeclarer(manager: EntityManager, identity: Identity, action: Action | null, funder: Organisation): Promise<void> {
  if (identity.role === Role.ADMIN) return;
  const own = identity.organisationId;
  if (own === null) throw forbidden(`Le jeton d’éditeur « ${identity.name} » n’est rattaché à aucune organisation : il ne peut déclarer aucun montant.`);
  if (funder.id === own || (action !== null && action.leadId === own)) return;
  const name = async (organisationId: number | null) => {
    const organisation = organisationId !== null ? await manager.findOne(Organisation, { where: { id: organisationId } }) : null;
    return organisation ? (organisation.shortName ?? organisation.name) : 'aucun';
  };
  const where = action ? `sur l’action ${action.code}, dont le maître d’ouvrage est ${await name(action.leadId)}` : 'hors action';
  throw forbidden(
    `${await name(own)} ne peut pas déclarer ce montant (financeur : ${funder.shortName ?? funder.name}) ${where} : un partenaire déclare les financements des actions dont il est maître d’ouvrage, et ceux qu’il apporte lui-même.`,
  );
}

/** An amount in euros as a decimal string (a comma accepted for the decimal point); cents, or undefined when wrong. */
function checkAmount(errors: FieldError[], value: string | null | undefined): bigint | undefined {
  const text = (value ?? '').trim();
  const wrong = (why = "n'est pas un montant en euros") => {
    errors.push({ field: 'amount', message: `Montant (amount) : « ${value ?? ''} » ${why}.` });
    return undefined;
  };
  if (!/^\d+(?:[.,]\d+)?$/.test(text)) return text.startsWith('-') ? wrong('est négatif ; un montant ne peut pas l’être') : wrong();
  const fraction = /[.,](\d+)$/.exec(text)?.[1] ?? '';
  if (fraction.replace(/0+$/, '').length > 2) return wrong('a plus de deux décimales (des centimes au plus)');
  const cents = parseCents(text.replace(',', '.'));
  if (cents > MAX_MONEY_CENTS) return wrong(`dépasse le montant maximal (${formatCents(MAX_MONEY_CENTS)})`);
  return cents;
}

function checkNote(errors: FieldError[], value: string | null | undefined): string | null {
  const note = value?.trim() || null;
  if (note && [...note].length > NOTE_MAX) {
    errors.push({ field: 'note', message: `Note (note) : ${[...note].length} caractères, ${NOTE_MAX} au plus.` });
    return null;
  }
  return note;
}

/** The funder by id, SIREN, name or short name; ambiguous or unknown is a field error. */
async function findFunder(manager: EntityManager, text: string, errors: FieldError[]): Promise<Organisation | null> {
  if (!text) return null;
  const query = manager.getRepository(Organisation).createQueryBuilder('o');
  if (/^\d+$/.test(text)) query.where('o.id = :id OR o.siren = :text', { id: Number(text), text });
  else query.where('o.name = :text OR o.short_name = :text', { text });
  const found = await query.orderBy('o.id').limit(3).getMany();
  if (found.length === 1) return found[0];
  errors.push({
    field: 'funder',
    message: found.length
      ? `Financeur (funder) : « ${text} » désigne plusieurs organisations (${found.map((o) => `n° ${o.id}`).join(', ')}) ; indiquez son identifiant ou son SIREN.`
      : `Financeur (funder) : aucune organisation « ${text} » (identifiant, SIREN, nom ou nom court).`,
  });
  return null;
}

interface BatchDraft {
  contractId: number;
  sourceId: number;
  year: number;
  identity: Identity;
  note: string | null;
  now: Date;
  total: string | null;
  lineCount: number;
  entry: object;
}

/** The entry's batch, applied at once. Its « file name » is the label the history shows (with the note). */
async function insertBatch(manager: EntityManager, draft: BatchDraft): Promise<ImportBatch> {
  const label = draft.note ? `${MANUAL_SHEET} : ${draft.note}` : MANUAL_SHEET;
  const batch = manager.create(ImportBatch, {
    contractId: draft.contractId,
    kind: ImportKind.MANUAL,
    sourceId: draft.sourceId,
    year: draft.year,
    programme: null,
    fileName: label.slice(0, 255),
    // No file: the digest of the entry keeps the column's meaning (what was sent) without a file.
    sha256: createHash('sha256').update(JSON.stringify({ entry: draft.entry, by: draft.identity.tokenId, at: draft.now.toISOString() })).digest('hex'),
    sizeBytes: 0,
    fileEncoding: null,
    layout: null,
    status: ImportStatus.APPLIED,
    uploadedByTokenId: draft.identity.tokenId,
    uploadedBy: draft.identity.name.slice(0, 255),
    uploadedAt: draft.now,
    appliedAt: draft.now,
    rolledBackAt: null,
    lineCount: draft.lineCount,
    errorCount: 0,
    warningCount: 0,
    undo: null,
    total: draft.total,
  });
  return manager.save(ImportBatch, batch);
}

interface LineDraft {
  contractId: number;
  actionId: number | null;
  funderId: number;
  programmeId: number | null;
  beneficiaryId: number | null;
  year: number;
  amount: string;
  stage: Funding['stage'];
  instrument: Funding['instrument'];
  costBase: Funding['costBase'];
  creditNature: Funding['creditNature'];
  approximate: boolean;
  sourceId: number;
  rawValue: string;
  batchId: number;
  importKind: string;
  now: Date;
}

async function insertLine(manager: EntityManager, draft: LineDraft): Promise<Funding> {
  const { now, ...values } = draft;
  return manager.save(
    Funding,
    manager.create(Funding, {
      ...values,
      sourceSheet: MANUAL_SHEET,
      sourceCell: null,
      supersededByBatchId: null,
      supersededAt: null,
      createdAt: now,
    }),
  );
}

/** The line is replaced (or ended) by the entry's batch, and its batch is SUPERSEDED when none of its lines still counts, as after a re-import. */
async function supersedeLine(manager: EntityManager, line: Funding, batchId: number, now: Date): Promise<void> {
  await manager.update(Funding, line.id, { supersededAt: now, supersededByBatchId: batchId });
  if (line.batchId === null) return;
  await manager.query(
    `UPDATE import_batch SET status = ? WHERE id = ? AND status = ?
       AND NOT EXISTS (SELECT 1 FROM funding f WHERE f.batch_id = import_batch.id AND f.superseded_at IS NULL)`,
    [ImportStatus.SUPERSEDED, line.batchId, ImportStatus.APPLIED],
  );
}
