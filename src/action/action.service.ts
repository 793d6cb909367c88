import { GraphQLError } from 'graphql';
import { DataSource, EntityManager, In, IsNull, QueryFailedError } from 'typeorm';
import { requireOrganisationWrite, requireWriter } from '../auth/authorisation';
import { Identity } from '../auth/identity';
import { MAX_MONEY_CENTS, MoneyFormatError, parseCents, formatCents } from '../common/money';
import { normaliseText } from '../common/normalise-text';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { normaliseQuantity, QUANTITY_PRECISION, QUANTITY_SCALE } from '../db/column-types';
import { OrganisationAlias } from '../organisation/organisation-alias.entity';
import { OrganisationKind } from '../organisation/organisation-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { ActionCommune } from './action-commune.entity';
import { ActionStatus } from './action-status.enum';
import { Action } from './action.entity';
import { AuditHook } from '../audit/audit.service';
import { writeToContract } from '../contract/contract-write';
import { CreateActionInput, UpdateActionInput } from './action.inputs';

/** What a mutation service needs from the request. */
export interface WriteContext {
  dataSource: DataSource;
  identity: Identity | null;
}

// ---------------------------------------------------------------------------------------------------
// Field errors: every mistake of one input is collected, then reported at once.

export interface FieldError {
  field: string;
  message: string;
}

/** One BAD_USER_INPUT error for all field errors: the first is the message, all are in `fields`. */
export function fieldErrorsToGraphQLError(errors: FieldError[]): GraphQLError {
  const [first] = errors;
  const more = errors.length - 1;
  const message = more ? `${first.message} (et ${more} autre${more > 1 ? 's' : ''} erreur${more > 1 ? 's' : ''} : voir extensions.fields)` : first.message;
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: first.field, fields: errors } });
}

export function throwIfFieldErrors(errors: FieldError[]): void {
  if (errors.length) throw fieldErrorsToGraphQLError(errors);
}

export const CODE_MAX = 40;
export const TITLE_MAX = 500;
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

const INSEE_CODE = /^(?:\d{5}|2[AB]\d{3})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A required text (`required`) or an optional one being set: trimmed, not empty, at most `max`
 * characters. Returns the trimmed value, or undefined when absent (or wrong).
 */
export function checkText(
  errors: FieldError[],
  field: string,
  label: string,
  value: string | null | undefined,
  options: { max: number; required: boolean },
): string | undefined {
  if (value === undefined && !options.required) return undefined;
  const trimmed = (value ?? '').trim();
  if (!trimmed) {
    errors.push({ field, message: `${label} (${field}) est obligatoire et ne peut pas être vide.` });
    return undefined;
  }
  if ([...trimmed].length > options.max) {
    errors.push({ field, message: `${label} (${field}) dépasse ${options.max} caractères (${[...trimmed].length}).` });
    return undefined;
  }
  return trimmed;
}

/** A plausible year: an integer between 1900 and 2100. */
export function checkYear(errors: FieldError[], field: string, label: string, value: number | null | undefined): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < MIN_YEAR || value > MAX_YEAR) {
    errors.push({ field, message: `${label} (${field}) : ${value} n'est pas une année plausible (entier entre ${MIN_YEAR} et ${MAX_YEAR}).` });
  }
}

/** True for a real calendar date written AAAA-MM-JJ with a plausible year. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  if (year < MIN_YEAR || year > MAX_YEAR) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A date being set: returns it trimmed when valid, null when cleared, undefined when absent or wrong. */
export function checkDate(errors: FieldError[], field: string, label: string, value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (!isIsoDate(trimmed)) {
    errors.push({
      field,
      message: `${label} (${field}) : « ${value} » n'est pas une date valide au format AAAA-MM-JJ (année entre ${MIN_YEAR} et ${MAX_YEAR}).`,
    });
    return undefined;
  }
  return trimmed;
}

