import { EntityManager } from 'typeorm';
import { findAction, findOrientation, organisationLabel, WriteContext } from '../action/action.service';
import { isUniqueViolation } from '../sql/unique-violation';
import { Action } from '../action/action.entity';
import { requireAdmin, requireOrganisationWrite, requireWriter } from '../request/authorisation';
import { checkText, checkYear, CODE_MAX, FieldError, fieldErrorsToGraphQLError, throwIfFieldErrors } from '../common/field-validation';
import { Contract } from '../contract/contract.entity';
import { findContract } from '../contract/contract.lookups';
import { Orientation } from '../contract/orientation.entity';
import { Organisation } from '../organisation/organisation.entity';
import { IndicatorValue } from './indicator-value.entity';
import { Indicator } from './indicator.entity';
import { AuditHook } from '../audit/audit.service';
import { writeToContract } from '../contract/contract-write';
import { CreateIndicatorInput, DeleteIndicatorValueInput, SetIndicatorValueInput, UpdateIndicatorInput } from './indicator.inputs';
import { CheckedIndicatorInput, checkQuantity, validateIndicatorInput } from './indicator.validation';

const ORIENTATION_ONLY_ADMIN = 'les indicateurs d’une orientation ne relèvent d’aucun maître d’ouvrage';

/** Who may write an indicator: the lead of its action (or an admin); an orientation's, admins only. */
async function requireIndicatorOwner(ctx: WriteContext, manager: EntityManager, owner: { action: Action | null; orientation: Orientation | null }, verb: string) {
  if (owner.action) {
    const lead = owner.action.leadId === null ? null : await manager.getRepository(Organisation).findOne({ where: { id: owner.action.leadId } });
    requireOrganisationWrite(ctx, owner.action.leadId, `${verb} l’action ${owner.action.code}, dont le maître d’ouvrage est ${organisationLabel(lead)}`);
  } else {
    requireAdmin(ctx, ORIENTATION_ONLY_ADMIN);
  }
}

async function ownerOf(manager: EntityManager, indicator: Indicator): Promise<{ action: Action | null; orientation: Orientation | null }> {
  return {
    action: indicator.actionId === null ? null : await manager.getRepository(Action).findOne({ where: { id: indicator.actionId } }),
    orientation: indicator.orientationId === null ? null : await manager.getRepository(Orientation).findOne({ where: { id: indicator.orientationId } }),
  };
}

/** Resolves the action or orientation an input names; an error per unknown one. */
async function resolveOwner(
  manager: EntityManager,
  contract: Contract,
  value: CheckedIndicatorInput,
  errors: FieldError[],
): Promise<{ action?: Action | null; orientation?: Orientation | null }> {
  const resolved: { action?: Action | null; orientation?: Orientation | null } = {};
  if (value.action === null) resolved.action = null;
  else if (value.action !== undefined) {
    const action = await findAction(manager, contract.id, value.action);
    if (action) resolved.action = action;
    else errors.push({ field: 'action', message: `Action (action) « ${value.action} » inconnue dans le contrat ${contract.code}.` });
  }
  if (value.orientation === null) resolved.orientation = null;
  else if (value.orientation !== undefined) {
    const orientation = await findOrientation(manager, contract.id, value.orientation);
    if (orientation) resolved.orientation = orientation;
    else errors.push({ field: 'orientation', message: `Orientation (orientation) « ${value.orientation} » inconnue dans le contrat ${contract.code}, ou close par un avenant.` });
  }
  return resolved;
}

async function findIndicator(manager: EntityManager, contractId: number, code: string): Promise<Indicator | null> {
  return manager.getRepository(Indicator).findOne({ where: { contractId, code } });
}

const codeTaken = (code: string, contractCode: string): FieldError => ({
  field: 'code',
  message: `Le code de l’indicateur (code) « ${code} » est déjà utilisé dans le contrat ${contractCode}.`,
});

/** Contract then indicator, for mutations that address one indicator by its codes. */
async function findIndicatorOrFail(manager: EntityManager, contractCode: string, code: string, codeField: string): Promise<{ contract: Contract; indicator: Indicator }> {
  const contract = await findContract(manager, contractCode);
  if (!contract) throw fieldErrorsToGraphQLError([{ field: 'contract', message: `Contrat (contract) « ${contractCode} » inconnu.` }]);
  const indicator = await findIndicator(manager, contract.id, code);
  if (!indicator) throw fieldErrorsToGraphQLError([{ field: codeField, message: `Aucun indicateur de code (${codeField}) « ${code} » dans le contrat ${contract.code}.` }]);
  return { contract, indicator };
}

