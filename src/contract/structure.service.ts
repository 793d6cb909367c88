import { DataSource, EntityManager } from 'typeorm';
import { AuditHook } from '../audit/audit.service';
import { checkText, FieldError, fieldErrorsToGraphQLError, throwIfFieldErrors, TITLE_MAX } from '../common/field-validation';
import { isUniqueViolation } from '../sql/unique-violation';
import { Axis } from './axis.entity';
import { writeToContract } from './contract-write';
import { Contract } from './contract.entity';
import { findContract } from './contract.lookups';
import { Orientation } from './orientation.entity';

/**
 * A contract's structure as it writes it: axes with any code (« 1 », « A », « OS-2 »), orientations at any
 * depth (« 3.1.2 » under « 3.1 »). Codes are kept as written and unique within the contract. Authorisation
 * is the caller's (the mutations require an admin).
 */

export const AXIS_CODE_MAX = 40;
/** The orientation.code column's length. */
export const ORIENTATION_CODE_MAX = 10;

export interface AxisInput {
  code: string;
  title: string;
}

export interface OrientationInput {
  code: string;
  title: string;
  axisCode?: string | null;
  parentCode?: string | null;
}

export async function createAxis(dataSource: DataSource, contractCode: string, input: AxisInput, audit?: AuditHook<Axis>): Promise<Axis> {
  const errors: FieldError[] = [];
  const code = checkText(errors, 'code', 'Le code de l’axe', input.code, { max: AXIS_CODE_MAX, required: true });
  const title = checkText(errors, 'title', 'L’intitulé de l’axe', input.title, { max: TITLE_MAX, required: true });
  try {
    return await writeToContract(dataSource, { code: contractCode }, { audit }, async (manager) => {
      const contract = await contractOrError(manager, contractCode);
      if (code !== undefined && (await findAxis(manager, contract.id, code))) errors.unshift(axisCodeTaken(code, contract.code));
      throwIfFieldErrors(errors);
      // The number only orders the axes: the next one after the contract's last.
      const [{ last }] = await manager.query('SELECT MAX(number) AS last FROM axis WHERE contract_id = ?', [contract.id]);
      const repository = manager.getRepository(Axis);
      const { identifiers } = await repository.insert({ contractId: contract.id, number: Number(last ?? 0) + 1, code: code!, title: title! });
      return repository.findOneByOrFail({ id: Number(identifiers[0].id) });
    });
  } catch (error) {
    if (isUniqueViolation(error) && code) throw fieldErrorsToGraphQLError([axisCodeTaken(code, contractCode)]);
    throw error;
  }
}

export async function createOrientation(dataSource: DataSource, contractCode: string, input: OrientationInput, audit?: AuditHook<Orientation>): Promise<Orientation> {
  const errors: FieldError[] = [];
  const code = checkText(errors, 'code', 'Le code de l’orientation', input.code, { max: ORIENTATION_CODE_MAX, required: true });
  const title = checkText(errors, 'title', 'L’intitulé de l’orientation', input.title, { max: TITLE_MAX, required: true });
  const axisCode = input.axisCode?.trim() || null;
  const parentCode = input.parentCode?.trim() || null;
  if (!axisCode && !parentCode) {
    errors.push({ field: 'axisCode', message: 'Indiquez l’axe (axisCode) de l’orientation, ou l’orientation dont elle est une déclinaison (parentCode).' });
  }
  try {
    return await writeToContract(dataSource, { code: contractCode }, { audit }, async (manager) => {
      const contract = await contractOrError(manager, contractCode);
      const orientations = manager.getRepository(Orientation);
      if (code !== undefined && (await orientations.findOneBy({ contractId: contract.id, code }))) errors.unshift(orientationCodeTaken(code, contract.code));
      const axis = axisCode ? await findAxis(manager, contract.id, axisCode) : null;
      if (axisCode && !axis) errors.push({ field: 'axisCode', message: `L’axe (axisCode) « ${axisCode} » n’existe pas dans le contrat ${contract.code}.` });
      const parent = parentCode ? await orientations.findOneBy({ contractId: contract.id, code: parentCode }) : null;
      if (parentCode && !parent) {
        errors.push({ field: 'parentCode', message: `L’orientation parente (parentCode) « ${parentCode} » n’existe pas dans le contrat ${contract.code}.` });
      }
      if (axis && parent && parent.axisId !== axis.id) {
        const parentAxis = await manager.getRepository(Axis).findOneByOrFail({ id: parent.axisId });
        errors.push({
          field: 'axisCode',
          message: `L’axe (axisCode) « ${axisCode} » n’est pas celui de l’orientation parente « ${parent.code} » (axe « ${axisCodeOf(parentAxis)} »).`,
        });
      }
      throwIfFieldErrors(errors);
      const { identifiers } = await orientations.insert({
        contractId: contract.id,
        axisId: parent?.axisId ?? axis!.id,
        parentId: parent?.id ?? null,
        code: code!,
        title: title!,
      });
      return orientations.findOneByOrFail({ id: Number(identifiers[0].id) });
    });
  } catch (error) {
    if (isUniqueViolation(error) && code) throw fieldErrorsToGraphQLError([orientationCodeTaken(code, contractCode)]);
    throw error;
  }
}

/** An axis's code as its contract writes it; rows older than the column have none, their number stands for it. */
export function axisCodeOf(axis: Axis): string {
  return axis.code ?? String(axis.number);
}

async function contractOrError(manager: EntityManager, code: string): Promise<Contract> {
  const contract = await findContract(manager, code);
  if (!contract) throw fieldErrorsToGraphQLError([{ field: 'contract', message: `Contrat (contract) « ${code} » inconnu.` }]);
  return contract;
}

async function findAxis(manager: EntityManager, contractId: number, code: string): Promise<Axis | null> {
  const axes = await manager.getRepository(Axis).find({ where: { contractId } });
  return axes.find((axis) => axisCodeOf(axis) === code) ?? null;
}

function axisCodeTaken(code: string, contractCode: string): FieldError {
  return { field: 'code', message: `Le code de l’axe (code) « ${code} » est déjà utilisé dans le contrat ${contractCode}.` };
}

function orientationCodeTaken(code: string, contractCode: string): FieldError {
  return { field: 'code', message: `Le code de l’orientation (code) « ${code} » est déjà utilisé dans le contrat ${contractCode}.` };
}