/** An amount in euros: a non-negative decimal string with at most two decimals; returns it canonical. */
export function checkMoney(errors: FieldError[], field: string, label: string, value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (!/^[+-]?\d+(?:\.\d+)?$/.test(trimmed)) {
    errors.push({ field, message: `${label} (${field}) : « ${value} » n'est pas un montant décimal (chiffres et point décimal, ex. "1250000.50").` });
    return undefined;
  }
  let cents: bigint;
  try {
    cents = parseCents(trimmed);
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    errors.push({ field, message: `${label} (${field}) : « ${value} » a plus de deux décimales (des centimes au plus).` });
    return undefined;
  }
  if (cents < 0n) {
    errors.push({ field, message: `${label} (${field}) : « ${value} » est négatif ; un coût ne peut pas l'être.` });
    return undefined;
  }
  if (cents > MAX_MONEY_CENTS) {
    errors.push({ field, message: `${label} (${field}) : « ${value} » dépasse le montant maximal (${formatCents(MAX_MONEY_CENTS)}).` });
    return undefined;
  }
  return formatCents(cents);
}

/** An indicator quantity: a decimal string (sign allowed) with at most four decimals. */
export function checkQuantity(errors: FieldError[], field: string, label: string, value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (!/^[+-]?\d+(?:\.\d+)?$/.test(trimmed)) {
    errors.push({ field, message: `${label} (${field}) : « ${value} » n'est pas un nombre décimal (chiffres et point décimal, ex. "12.5").` });
    return undefined;
  }
  let normalised: string;
  try {
    normalised = normaliseQuantity(trimmed);
  } catch {
    errors.push({ field, message: `${label} (${field}) : « ${value} » a plus de ${QUANTITY_SCALE} décimales.` });
    return undefined;
  }
  const integerDigits = normalised.replace(/^-/, '').split('.')[0].length;
  if (integerDigits > QUANTITY_PRECISION - QUANTITY_SCALE) {
    errors.push({ field, message: `${label} (${field}) : « ${value} » est trop grand (${QUANTITY_PRECISION - QUANTITY_SCALE} chiffres avant la virgule au plus).` });
    return undefined;
  }
  return normalised;
}

/** An optional reference (a code, a name) being set: trimmed; empty counts as cleared. */
function optionalRef(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed || null;
}

// ---------------------------------------------------------------------------------------------------
// Actions: pure validation.

/** The input once checked: undefined = unchanged (update) or absent, null = cleared. */
export interface CheckedActionInput {
  contract?: string;
  code?: string;
  title?: string;
  description?: string | null;
  orientation?: string | null;
  lead?: string | null;
  communes?: string[];
  status?: ActionStatus;
  totalCost?: string | null;
  costBase?: CreateActionInput['costBase'];
  startDate?: string | null;
  endDate?: string | null;
}

/**
 * Checks everything an action input can be checked for without the database. `existing` gives the
 * dates an update keeps, so that "end before start" is seen whichever of the two changes.
 */
