/** The detection's result and the layout names, typed by the layouts of layouts.data.ts (apart from types.ts, which
 * layouts.data.ts itself imports). */
import type { IssueDraft } from '../common/model';
import type { LAYOUTS } from './layouts.data';
import type { DetectedColumn, ImportKindName, Section, SkippedRow, TotalRow } from './types';

/**
 * The names of the layouts of a kind (all kinds by default), a closed set read from layouts.data.ts:
 * 'long' | 'pairs' | 'by-year' | 'by-funder' for annex3… Each parser takes a Record of them, so a layout
 * added to the data does not compile until a parser reads it.
 */
export type LayoutName<K extends ImportKindName = ImportKindName> = (typeof LAYOUTS)[K][number]['name'];

export interface DetectedTable<K extends ImportKindName = ImportKindName> {
  sheet: string;
  kind: K;
  /** 0-based. */
  headerRow: number;
  /** One per non-empty header cell, plus inferred columns; in column order. */
  columns: DetectedColumn[];
  /** A name from layouts.data.ts; null when no layout fits (a LAYOUT_UNKNOWN error is in `issues`). */
  layout: LayoutName<K> | null;
  /** 0-based rows to parse, in order. */
  dataRows: number[];
  /** Every row below the header that is not a data row, with why; in order. */
  skippedRows: SkippedRow[];
  /** Subtotal and total rows (also in skippedRows), for the check stage. */
  totalRows: TotalRow[];
  /** Group-heading rows (also in skippedRows): annex 2's volets, an annex 3's axes. */
  sections: Section[];
  /** Columns of role 'rowTotal' ('Total' that is not a year). */
  totalColumns: number[];
  issues: IssueDraft[];
}
