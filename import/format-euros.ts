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
