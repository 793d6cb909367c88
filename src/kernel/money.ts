/**
 * Money is exact: amounts travel as decimal strings with two decimals ("1234.50") and are added as
 * integer cents (bigint). No floating point between a file and a screen.
 */

export const MONEY_SCALE = 2;
/** DECIMAL(15,2): up to 9 999 999 999 999.99 €, enough for any public budget and exact in a double. */
export const MONEY_PRECISION = 15;
export const MAX_MONEY_CENTS = 10n ** BigInt(MONEY_PRECISION) - 1n;

const DECIMAL_PATTERN = /^([+-]?)(\d+)(?:\.(\d+))?$/;

export class MoneyFormatError extends Error {}

/** Parses a canonical decimal ("1234.5", "-0.10", "12") into cents; more than two decimals is refused. */
export function parseCents(value: string): bigint {
  const match = DECIMAL_PATTERN.exec(value.trim());
  if (!match) throw new MoneyFormatError(`« ${value} » n'est pas un montant décimal`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.replace(/0+$/, '').length > MONEY_SCALE) {
    throw new MoneyFormatError(`« ${value} » a plus de deux décimales`);
  }
  const cents = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, MONEY_SCALE));
  return sign === '-' ? -cents : cents;
}

/** Formats cents as a canonical decimal string with exactly two decimals. */
export function formatCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** formatCents, with plain numbers for the amounts a double holds exactly (every amount of a file). */
export function decimalOf(cents: bigint): string {
  if (cents < 0n || cents > 9_007_199_254_740_991n) return formatCents(cents);
  const n = Number(cents);
  let whole = Math.floor(n / 100);
  let fraction = n - whole * 100;
  // The division may round up near a whole number: put it right with exact integer arithmetic.
  if (fraction < 0) {
    whole -= 1;
    fraction += 100;
  }
  return `${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}

/** A decimal string exactly as formatCents writes it ("-0.00" aside, which it writes "0.00"). */
const CANONICAL_MONEY = /^-?(?:0|[1-9]\d*)\.\d\d$/;

/**
 * Normalises any decimal string to canonical two-decimal form ("0.1" → "0.10"). A string already
 * canonical (every amount read back from the database) is returned as is: parsing and formatting it
 * again through bigints was a tenth of a large nested answer's time.
 */
export function normaliseMoney(value: string): string {
  if (CANONICAL_MONEY.test(value) && value !== '-0.00') return value;
  return formatCents(parseCents(value));
}

/**
 * The canonical string of a DECIMAL(15,2) read as a double (better-sqlite3): within half a cent of the
 * stored value, so rounding to whole cents restores it; formatted with plain numbers while exact.
 */
export function moneyFromDouble(value: number): string {
  if (!Number.isFinite(value)) throw new MoneyFormatError(`valeur non finie : ${value}`);
  const cents = Math.round(value * 100);
  if (!Number.isSafeInteger(cents)) return formatCents(BigInt(cents));
  const abs = Math.abs(cents);
  const fraction = abs % 100;
  return `${cents < 0 ? '-' : ''}${(abs - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
}

/**
 * Reads what a driver returns for a DECIMAL or a SUM of cents: mysql2 gives strings, better-sqlite3
 * numbers (a REAL for DECIMAL columns, an integer for integer sums) or bigints.
 */
export function centsFromDriver(value: unknown, unit: 'euros' | 'cents'): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return unit === 'cents' ? value : value * 100n;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyFormatError(`valeur non finie : ${value}`);
    // A DECIMAL(15,2) read as a double is within half a cent of the stored value: rounding restores it.
    return BigInt(Math.round(unit === 'cents' ? value : value * 100));
  }
  if (typeof value === 'string') {
    if (unit === 'euros') return parseCents(value);
    // MySQL returns SUM over integers as a DECIMAL string ("12345" or "12345.0000").
    const match = /^(-?\d+)(?:\.0*)?$/.exec(value.trim());
    if (!match) throw new MoneyFormatError(`« ${value} » n'est pas un nombre entier de centimes`);
    return BigInt(match[1]);
  }
  throw new MoneyFormatError(`type de montant inattendu : ${typeof value}`);
}

export function sumCents(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}
