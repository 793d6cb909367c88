import { GraphQLError } from 'graphql';
import { formatCents, MAX_MONEY_CENTS, MoneyFormatError, parseCents } from '../kernel/money';

// Field errors of the write services (actions, indicators, saved reports): every mistake of one input
// is collected, then reported at once, in French.

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

/** A commune's INSEE code: five digits, or 2A/2B and three digits in Corsica. */
export const INSEE_CODE = /^(?:\d{5}|2[AB]\d{3})$/;
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
