import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { requireOrganisationWrite, requireWriter } from '../request/authorisation';
import { Identity } from '../request/identity';
import { FieldError, fieldErrorsToGraphQLError, INSEE_CODE, throwIfFieldErrors } from '../common/field-validation';
import { normaliseText } from '../kernel/normalise-text';
import { Contract } from '../contract/contract.entity';
import { findContract } from '../contract/contract.lookups';
import { Orientation } from '../contract/orientation.entity';
import { OrganisationAlias } from '../organisation/organisation-alias.entity';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { ActionCommune } from './action-commune.entity';
import { Action } from './action.entity';
import { AuditHook } from '../audit/audit.service';
import { writeToContract } from '../contract/contract-write';
import { CreateActionInput, UpdateActionInput } from './action.inputs';
import { CheckedActionInput, validateActionInput } from './action.validation';
import { isUniqueViolation } from '../sql/unique-violation';

/** What a mutation service needs from the request. */
export interface WriteContext {
  dataSource: DataSource;
  identity: Identity | null;
}

// ---------------------------------------------------------------------------------------------------
// Look-ups, inside the mutation's transaction.

/** An orientation in force: one an amendment closed takes no new action or indicator. */
export async function findOrientation(manager: EntityManager, contractId: number, code: string): Promise<Orientation | null> {
  return manager.getRepository(Orientation).findOne({ where: { contractId, code, closedOn: IsNull() } });
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
    else errors.push({ field: 'orientation', message: `Orientation (orientation) « ${value.orientation} » inconnue dans le contrat ${contract.code}, ou close par un avenant.` });
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

/**
 * A classified action changes orientation only by an amendment (amendContract, moveActions): the move is
 * then dated and the contract is still answered as it stood before (asOf). Classifying an action « à
 * classer » is its first place, as its creation is (neither is dated).
 */
export async function movedOutsideAmendment(manager: EntityManager, action: Action): Promise<FieldError> {
  const current = await manager.getRepository(Orientation).findOne({ where: { id: action.orientationId! } });
  return {
    field: 'orientation',
    message: `L’action ${action.code} est classée dans l’orientation ${current?.code ?? '?'} : la changer d’orientation (orientation) modifie la structure du contrat, ce qui se fait par un avenant (amendContract, moveActions), daté, afin que la structure antérieure reste consultable (asOf).`,
  };
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
    return await writeToContract(ctx.dataSource, value.contract ? { code: value.contract } : null, { audit, caller: ctx }, async (manager) => {
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
    return await writeToContract(ctx.dataSource, { code: contractCode }, { audit, caller: ctx }, async (manager) => {
      const contract = await findContract(manager, contractCode);
      if (!contract) throw fieldErrorsToGraphQLError([{ field: 'contract', message: `Contrat (contract) « ${contractCode} » inconnu.` }]);
      const action = await findAction(manager, contract.id, code);
      if (!action) throw fieldErrorsToGraphQLError([{ field: 'code', message: `Aucune action de code (code) « ${code} » dans le contrat ${contract.code}.` }]);
      const currentLead = await loadOrganisation(manager, action.leadId);
      requireOrganisationWrite(ctx, action.leadId, `l’action ${action.code} a pour maître d’ouvrage ${organisationLabel(currentLead)}`);

      const { errors, value } = validateActionInput(input, { mode: 'update', existing: action });
      if (value.code && value.code !== action.code && (await findAction(manager, contract.id, value.code))) errors.push(codeTaken(value.code, contract.code));
      const resolved = await resolveActionReferences(manager, contract, value, errors);
      if (resolved.orientation !== undefined && action.orientationId !== null && (resolved.orientation?.id ?? null) !== action.orientationId) {
        errors.push(await movedOutsideAmendment(manager, action));
      }
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
