import { readFileSync } from 'node:fs';
import { parseCsv } from './csv';
import { fixturePath } from './fixtures';

export const ADEME_FILE = 'annexe3-ademe-2021-2023.csv';

/** "950000,50" (the partners' decimal comma) or "950000.50" → 95000050n; an empty cell is no money. */
export function cellCents(text: string): bigint {
  const trimmed = text.trim();
  if (!trimmed) return 0n;
  const [whole, fraction = ''] = trimmed.replace(',', '.').split('.');
  const value = BigInt(whole.replace('-', '')) * 100n + BigInt((fraction + '00').slice(0, 2));
  return whole.startsWith('-') ? -value : value;
}

export const centsDecimal = (cents: bigint) => `${cents < 0n ? '-' : ''}${(cents < 0n ? -cents : cents) / 100n}.${String((cents < 0n ? -cents : cents) % 100n).padStart(2, '0')}`;

/**
 * The ADEME annex 3's own figures, read from the file itself (`;`, BOM, decimal comma, one stage per
 * column), so that tests compare the API and the pages with the file rather than with the code under test.
 */
export function ademeFigures(): { requested: bigint; granted: bigint; paid: bigint; orientations: string[] } {
  const [header, ...rows] = parseCsv(readFileSync(fixturePath(ADEME_FILE), 'utf8').replace(/^\uFEFF/, ''), ';').filter((row) => row.length > 1);
  const column = (name: string) => header.indexOf(name);
  const sum = (name: string) => rows.reduce((total, row) => total + cellCents(row[column(name)]), 0n);
  return {
    requested: sum('montant_demande'),
    granted: sum('montant_attribue'),
    paid: sum('montant_paye'),
    orientations: [...new Set(rows.map((row) => row[column('orientation')]))],
  };
}

/** paid / planned (cents) rounded half up to 4 decimals, as the test works it out: "0.0021". */
export function expectedRate(paid: bigint, planned: bigint): string {
  const units = (paid * 10000n * 2n + planned) / (planned * 2n);
  return `${units / 10000n}.${String(units % 10000n).padStart(4, '0')}`;
}
