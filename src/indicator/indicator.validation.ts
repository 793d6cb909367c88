import { checkText, checkYear, CODE_MAX, FieldError } from '../common/field-validation';
import { normaliseQuantity, QUANTITY_PRECISION, QUANTITY_SCALE } from '../sql/column-types';
import { CreateIndicatorInput, UpdateIndicatorInput } from './indicator.inputs';

// An indicator's input checked without the database: pure, tested alone (test/unit/action-validation.test.ts).

export const NAME_MAX = 255;
export const UNIT_MAX = 40;

export interface CheckedIndicatorInput {
  contract?: string;
  code?: string;
  name?: string;
  unit?: string;
  action?: string | null;
  orientation?: string | null;
  baseline?: string | null;
  target?: string | null;
  targetYear?: number | null;
}

/** Checks what can be checked without the database; undefined = unchanged, null = cleared. */
export function validateIndicatorInput(
  input: CreateIndicatorInput | UpdateIndicatorInput,
  mode: 'create' | 'update',
): { errors: FieldError[]; value: CheckedIndicatorInput } {
  const errors: FieldError[] = [];
  const create = mode === 'create';
  const value: CheckedIndicatorInput = {};
  if (create) value.contract = checkText(errors, 'contract', 'Le code du contrat', (input as CreateIndicatorInput).contract, { max: CODE_MAX, required: true });
  value.code = checkText(errors, 'code', 'Le code de l’indicateur', input.code, { max: CODE_MAX, required: create || input.code === null });
  value.name = checkText(errors, 'name', 'Le libellé', input.name, { max: NAME_MAX, required: create || input.name === null });
  value.unit = checkText(errors, 'unit', 'L’unité', input.unit, { max: UNIT_MAX, required: create || input.unit === null });
  value.action = input.action === undefined ? undefined : input.action?.trim() || null;
  value.orientation = input.orientation === undefined ? undefined : input.orientation?.trim() || null;
  if (value.action && value.orientation) {
    errors.push({ field: 'orientation', message: 'Un indicateur suit soit une action (action), soit une orientation (orientation), pas les deux.' });
  } else if (create && !value.action && !value.orientation) {
    errors.push({ field: 'action', message: 'Indiquez l’action (action) ou l’orientation (orientation) que suit l’indicateur.' });
  }
  value.baseline = checkQuantity(errors, 'baseline', 'La valeur de référence', input.baseline);
  value.target = checkQuantity(errors, 'target', 'La valeur cible', input.target);
  if (input.targetYear !== undefined) {
    checkYear(errors, 'targetYear', 'L’année cible', input.targetYear);
    value.targetYear = input.targetYear;
  }
  return { errors, value };
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
