/**
 * The one euro formatter: amounts in French, for messages and print ("1 234 567,89 €"). Exact: it
 * works on the digits of bigint cents, never on a double.
 */

/** How an amount is written: the defaults give "1 050 000,00 €". */
export interface EuroStyle {
  /** 'always' (default) writes ",00"; 'unless-zero' leaves it out: "1 050 000 €" but "1,05 €". */
  cents?: 'always' | 'unless-zero';
  /** Between groups of three digits: a space (default), or a narrow no-break space for print. */
  separator?: ' ' | '\u202f';
}

/** French grouping of an integer's digits: "1050000" → "1 050 000". */
export function groupThousands(digits: string, separator = ' '): string {
  const first = digits.length % 3 || 3;
  let out = digits.slice(0, first);
  for (let i = first; i < digits.length; i += 3) out += `${separator}${digits.slice(i, i + 3)}`;
  return out;
}

/** Cents as a partner reads them: 123456789n → "1 234 567,89 €", -5n → "-0,05 €". */
export function formatEuros(cents: bigint, style: EuroStyle = {}): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = groupThousands((abs / 100n).toString(), style.separator);
  const fraction = abs % 100n;
  const decimals = fraction === 0n && style.cents === 'unless-zero' ? '' : `,${fraction.toString().padStart(2, '0')}`;
  return `${negative ? '-' : ''}${whole}${decimals} €`;
}
