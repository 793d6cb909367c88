import { detectTable } from '../detect';
import { DetectedTable, LayoutName } from '../detect/detected-table.types';
import { documentationContent, documentationNameOf, documentationReason, holdsAmountColumn, tableHoldsFigures } from '../detect/documentation-sheet';
import { ImportKindName } from '../detect/types';
import { appendAll, cellAddress, IssueDraft, SheetGrid, WorkbookGrid } from '../common/model';
import { ParseOutput } from './parsed.types';

/** A table whose layout was recognised. */
export type LaidOutTable<K extends ImportKindName> = DetectedTable<K> & { layout: LayoutName<K> };

/** The parser of each layout of a kind: a layout added to layouts.data.ts does not compile without one. */
export type SheetParsers<K extends ImportKindName> = Record<LayoutName<K>, (sheet: SheetGrid, table: LaidOutTable<K>) => void>;

/**
 * What every kind's parser does around its own rows: find the table of each visible sheet, keep the
 * detection's issues, parse the sheets that have one by the parser of its layout, and say so — in the
 * partner's words — when none has. Returns the layouts found (also written, joined, into `output.layout`).
 *
 * Documentation sheets (documentation-sheet.ts) are left aside with a NOTE, unless they hold a table
 * with figures: then they are read like any sheet when the table reads, and left aside with a WARNING
 * saying why when it does not (a documentation sheet never refuses the file). An example sheet that
 * holds a table is not read, with a WARNING. A table found but not one row filled (an empty template) is
 * NO_DATA.
 */
export function parseEachTable<K extends ImportKindName>(
  workbook: WorkbookGrid,
  kind: K,
  output: ParseOutput,
  noTableMessage: string,
  parsers: SheetParsers<K>,
  nothingRead?: () => boolean,
): Set<LayoutName<K>> {
  const layouts = new Set<LayoutName<K>>();
  const emptyTables: Array<{ sheet: SheetGrid; table: DetectedTable<K> }> = [];
  const readTables: Array<{ sheet: SheetGrid; table: DetectedTable<K> }> = [];
  let dataRows = 0;
  for (const sheet of workbook.sheets) {
    const table = detectTable(sheet, kind);
    if (setAsideAsDocumentation(sheet, table, output)) continue;
    if (!table) {
      reportSheetWithoutTable(sheet, output);
      continue;
    }
    appendAll(output.issues, table.issues);
    const layout = table.layout;
    if (!layout) continue;
    layouts.add(layout);
    dataRows += table.dataRows.length;
    if (table.dataRows.length === 0) emptyTables.push({ sheet, table });
    readTables.push({ sheet, table });
    parsers[layout](sheet, { ...table, layout });
  }
  const hasError = output.issues.some((issue) => issue.severity === 'ERROR');
  if (layouts.size === 0 && !hasError) {
    output.issues.push({ severity: 'ERROR', code: 'NO_TABLE_FOUND', message: noTableMessage, sheet: null, cell: null, value: null });
  } else if (layouts.size > 0 && dataRows === 0 && !hasError) {
    output.issues.push(noDataIssue(emptyTables));
  } else if (layouts.size > 0 && !hasError && nothingRead?.()) {
    // Rows below the header, but none the kind can read (an action plan's template: its example axis, a
    // lone « Obligatoire »): as empty as a template with nothing below, and said so rather than 0 lines.
    output.issues.push(noDataIssue(readTables));
  }
  output.layout = [...layouts].join(', ');
  return layouts;
}

/**
 * A documentation or example sheet is set aside (true) with what to say; any other sheet, or one whose
 * name says documentation but which holds a table with figures, is left to the caller (false).
 */