export function validateActionInput(
  input: CreateActionInput | UpdateActionInput,
  options: { mode: 'create' | 'update'; existing?: { startDate: string | null; endDate: string | null } },
): { errors: FieldError[]; value: CheckedActionInput } {
  const errors: FieldError[] = [];
  const create = options.mode === 'create';
  const value: CheckedActionInput = {};
  if (create) value.contract = checkText(errors, 'contract', 'Le code du contrat', (input as CreateActionInput).contract, { max: CODE_MAX, required: true });
  value.code = checkText(errors, 'code', 'Le code de l’action', input.code, { max: CODE_MAX, required: create || input.code === null });
  value.title = checkText(errors, 'title', 'L’intitulé', input.title, { max: TITLE_MAX, required: create || input.title === null });
  if (input.description !== undefined) value.description = input.description?.trim() || null;
  value.orientation = optionalRef(input.orientation);
  value.lead = optionalRef(input.lead);

  if (input.communes !== undefined) {
    const codes = [...new Set((input.communes ?? []).map((code) => code.trim()))];
    const bad = codes.filter((code) => !INSEE_CODE.test(code));
    if (bad.length) {
      errors.push({
        field: 'communes',
        message: `Communes (communes) : ${bad.map((code) => `« ${code} »`).join(', ')} ${bad.length > 1 ? 'ne sont pas des codes INSEE' : "n'est pas un code INSEE"} (5 caractères, ex. 59178).`,
      });
    } else value.communes = codes;
  }

  if (input.status === null && !create) errors.push({ field: 'status', message: 'L’avancement (status) ne peut pas être effacé.' });
  else if (input.status) value.status = input.status;
  else if (create) value.status = ActionStatus.PLANNED;

  value.totalCost = checkMoney(errors, 'totalCost', 'Le coût total', input.totalCost);
  if (input.costBase !== undefined) value.costBase = input.costBase;
  value.startDate = checkDate(errors, 'startDate', 'La date de début', input.startDate);
  value.endDate = checkDate(errors, 'endDate', 'La date de fin', input.endDate);

  // Compare the dates the action will have, when both are known and valid.
  const start = input.startDate === undefined ? options.existing?.startDate : value.startDate;
  const end = input.endDate === undefined ? options.existing?.endDate : value.endDate;
  const startOk = !errors.some((e) => e.field === 'startDate');
  const endOk = !errors.some((e) => e.field === 'endDate');
  if (start && end && startOk && endOk && end < start) {
    errors.push({ field: 'endDate', message: `La date de fin (endDate) ${end} précède la date de début (startDate) ${start}.` });
  }
  return { errors, value };
}

// ---------------------------------------------------------------------------------------------------
// Look-ups, inside the mutation's transaction.

export async function findContract(manager: EntityManager, code: string): Promise<Contract | null> {
  return manager.getRepository(Contract).findOne({ where: { code } });
}

export async function findOrientation(manager: EntityManager, contractId: number, code: string): Promise<Orientation | null> {
  return manager.getRepository(Orientation).findOne({ where: { contractId, code } });
}

export async function findAction(manager: EntityManager, contractId: number, code: string): Promise<Action | null> {
  return manager.getRepository(Action).findOne({ where: { contractId, code } });
}

/**
 * The organisation a user names: SIREN (9 digits), INSEE code (a commune), id, exact name or short
 * name, then a known spelling of the contract. Returns an error message when none or several match.
 */
export async function resolveOrganisationRef(
  manager: EntityManager,
  text: string,
  contractId: number | null,
): Promise<{ organisation: Organisation } | { error: string }> {
  const repository = manager.getRepository(Organisation);
  let found: Organisation[] = [];
  if (/^\d{9}$/.test(text)) found = await repository.find({ where: { siren: text } });
  if (!found.length && INSEE_CODE.test(text)) found = await repository.find({ where: { inseeCode: text } });
  if (!found.length && /^\d{1,9}$/.test(text)) found = await repository.find({ where: { id: Number(text) } });
  if (!found.length) found = await repository.find({ where: [{ name: text }, { shortName: text }], order: { id: 'ASC' } });
  if (!found.length) {
    const normalised = normaliseText(text);
    if (normalised) {
      const aliases = await manager.getRepository(OrganisationAlias).find({
        where: contractId === null ? { normalised, contractId: IsNull() } : [{ normalised, contractId: IsNull() }, { normalised, contractId }],
        relations: { organisation: true },
      });
      found = aliases.map((alias) => alias.organisation);
    }
  }
  const distinct = [...new Map(found.map((organisation) => [organisation.id, organisation])).values()];
  if (distinct.length === 1) return { organisation: distinct[0] };
  if (!distinct.length) return { error: `organisation inconnue « ${text} » (indiquez son SIREN, son nom exact ou son identifiant)` };
  return {
    error: `« ${text} » désigne plusieurs organisations (${distinct.map((o) => `${o.name}${o.siren ? `, SIREN ${o.siren}` : ''}`).join(' ; ')}) : précisez le SIREN`,
  };
}

export function organisationLabel(organisation: Organisation | null | undefined): string {
  if (!organisation) return 'aucun';
  return organisation.shortName ?? organisation.name;
}

