import { detectTable } from '../detect';
import { DetectedTable, LayoutName } from '../detect/detected-table.types';
import { ImportKindName } from '../detect/types';
import { appendAll, SheetGrid, WorkbookGrid } from '../common/model';
import { ParseOutput } from './parsed.types';

/** A table whose layout was recognised. */
export type LaidOutTable<K extends ImportKindName> = DetectedTable<K> & { layout: LayoutName<K> };

/** The parser of each layout of a kind: a layout added to layouts.data.ts does not compile without one. */
export type SheetParsers<K extends ImportKindName> = Record<LayoutName<K>, (sheet: SheetGrid, table: LaidOutTable<K>) => void>;

/**
 * What every kind's parser does around its own rows: find the table of each visible sheet, keep the
 * detection's issues, parse the sheets that have one by the parser of its layout, and say so — in the
 * partner's words — when none has. Returns the layouts found (also written, joined, into `output.layout`).
 */
export function parseEachTable<K extends ImportKindName>(
  workbook: WorkbookGrid,
  kind: K,
  output: ParseOutput,
  noTableMessage: string,
  parsers: SheetParsers<K>,
): Set<LayoutName<K>> {
  const layouts = new Set<LayoutName<K>>();
  for (const sheet of workbook.sheets) {
    const table = detectTable(sheet, kind);
    if (!table) {
      reportSheetWithoutTable(sheet, output);
      continue;
    }
    appendAll(output.issues, table.issues);
    const layout = table.layout;
    if (!layout) continue;
    layouts.add(layout);
    parsers[layout](sheet, { ...table, layout });
  }
  if (layouts.size === 0 && !output.issues.some((issue) => issue.severity === 'ERROR')) {
    output.issues.push({ severity: 'ERROR', code: 'NO_TABLE_FOUND', message: noTableMessage, sheet: null, cell: null, value: null });
  }
  output.layout = [...layouts].join(', ');
  return layouts;
}

/** Sheets that explain or list choices ("Aide", "Listes", "Notice"…): never a table to read. */
const HELP_SHEETS = /^(aide|listes?|notice|lisez[- ]moi|mode d.emploi|instructions?|consignes?|read ?me)\b/i;

function reportSheetWithoutTable(sheet: SheetGrid, output: ParseOutput): void {
  // A sheet of a few cells (drop-down lists, notes) is not a table someone meant us to read.
  const filledRows = sheet.rows.filter((row) => row?.some((cell) => cell !== null)).length;
  if (filledRows >= 5 && !HELP_SHEETS.test(sheet.name.trim())) {
    output.issues.push({
      severity: 'WARNING',
      code: 'SHEET_WITHOUT_TABLE',
      message: `La feuille « ${sheet.name} » contient des données mais aucun tableau reconnu : elle n'est pas lue.`,
      sheet: sheet.name,
      cell: null,
      value: null,
    });
  }
}
