/**
 * Documentation sheets (issue 15, point 3): « METADONNEES », « Lisez-moi », « Notice », « Mode d'emploi »,
 * « Listes déroulantes », « Paramètres », « Exemple », or a sheet whose content says it (prose in one
 * column, short lists of choices with no amount). They are left aside with a NOTE — never a sheet that
 * holds a table with figures: that one is read (or its problems reported) whatever its name.
 *
 * Cost: one pass over the sheet's cells.
 */
import { normaliseText } from '../../src/kernel/normalise-text';
import { type Cell, type SheetGrid, cellText } from '../common/model';
import type { DetectedTable } from './detected-table.types';
import { YEAR_MAX, YEAR_MIN } from './role-matcher';

export type DocumentationName = 'documentation' | 'example';

/** Sheet names (normalised) that announce documentation, whole or followed by other words. */
const DOCUMENTATION_NAMES = [
  /^meta ?donnees?\b/,
  /^lisez ?moi\b/,
  /^lire ?moi\b/,
  /^a lire\b/,
  /^read ?me\b/,
  /^notice\b/,
  /^mode d ?emploi\b/,
  /^guide\b/,
  /^aide\b/,
  /^instructions?\b/,
  /^consignes?\b/,
  /^documentation\b/,
  /^glossaire\b/,
  /^sommaire\b/,
  /^legendes?\b/,
  /^nomenclatures?\b/,
  /^parametr(es?|ages?)\b/,
  // « Listes », « Listes déroulantes », « Liste de choix »; not « Liste des projets ».
  /^listes?( (deroulantes?|de choix|de valeurs|des valeurs|de references?|menus?))?$/,
  /^listes deroulantes?\b/,
  /^valeurs? (possibles?|autorisees?)\b/,
];
// Not « Ex. 2024 », which may well be « Exercice 2024 ».
const EXAMPLE_NAMES = [/^exemples?\b/, /^fiche exemple\b/, /^modele rempli\b/];

/** What a sheet's name says it is: documentation, an example, or nothing (null). */
export function documentationNameOf(name: string): DocumentationName | null {
  const n = normaliseText(name);
  if (!n) return null;
  if (EXAMPLE_NAMES.some((re) => re.test(n))) return 'example';
  if (DOCUMENTATION_NAMES.some((re) => re.test(n))) return 'documentation';
  return null;
}

/** Fewer filled rows than this: too little to call documentation by content. */
const MIN_ROWS = 3;
/** A text of this many characters or more is prose, not a value. */
const LONG_TEXT = 60;
/** An amount: a number at least this large (not a year, not a date), or a text with a euro sign and digits. */
const AMOUNT_MIN = 100;
/** A column with this many amounts holds figures: one figure in a notice (« Nombre de lignes : 4 567 ») does not. */
const AMOUNTS_PER_COLUMN = 2;

function isDateFormat(format: string | undefined): boolean {
  return !!format && /(^|[^"\\])(d|y|yy|mmm)/i.test(format.replace(/"[^"]*"/g, '')) && !/[0#]/.test(format);
}

function isAmountLike(cell: Cell | null | undefined): boolean {
  if (!cell) return false;
  if (cell.kind === 'number') {
    const v = cell.value as number;
    if (Number.isInteger(v) && v >= YEAR_MIN && v <= YEAR_MAX) return false;
    if (isDateFormat(cell.format)) return false;
    return Math.abs(v) >= AMOUNT_MIN;
  }
  if (cell.kind === 'string') {
    const t = String(cell.value);
    return /\d/.test(t) && /€|\b(k|m)?eur(os?)?\b/i.test(t) && t.length < 40;
  }
  return false;
}

/** Whether some column, from `fromRow` down, holds figures (AMOUNTS_PER_COLUMN amounts or more). */
export function holdsAmountColumn(sheet: SheetGrid, fromRow = 0): boolean {
  const perColumn = new Map<number, number>();
  for (let r = fromRow; r < sheet.rows.length; r++) {
    const row = sheet.rows[r];
    if (!row) continue;
    for (let c = 0; c < row.length; c++) {
      if (!isAmountLike(row[c])) continue;
      const n = (perColumn.get(c) ?? 0) + 1;
      if (n >= AMOUNTS_PER_COLUMN) return true;
      perColumn.set(c, n);
    }
  }
  return false;
}

/** Whether the table's data rows hold a figure where a number is expected (a real table, not a description of one). */
export function tableHoldsFigures(sheet: SheetGrid, table: DetectedTable): boolean {
  const numberColumns = table.columns.filter((c) => c.expects === 'number' && c.role !== 'ignored' && c.role !== 'unknown').map((c) => c.col);
  for (const r of table.dataRows) {
    const row = sheet.rows[r] ?? [];
    for (const c of numberColumns) {
      const cell = row[c];
      if (cell && (cell.kind === 'number' || (cell.kind === 'string' && /\d/.test(String(cell.value))))) return true;
    }
  }
  return holdsAmountColumn(sheet, table.headerRow + 1);
}

/**
 * What a sheet's content says when no table was found in it: 'prose' (mostly long text in one column),
 * 'lists' (short texts, lists of choices, no amount), or null (something else, or figures: not documentation).
 * A blank sheet, or one of fewer than MIN_ROWS filled rows, is null too: too little to tell a list from a
 * small table.
 */
export function documentationContent(sheet: SheetGrid): 'prose' | 'lists' | null {
  if (holdsAmountColumn(sheet)) return null;
  let filled = 0;
  let texts = 0;
  let long = 0;
  let rows = 0;
  const perColumn = new Map<number, number>();
  for (const row of sheet.rows) {
    if (!row) continue;
    if (row.some((cell) => cell && !(cell.kind === 'string' && String(cell.value).trim() === ''))) rows++;
    for (let c = 0; c < row.length; c++) {
      const cell = row[c];
      if (!cell || (cell.kind === 'string' && String(cell.value).trim() === '')) continue;
      filled++;
      perColumn.set(c, (perColumn.get(c) ?? 0) + 1);
      if (cell.kind !== 'string') continue;
      texts++;
      if (cellText(cell).trim().length >= LONG_TEXT) long++;
    }
  }
  if (rows < MIN_ROWS) return null;
  const dominant = Math.max(...perColumn.values());
  if (long >= 2 && dominant * 10 >= filled * 6) return 'prose';
  // Short texts only (numbers allowed: a list of years, of percentages): choices, not a table.
  if (long === 0 && texts * 10 >= filled * 7) return 'lists';
  return null;
}

/** Words for a NOTE: why the sheet is taken for documentation. */
export function documentationReason(byName: DocumentationName | null, content: 'prose' | 'lists' | null): string {
  if (byName === 'example') return 'son nom dit un exemple';
  if (byName) return 'son nom le dit';
  if (content === 'prose') return 'du texte, sans tableau ni montant';
  return 'des listes de choix, sans montant';
}