async function loadOrganisation(manager: EntityManager, id: number | null): Promise<Organisation | null> {
  return id === null ? null : manager.getRepository(Organisation).findOne({ where: { id } });
}

/** True when a write failed on a unique key (two requests racing for one code, say). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = (error as QueryFailedError & { driverError?: { code?: string; errno?: number } }).driverError;
  return driverError?.code === 'ER_DUP_ENTRY' || driverError?.errno === 1062 || /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(driverError?.code ?? '');
}

/** Looks up the orientation, lead and communes an action input names; adds an error per unknown one. */
async function resolveActionReferences(
  manager: EntityManager,
  contract: Contract,
  value: CheckedActionInput,
  errors: FieldError[],
): Promise<{ orientation?: Orientation | null; lead?: Organisation | null; communes?: Organisation[] }> {
  const resolved: { orientation?: Orientation | null; lead?: Organisation | null; communes?: Organisation[] } = {};
  if (value.orientation === null) resolved.orientation = null;
  else if (value.orientation !== undefined) {
    const orientation = await findOrientation(manager, contract.id, value.orientation);
    if (orientation) resolved.orientation = orientation;
    else errors.push({ field: 'orientation', message: `Orientation (orientation) « ${value.orientation} » inconnue dans le contrat ${contract.code}.` });
  }
  if (value.lead === null) resolved.lead = null;
  else if (value.lead !== undefined) {
    const result = await resolveOrganisationRef(manager, value.lead, contract.id);
    if ('organisation' in result) resolved.lead = result.organisation;
    else errors.push({ field: 'lead', message: `Maître d’ouvrage (lead) : ${result.error}.` });
  }
  if (value.communes !== undefined) {
    const communes = value.communes.length
      ? await manager.getRepository(Organisation).find({ where: { inseeCode: In(value.communes), kind: OrganisationKind.COMMUNE } })
      : [];
    const known = new Set(communes.map((commune) => commune.inseeCode));
    const unknown = value.communes.filter((code) => !known.has(code));
    if (unknown.length) {
      errors.push({
        field: 'communes',
        message: `Communes (communes) : code${unknown.length > 1 ? 's' : ''} INSEE inconnu${unknown.length > 1 ? 's' : ''} ${unknown.map((code) => `« ${code} »`).join(', ')}.`,
      });
    } else resolved.communes = communes;
  }
  return resolved;
}

async function replaceCommunes(manager: EntityManager, actionId: number, communes: Organisation[]): Promise<void> {
  await manager.getRepository(ActionCommune).delete({ actionId });
  if (communes.length) {
    await manager.getRepository(ActionCommune).insert(communes.map((commune) => ({ actionId, organisationId: commune.id })));
  }
}

function codeTaken(code: string, contractCode: string): FieldError {
  return { field: 'code', message: `Le code de l’action (code) « ${code} » est déjà utilisé dans le contrat ${contractCode}.` };
}

// ---------------------------------------------------------------------------------------------------
// Writes: one transaction per mutation; any error leaves the database as it was.

