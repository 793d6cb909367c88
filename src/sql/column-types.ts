import { ColumnOptions, ValueTransformer } from 'typeorm';
import { centsFromDriver, formatCents, MONEY_PRECISION, MONEY_SCALE, moneyFromDouble, normaliseMoney } from '../kernel/money';

/**
 * DECIMAL columns come back as strings from mysql2 and as doubles from better-sqlite3: both are
 * turned into one canonical decimal string, so the rest of the code never sees a float.
 */
export const moneyTransformer: ValueTransformer = {
  to: (value: string | null | undefined) => (value === null || value === undefined ? value : normaliseMoney(value)),
  from: (value: unknown) => {
    if (value === null || value === undefined) return null;
    // The drivers' usual forms straight to the canonical string (SQLite: a double; mysql2: "1234.50").
    if (typeof value === 'number') return moneyFromDouble(value);
    if (typeof value === 'string') return normaliseMoney(value);
    return formatCents(centsFromDriver(value, 'euros'));
  },
};

export function moneyColumn(options: Partial<ColumnOptions> = {}): ColumnOptions {
  return { type: 'decimal', precision: MONEY_PRECISION, scale: MONEY_SCALE, transformer: moneyTransformer, ...options };
}

/** Indicator quantities: exact decimals with four places (tonnes, km, %, counts). */
export const QUANTITY_PRECISION = 18;
export const QUANTITY_SCALE = 4;

const QUANTITY_PATTERN = /^([+-]?)(\d+)(?:\.(\d+))?$/;

export function normaliseQuantity(value: string): string {
  const match = QUANTITY_PATTERN.exec(value.trim());
  if (!match) throw new Error(`« ${value} » n'est pas un nombre décimal`);
  const [, sign, whole, fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > QUANTITY_SCALE) throw new Error(`« ${value} » a plus de ${QUANTITY_SCALE} décimales`);
  const integer = BigInt(whole).toString();
  const negative = sign === '-' && (integer !== '0' || trimmed !== '');
  return `${negative ? '-' : ''}${integer}${trimmed ? `.${trimmed}` : ''}`;
}

export const quantityTransformer: ValueTransformer = {
  to: (value: string | null | undefined) => (value === null || value === undefined ? value : normaliseQuantity(value)),
  from: (value: unknown) => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return normaliseQuantity(value.toFixed(QUANTITY_SCALE));
    return normaliseQuantity(String(value));
  },
};

export function quantityColumn(options: Partial<ColumnOptions> = {}): ColumnOptions {
  return { type: 'decimal', precision: QUANTITY_PRECISION, scale: QUANTITY_SCALE, transformer: quantityTransformer, ...options };
}

/** Dates and times are stored in UTC by the application, not by a database default. */
export const timestampColumn = (options: Partial<ColumnOptions> = {}): ColumnOptions => ({ type: 'datetime', ...options });
