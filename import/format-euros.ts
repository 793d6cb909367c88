import { formatCents } from '../src/common/money';

/** "1 234 567,89 €": amounts in messages, written as the partner writes them. */
export function formatEuros(cents: bigint): string {
  const [whole, fraction] = formatCents(cents).split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  let grouped = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) grouped += ' ';
    grouped += digits[i];
  }
  return `${negative ? '-' : ''}${grouped},${fraction} €`;
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