export async function createAction(ctx: WriteContext, input: CreateActionInput, audit?: AuditHook<Action>): Promise<Action> {
  requireWriter(ctx);
  const { errors, value } = validateActionInput(input, { mode: 'create' });
  try {
    return await writeToContract(ctx.dataSource, value.contract ? { code: value.contract } : null, { audit }, async (manager) => {
      const contract = value.contract ? await findContract(manager, value.contract) : null;
      if (value.contract && !contract) errors.push({ field: 'contract', message: `Contrat (contract) « ${value.contract} » inconnu.` });
      let resolved: Awaited<ReturnType<typeof resolveActionReferences>> = {};
      if (contract) {
        if (value.code && (await findAction(manager, contract.id, value.code))) errors.push(codeTaken(value.code, contract.code));
        resolved = await resolveActionReferences(manager, contract, value, errors);
      }
      // Who may write is decided as soon as the lead is known, before saying anything about the rest.
      if (!errors.some((e) => e.field === 'lead' || e.field === 'contract')) {
        const lead = resolved.lead ?? null;
        requireOrganisationWrite(
          ctx,
          lead?.id ?? null,
          lead ? `le maître d’ouvrage indiqué (lead) est ${organisationLabel(lead)}` : 'indiquez votre organisation comme maître d’ouvrage (lead)',
        );
      }
      throwIfFieldErrors(errors);

      const now = new Date();
      const repository = manager.getRepository(Action);
      const action = repository.create({
        contractId: contract!.id,
        orientationId: resolved.orientation?.id ?? null,
        code: value.code!,
        title: value.title!,
        normalisedTitle: normaliseText(value.title!),
        description: value.description ?? null,
        leadId: resolved.lead?.id ?? null,
        status: value.status!,
        totalCost: value.totalCost ?? null,
        costBase: value.costBase ?? null,
        startDate: value.startDate ?? null,
        endDate: value.endDate ?? null,
        createdAt: now,
        updatedAt: now,
      });
      await repository.insert(action);
      if (resolved.communes?.length) await replaceCommunes(manager, action.id, resolved.communes);
      return repository.findOneOrFail({ where: { id: action.id } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldErrorsToGraphQLError([codeTaken(value.code!, value.contract!)]);
    throw error;
  }
}

export async function updateAction(ctx: WriteContext, contractCode: string, code: string, input: UpdateActionInput, audit?: AuditHook<Action>): Promise<Action> {
  requireWriter(ctx);
  try {
    return await writeToContract(ctx.dataSource, { code: contractCode }, { audit }, async (manager) => {
      const contract = await findContract(manager, contractCode);
      if (!contract) throw fieldErrorsToGraphQLError([{ field: 'contract', message: `Contrat (contract) « ${contractCode} » inconnu.` }]);
      const action = await findAction(manager, contract.id, code);
      if (!action) throw fieldErrorsToGraphQLError([{ field: 'code', message: `Aucune action de code (code) « ${code} » dans le contrat ${contract.code}.` }]);
      const currentLead = await loadOrganisation(manager, action.leadId);
      requireOrganisationWrite(ctx, action.leadId, `l’action ${action.code} a pour maître d’ouvrage ${organisationLabel(currentLead)}`);

      const { errors, value } = validateActionInput(input, { mode: 'update', existing: action });
      if (value.code && value.code !== action.code && (await findAction(manager, contract.id, value.code))) errors.push(codeTaken(value.code, contract.code));
      const resolved = await resolveActionReferences(manager, contract, value, errors);
      if (resolved.lead !== undefined && (resolved.lead?.id ?? null) !== action.leadId) {
        requireOrganisationWrite(
          ctx,
          resolved.lead?.id ?? null,
          `l’action ${action.code} ne peut pas être confiée à un autre maître d’ouvrage (${organisationLabel(resolved.lead)})`,
        );
      }
      throwIfFieldErrors(errors);

      const patch: Partial<Action> = { updatedAt: new Date() };
      if (value.code !== undefined) patch.code = value.code;
      if (value.title !== undefined) {
        patch.title = value.title;
        patch.normalisedTitle = normaliseText(value.title);
      }
      if (value.description !== undefined) patch.description = value.description;
      if (resolved.orientation !== undefined) patch.orientationId = resolved.orientation?.id ?? null;
      if (resolved.lead !== undefined) patch.leadId = resolved.lead?.id ?? null;
      if (value.status !== undefined) patch.status = value.status;
      if (value.totalCost !== undefined) patch.totalCost = value.totalCost;
      if (value.costBase !== undefined) patch.costBase = value.costBase;
      if (value.startDate !== undefined) patch.startDate = value.startDate;
      if (value.endDate !== undefined) patch.endDate = value.endDate;
      await manager.getRepository(Action).update({ id: action.id }, patch);
      if (resolved.communes) await replaceCommunes(manager, action.id, resolved.communes);
      return manager.getRepository(Action).findOneOrFail({ where: { id: action.id } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw fieldErrorsToGraphQLError([codeTaken(input.code?.trim() ?? code, contractCode)]);
    }
    throw error;
  }
}