export async function createIndicator(ctx: WriteContext, input: CreateIndicatorInput, audit?: AuditHook<Indicator>): Promise<Indicator> {
  requireWriter(ctx);
  const { errors, value } = validateIndicatorInput(input, 'create');
  // Orientation-level indicators: refused to editors whatever else the input says.
  if (value.orientation) requireAdmin(ctx, ORIENTATION_ONLY_ADMIN);
  try {
    return await writeToContract(ctx.dataSource, value.contract ? { code: value.contract } : null, { audit, caller: ctx }, async (manager) => {
      const contract = value.contract ? await findContract(manager, value.contract) : null;
      if (value.contract && !contract) errors.push({ field: 'contract', message: `Contrat (contract) « ${value.contract} » inconnu.` });
      let resolved: { action?: Action | null; orientation?: Orientation | null } = {};
      if (contract) {
        if (value.code && (await findIndicator(manager, contract.id, value.code))) errors.push(codeTaken(value.code, contract.code));
        resolved = await resolveOwner(manager, contract, value, errors);
      }
      if (resolved.action) await requireIndicatorOwner(ctx, manager, { action: resolved.action, orientation: null }, 'l’indicateur suivrait');
      throwIfFieldErrors(errors);

      const now = new Date();
      const repository = manager.getRepository(Indicator);
      const indicator = repository.create({
        contractId: contract!.id,
        actionId: resolved.action?.id ?? null,
        orientationId: resolved.orientation?.id ?? null,
        code: value.code!,
        name: value.name!,
        unit: value.unit!,
        baseline: value.baseline ?? null,
        target: value.target ?? null,
        targetYear: value.targetYear ?? null,
        createdAt: now,
        updatedAt: now,
      });
      await repository.insert(indicator);
      return repository.findOneOrFail({ where: { id: indicator.id } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldErrorsToGraphQLError([codeTaken(value.code!, value.contract!)]);
    throw error;
  }
}

export async function updateIndicator(ctx: WriteContext, contractCode: string, code: string, input: UpdateIndicatorInput, audit?: AuditHook<Indicator>): Promise<Indicator> {
  requireWriter(ctx);
  try {
    return await writeToContract(ctx.dataSource, { code: contractCode }, { audit, caller: ctx }, async (manager) => {
      const { contract, indicator } = await findIndicatorOrFail(manager, contractCode, code, 'code');
      await requireIndicatorOwner(ctx, manager, await ownerOf(manager, indicator), 'l’indicateur suit');

      const { errors, value } = validateIndicatorInput(input, 'update');
      if (value.orientation) requireAdmin(ctx, ORIENTATION_ONLY_ADMIN);
      if (value.code && value.code !== indicator.code && (await findIndicator(manager, contract.id, value.code))) errors.push(codeTaken(value.code, contract.code));
      const resolved = await resolveOwner(manager, contract, value, errors);
      if (resolved.action && resolved.action.id !== indicator.actionId) {
        await requireIndicatorOwner(ctx, manager, { action: resolved.action, orientation: null }, 'l’indicateur suivrait');
      }

      // Attaching to one side detaches from the other; it must stay attached to exactly one.
      let actionId = indicator.actionId;
      let orientationId = indicator.orientationId;
      if (resolved.action !== undefined) {
        actionId = resolved.action?.id ?? null;
        if (resolved.action && resolved.orientation === undefined) orientationId = null;
      }
      if (resolved.orientation !== undefined) {
        orientationId = resolved.orientation?.id ?? null;
        if (resolved.orientation && resolved.action === undefined) actionId = null;
      }
      const ownerErrors = errors.some((e) => e.field === 'action' || e.field === 'orientation');
      if (!ownerErrors && actionId === null && orientationId === null) {
        errors.push({ field: value.action === null ? 'action' : 'orientation', message: 'Un indicateur doit rester rattaché à une action (action) ou à une orientation (orientation).' });
      }
      throwIfFieldErrors(errors);

      const patch: Partial<Indicator> = { updatedAt: new Date(), actionId, orientationId };
      if (value.code !== undefined) patch.code = value.code;
      if (value.name !== undefined) patch.name = value.name;
      if (value.unit !== undefined) patch.unit = value.unit;
      if (value.baseline !== undefined) patch.baseline = value.baseline;
      if (value.target !== undefined) patch.target = value.target;
      if (value.targetYear !== undefined) patch.targetYear = value.targetYear;
      await manager.getRepository(Indicator).update({ id: indicator.id }, patch);
      return manager.getRepository(Indicator).findOneOrFail({ where: { id: indicator.id } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldErrorsToGraphQLError([codeTaken(input.code ?? '', contractCode)]);
    throw error;
  }
}

/** Creates or replaces the value of (indicator, year, stage); returns the indicator. */
export async function setIndicatorValue(ctx: WriteContext, input: SetIndicatorValueInput, audit?: AuditHook<Indicator>): Promise<Indicator> {
  requireWriter(ctx);
  const errors: FieldError[] = [];
  const contractCode = checkText(errors, 'contract', 'Le code du contrat', input.contract, { max: CODE_MAX, required: true });
  const indicatorCode = checkText(errors, 'indicator', 'Le code de l’indicateur', input.indicator, { max: CODE_MAX, required: true });
  checkYear(errors, 'year', 'L’année', input.year);
  const value = checkQuantity(errors, 'value', 'La valeur', input.value);
  if (value === null) errors.push({ field: 'value', message: 'La valeur (value) est obligatoire et ne peut pas être vide.' });
  return writeToContract(ctx.dataSource, contractCode ? { code: contractCode } : null, { audit, caller: ctx }, async (manager) => {
    const contract = contractCode ? await findContract(manager, contractCode) : null;
    if (contractCode && !contract) errors.push({ field: 'contract', message: `Contrat (contract) « ${contractCode} » inconnu.` });
    const indicator = contract && indicatorCode ? await findIndicator(manager, contract.id, indicatorCode) : null;
    if (contract && indicatorCode && !indicator) {
      errors.push({ field: 'indicator', message: `Indicateur (indicator) « ${indicatorCode} » inconnu dans le contrat ${contract.code}.` });
    }
    if (indicator) await requireIndicatorOwner(ctx, manager, await ownerOf(manager, indicator), 'l’indicateur suit');
    throwIfFieldErrors(errors);

    const repository = manager.getRepository(IndicatorValue);
    const now = new Date();
    const existing = await repository.findOne({ where: { indicatorId: indicator!.id, year: input.year, stage: input.stage } });
    // A value typed through the API has no source file: it replaces any imported lineage of that cell.
    const fields = { value: value!, rawValue: input.value.trim().slice(0, 500), batchId: null, sourceSheet: null, sourceCell: null, updatedAt: now };
    if (existing) await repository.update({ id: existing.id }, fields);
    else await repository.insert({ indicatorId: indicator!.id, year: input.year, stage: input.stage, createdAt: now, ...fields });
    return manager.getRepository(Indicator).findOneOrFail({ where: { id: indicator!.id } });
  });
}

/** Deletes the value of (indicator, year, stage); false when there was none. */
export async function deleteIndicatorValue(ctx: WriteContext, input: DeleteIndicatorValueInput, audit?: AuditHook<Indicator>): Promise<boolean> {
  requireWriter(ctx);
  const errors: FieldError[] = [];
  checkYear(errors, 'year', 'L’année', input.year);
  const { deleted } = await writeToContract<{ deleted: boolean; indicator: Indicator }>(
    ctx.dataSource,
    { code: input.contract },
    {
      // Deleting nothing wrote nothing: no new version, no audit row.
      changed: (outcome) => outcome.deleted,
      audit: async (manager, outcome) => {
        if (outcome.deleted) await audit?.(manager, outcome.indicator);
      },
    },
    async (manager) => {
      const { indicator } = await findIndicatorOrFail(manager, input.contract, input.indicator, 'indicator');
      await requireIndicatorOwner(ctx, manager, await ownerOf(manager, indicator), 'l’indicateur suit');
      throwIfFieldErrors(errors);
      const result = await manager.getRepository(IndicatorValue).delete({ indicatorId: indicator.id, year: input.year, stage: input.stage });
      return { deleted: (result.affected ?? 0) > 0, indicator };
    },
  );
  return deleted;
}
