/**
 * Territoires en Transitions action plans (ADEME's national template): the funders come in pairs whose
 * amount headers carry no number — « Financeur 1 » | « Montant € HT » | « Financeur 2 » | « Montant € HT ».
 * Each such amount belongs to the funder column right before it, so it takes that column's pair number
 * (role 'planAmount'), rather than being a second « Montant » to set aside: merging the amounts would
 * lose which is whose.
 */
import type { DetectedColumn } from './types';

/** An amount header without a number (« Montant € HT », « Montant TTC », « Montant »). */
function isUnnumberedAmount(column: DetectedColumn | undefined): column is DetectedColumn {
  return column !== undefined && column.role === 'amount';
}

/**
 * Pairs, in place, each unnumbered amount column with the funder column just left of it: a numbered
 * « Financeur n » gives its n; unnumbered « Financeur » columns followed by an amount are numbered in
 * order after the numbered ones, when there are at least two such pairs (one « Financeur » | « Montant »
 * is the long layout's). `columns` are in column order.
 */
export function pairAmountsWithFunders(columns: DetectedColumn[]): void {
  const adjacent = (i: number) => (columns[i + 1]?.col === columns[i].col + 1 ? columns[i + 1] : undefined);
  const unnumbered: Array<[DetectedColumn, DetectedColumn]> = [];
  let lastIndex = 0;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    const next = adjacent(i);
    if (column.role === 'pairFunder' && column.index !== undefined) {
      lastIndex = Math.max(lastIndex, column.index);
      if (isUnnumberedAmount(next)) pair(column.index, next);
    } else if (column.role === 'funder' && isUnnumberedAmount(next)) {
      unnumbered.push([column, next]);
    }
  }
  if (unnumbered.length < 2) return;
  for (const [funder, amount] of unnumbered) {
    lastIndex++;
    funder.role = 'pairFunder';
    funder.index = lastIndex;
    pair(lastIndex, amount);
  }
}

function pair(index: number, amount: DetectedColumn): void {
  amount.role = 'planAmount';
  amount.index = index;
  amount.expects = 'number';
}