function setAsideAsDocumentation(sheet: SheetGrid, table: DetectedTable | null, output: ParseOutput): boolean {
  const byName = documentationNameOf(sheet.name);
  if (byName === null) {
    if (table) return false;
    const content = documentationContent(sheet);
    if (!content) return false;
    output.issues.push(documentationNote(sheet, null, content));
    return true;
  }
  const figures = table ? tableHoldsFigures(sheet, table) : holdsAmountColumn(sheet);
  if (!figures) {
    output.issues.push(documentationNote(sheet, byName, null));
    return true;
  }
  if (byName === 'example' && table?.layout) {
    output.issues.push({
      severity: 'WARNING',
      code: 'SHEET_EXAMPLE_SKIPPED',
      message: `La feuille « ${sheet.name.trim()} » est un exemple (son nom le dit) : ses ${table.dataRows.length} ligne(s) ne sont pas lues. Si elle contient vos données, renommez-la.`,
      sheet: sheet.name,
      cell: null,
      value: null,
    });
    return true;
  }
  if (table && (!table.layout || table.issues.some((issue) => issue.severity === 'ERROR'))) {
    // Figures under a documentation name in no table that reads (a METADONNEES sheet with example values,
    // a notice with a worked example): not a reason to refuse the file, not to be passed over in silence.
    const why = table.issues.find((issue) => issue.severity === 'ERROR');
    output.issues.push({
      severity: 'WARNING',
      code: 'SHEET_WITHOUT_TABLE',
      message:
        `La feuille « ${sheet.name.trim()} » porte un nom de documentation et contient des montants, mais pas de tableau lisible : elle n'est pas lue.` +
        (why ? ` Si elle doit l'être : ${lowerFirst(why.message)}` : ''),
      sheet: sheet.name,
      cell: why?.cell ?? null,
      value: null,
    });
    return true;
  }
  // A table with figures under a documentation name, that reads: it is read like any other.
  return false;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function documentationNote(sheet: SheetGrid, byName: ReturnType<typeof documentationNameOf>, content: 'prose' | 'lists' | null): IssueDraft {
  return {
    severity: 'NOTE',
    code: 'SHEET_DOCUMENTATION',
    message: `La feuille « ${sheet.name.trim()} » est de la documentation (${documentationReason(byName, content)}) : elle n'est pas lue.`,
    sheet: sheet.name,
    cell: null,
    value: null,
  };
}

/** NO_DATA: the tables found, their header rows, and that nothing is filled below. */
function noDataIssue(tables: ReadonlyArray<{ sheet: SheetGrid; table: DetectedTable }>): IssueDraft {
  const first = tables[0];
  const where = tables.map(({ sheet, table }) => `« ${sheet.name.trim()} » (en-têtes ligne ${table.headerRow + 1})`).join(', ');
  const examples = tables.reduce((n, { table }) => n + table.skippedRows.filter((row) => row.reason === 'example' || row.reason === 'instruction').length, 0);
  return {
    severity: 'ERROR',
    code: 'NO_DATA',
    message:
      `Le fichier ne contient aucune donnée : ${tables.length === 1 ? 'le tableau de la feuille' : 'les tableaux des feuilles'} ${where} ${tables.length === 1 ? 'est reconnu' : 'sont reconnus'}, mais aucune ligne n'est remplie en dessous` +
      `${examples ? ` (${examples === 1 ? "la ligne d'exemple ou de consigne n'est pas lue" : `les ${examples} lignes d'exemple ou de consigne ne sont pas lues`})` : ''}. ` +
      "C'est sans doute le modèle vide : remplissez-le, puis déposez-le à nouveau.",
    sheet: first ? first.sheet.name : null,
    cell: first ? cellAddress(first.table.headerRow, first.table.columns[0]?.col ?? 0) : null,
    value: null,
  };
}

function reportSheetWithoutTable(sheet: SheetGrid, output: ParseOutput): void {
  // A sheet of a few cells (a title, a note) is not a table someone meant us to read; a column of amounts is.
  const filledRows = sheet.rows.filter((row) => row?.some((cell) => cell !== null)).length;
  if (filledRows >= 5 || (filledRows > 0 && holdsAmountColumn(sheet))) {
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
