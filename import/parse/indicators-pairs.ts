import { columnsWithRole } from '../detect';
import { DetectedColumn } from '../detect/types';
import { LaidOutTable } from './each-table';
import { ParsedIndicator } from './parsed.types';
import { SheetReader } from './sheet-reader';

/**
 * Indicator tables of pairs (layout `indicators-pairs`): « Valeur 1 » / « Année 1 » / « Commentaires 1 »
 * … « Valeur 4 » / « Année 4 », one row per indicator, « N° Mesure » or « N° action » for its action.
 *
 * - each pair with a value is one ACTUAL value of its year; a pair whose value is empty is skipped, whatever
 *   its year and comment say (templates pre-fill the years);
 * - a value without its year is YEAR_MISSING at the year's cell (never the upload's year: each pair says
 *   its own); a year that cannot be read is YEAR_INVALID there;
 * - two pairs of one year are one value (the same) or DUPLICATE_LINE (different): see addValue;
 * - « Commentaires n » are recognised but not kept: an indicator value has no place for a comment;
 * - without a « Unité » column (or with it empty), the unit is what the name ends with in parentheses:
 *   « Surface rénovée (m²) » → m², « Émissions évitées (teq CO2) » → teq CO2; the name stays as written.
 */
export interface ValuePair {
  index: number;
  value: DetectedColumn;
  year: DetectedColumn | undefined;
}

/** The table's pairs in number order (a « Valeur n » without its « Année n » is COLUMN_MISSING already, and read without a year). */
export function valuePairs(table: LaidOutTable<'indicators'>): ValuePair[] {
  const years = new Map(columnsWithRole(table, 'pairYear').map((column) => [column.index, column]));
  return columnsWithRole(table, 'pairValue')
    .map((value) => ({ index: value.index!, value, year: years.get(value.index) }))
    .sort((a, b) => a.index - b.index);
}

type IndicatorValue = ParsedIndicator['values'][number];

/** The row's values, one per pair with a value and a readable year. `quantity` reads a value cell (an error at the cell when invalid). */
export function readPairValues(
  reader: SheetReader,
  row: number,
  pairs: readonly ValuePair[],
  quantity: (column: DetectedColumn) => string | null,
): Array<{ col: number; value: IndicatorValue }> {
  const values: Array<{ col: number; value: IndicatorValue }> = [];
  for (const pair of pairs) {
    const value = quantity(pair.value);
    if (value === null) continue;
    const yearCell = pair.year ? reader.cell(row, pair.year.col) : null;
    if (!yearCell || reader.text(row, pair.year!.col) === null) {
      reader.issue('ERROR', 'YEAR_MISSING', `La valeur ${pair.index} (${value}) n'a pas d'année : remplissez « Année ${pair.index} ».`, row, (pair.year ?? pair.value).col);
      continue;
    }
    const year = reader.year(row, pair.year!.col, { min: 1990, max: 2100 });
    if (year === null) continue;
    values.push({ col: pair.value.col, value: { source: reader.source(row, pair.value.col), year, value, stage: 'ACTUAL' } });
  }
  return values;
}

/** The unit a name ends with in parentheses (« Surface rénovée (m²) » → m²); null without one. At most 40 characters. */
export function unitInName(name: string | null): string | null {
  if (name === null) return null;
  const match = /\(([^()]{1,40})\)\s*$/.exec(name);
  const unit = match?.[1].trim();
  return unit ? unit : null;
}
