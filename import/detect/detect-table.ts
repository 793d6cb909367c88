/**
 * Stage "detect": in one sheet, find the table — its header row, each column's role, the layout, the
 * units stated in headers, the group headers, and which rows are data.
 *
 * Cost: the header is looked for in the first HEADER_SCAN_ROWS rows only; below it every row is read
 * once with a cheap test (blank, example, total, section, note, data), so a 100 000-row sheet costs
 * O(rows × cols) once.
 */
import { normaliseText } from '../../src/kernel/normalise-text';
import { type Cell, type CellRange, type IssueDraft, type SheetGrid, cellAddress, cellText } from '../common/model';
import { COLUMN_ROLES, FUNDER_COLUMNS, ROW_MARKERS } from './column-roles.data';
import { normaliseHeader, type NormalisedHeader } from './header-text';
import { HEADER_ANCHORS, LAYOUTS } from './layouts.data';
import { closestLayout, nearSpelling } from './closest-layout';
import { mergeIndex } from './merges';
import { pairAmountsWithFunders } from './action-plan';
import { matchHeader, stageIn, YEAR_MAX, YEAR_MIN, type RoleMatch } from './role-matcher';
import type {
  ColumnRole,
  DetectedColumn,
  ImportKindName,
  LayoutCondition,
  LayoutSpec,
  Section,
  SkippedRow,
  TotalRow,
  ValueExpectation,
} from './types';
import type { DetectedTable, LayoutName } from './detected-table.types';

/** Only these first rows are candidates for the header row. */
const HEADER_SCAN_ROWS = 30;
/** A header row needs at least this many recognised cells. */
const MIN_HEADER_MATCHES = 2;
/** How many non-blank rows just below the header may be example / instruction rows. */
const LEADING_ROWS_CHECKED = 5;
/** Rows sampled below the header to find a column from its content (dotations' years and programmes). */
const CONTENT_SAMPLE_ROWS = 40;
/** How many rows above the header may be group-header rows. */
const GROUP_ROWS = 2;

// ---------------------------------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------------------------------

function isEmpty(cell: Cell | null | undefined): boolean {
  return !cell || (cell.kind === 'string' && String(cell.value).trim() === '');
}

function startsWithWord(normalised: string, words: ReadonlySet<string> | readonly string[]): boolean {
  for (const w of words) if (normalised === w || normalised.startsWith(`${w} `)) return true;
  return false;
}

const SUBTOTAL = ROW_MARKERS.subtotal.map(normaliseText);
const TOTAL = ROW_MARKERS.total.map(normaliseText);
const EXAMPLE = ROW_MARKERS.example.map(normaliseText);
const INSTRUCTION = new Set(ROW_MARKERS.instruction.map(normaliseText));
const INSTRUCTION_START = ROW_MARKERS.instructionStart.map(normaliseText);
const NONE = new Set(ROW_MARKERS.none.map(normaliseText));
const NOTE = ROW_MARKERS.note.map(normaliseText);
const SECTION_RE = new RegExp(`^(?:${ROW_MARKERS.section.map((w) => normaliseText(w).replace(/ /g, '\\s')).join('|')})\\s(?:\\d+|[ivxlc]+)(?:\\s|$)`);
const ROMAN_HEADING_RE = /^[IVXLC]+\s*[.)\-–—:]\s*\S/;
/** First letters of the subtotal / total markers, to skip normalising most labels. */
const TOTAL_FIRST_LETTERS = new Set([...SUBTOTAL, ...TOTAL].map((w) => w.charAt(0)));
const SUM_FORMULA_RE = /^\s*(?:SUM|SOMME|SUBTOTAL|SOUS\.TOTAL)\s*\(/i;

/** Programme names that a dotations programme column holds (DETR, DSIL, FNADT…), normalised. */
const PROGRAMME_WORDS: Set<string> = new Set(
  FUNDER_COLUMNS.filter((f) => f.descriptor !== 'AS_WRITTEN' && f.descriptor.programme).flatMap((f) => f.synonyms.map(normaliseText)),
);

function isYearValue(cell: Cell | null | undefined): boolean {
  if (!cell) return false;
  if (cell.kind === 'number') return Number.isInteger(cell.value) && (cell.value as number) >= YEAR_MIN && (cell.value as number) <= YEAR_MAX;
  if (cell.kind === 'string') {
    const t = String(cell.value).trim();
    return /^\d{4}$/.test(t) && Number(t) >= YEAR_MIN && Number(t) <= YEAR_MAX;
  }
  return false;
}

function issue(severity: IssueDraft['severity'], code: string, message: string, sheet: SheetGrid, cell: string | null, value: string | null): IssueDraft {
  return { severity, code, message, sheet: sheet.name, cell, value };
}

// ---------------------------------------------------------------------------------------------------
// header row
// ---------------------------------------------------------------------------------------------------

interface HeaderCellText {
  col: number;
  text: string;
  /** Set when the text comes from a merge that starts above this row (a label merged down). */
  fromRow?: number;
}

/** The non-empty header texts of a row, with labels merged down from above into it. */
function headerTexts(sheet: SheetGrid, row: number, merges: Map<number, CellRange[]>): HeaderCellText[] {
  const cells = sheet.rows[row] ?? [];
  const out: HeaderCellText[] = [];
  const covering = merges.get(row);
  let width = cells.length;
  if (covering) for (const m of covering) width = Math.max(width, m.startCol + 1);
  for (let c = 0; c < width; c++) {
    const cell = cells[c];
    if (!isEmpty(cell)) {
      out.push({ col: c, text: cellText(cell) });
      continue;
    }
    if (!covering) continue;
    for (const m of covering) {
      if (m.startCol === c && m.startRow < row) {
        const top = sheet.rows[m.startRow]?.[m.startCol];
        if (!isEmpty(top)) out.push({ col: c, text: cellText(top), fromRow: m.startRow });
        break;
      }
    }
  }
  return out;
}

type Matcher = (text: string) => { match: RoleMatch | null; header: NormalisedHeader };

/**
 * The row among the first HEADER_SCAN_ROWS with the most recognised headers (at least MIN_HEADER_MATCHES,
 * one of them an anchor role of the kind); the first such row on a tie. -1 when none.
 */
function findHeaderRow(sheet: SheetGrid, kind: ImportKindName, match: Matcher, merges: Map<number, CellRange[]>): number {
  const anchors = new Set<ColumnRole>(HEADER_ANCHORS[kind]);
  let best = -1;
  let bestScore = MIN_HEADER_MATCHES - 1;
  const last = Math.min(sheet.rows.length, HEADER_SCAN_ROWS);
  for (let r = 0; r < last; r++) {
    let score = 0;
    let anchored = false;
    for (const { text } of headerTexts(sheet, r, merges)) {
      const m = match(text).match;
      if (m && !m.weak) score++;
      if (m && anchors.has(m.role)) anchored = true;
    }
    if (anchored && score > bestScore) {
      bestScore = score;
      best = r;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------
// group headers
// ---------------------------------------------------------------------------------------------------

/**
 * Group-header rows right above the header row: a row qualifies when it has two or more non-empty cells,
 * or when its only cell does not start at the table's first column or does not span the whole table
 * (a title does both). Returns, per column, the nearest group text.
 */
function groupHeaders(sheet: SheetGrid, headerRow: number, firstCol: number, lastCol: number, merges: Map<number, CellRange[]>): Map<number, string> {
  const groups = new Map<number, string>();
  for (let g = headerRow - 1; g >= 0 && g >= headerRow - GROUP_ROWS; g--) {
    const cells = sheet.rows[g] ?? [];
    // Blocks of this row: a horizontal merge starting in it, or a single non-empty cell; vertical labels
    // merged down into the header row are labels, not groups.
    const blocks: Array<{ start: number; end: number; text: string }> = [];
    const rowMerges = (merges.get(g) ?? []).filter((m) => m.startRow === g && m.endRow < headerRow);
    for (let c = firstCol; c <= Math.min(lastCol, Math.max(cells.length - 1, firstCol)); c++) {
      const cell = cells[c];
      if (isEmpty(cell)) continue;
      const m = rowMerges.find((x) => x.startCol === c);
      const covering = (merges.get(g) ?? []).find((x) => x.startCol === c && x.endRow >= headerRow);
      if (covering) continue;
      blocks.push({ start: c, end: m ? m.endCol : c, text: cellText(cell).trim() });
    }
    if (blocks.length === 0) break;
    const qualifies = blocks.length >= 2 || blocks[0].start > firstCol || (blocks[0].end > blocks[0].start && blocks[0].end < lastCol);
    if (!qualifies) break;
    for (const b of blocks) {
      for (let c = b.start; c <= b.end; c++) if (!groups.has(c)) groups.set(c, b.text);
    }
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------------
// columns from content
// ---------------------------------------------------------------------------------------------------

function inferFromContent(sheet: SheetGrid, headerRow: number, col: number, what: 'year' | 'programme'): boolean {
  let nonEmpty = 0;
  let hits = 0;
  const last = Math.min(sheet.rows.length, headerRow + 1 + CONTENT_SAMPLE_ROWS);
  for (let r = headerRow + 1; r < last; r++) {
    const cell = sheet.rows[r]?.[col];
    if (isEmpty(cell)) continue;
    const n = normaliseText(cellText(cell));
    if (startsWithWord(n, TOTAL)) continue; // 'TOTAL' rows sit in either column
    nonEmpty++;
    if (what === 'year' ? isYearValue(cell) : PROGRAMME_WORDS.has(n)) hits++;
  }
  return hits > 0 && hits * 2 > nonEmpty;
}

// ---------------------------------------------------------------------------------------------------
// layouts
// ---------------------------------------------------------------------------------------------------

function holds(cond: LayoutCondition, counts: Map<ColumnRole, number>): boolean {
  if ('allOf' in cond) return cond.allOf.every((c) => holds(c, counts));
  if ('anyOf' in cond) return cond.anyOf.some((c) => holds(c, counts));
  let n = 0;
  for (const r of cond.roles) n += counts.get(r) ?? 0;
  return n >= (cond.min ?? 1);
}

// ---------------------------------------------------------------------------------------------------
// rows
// ---------------------------------------------------------------------------------------------------

/** 'weak': text where a number is expected, an instruction only when the row also says so elsewhere. */
type CellVerdict = 'example' | 'instruction' | 'weak' | null;

function instructionVerdict(cell: Cell, expects: ValueExpectation | undefined): CellVerdict {
  if (cell.kind !== 'string') return null;
  const raw = String(cell.value).trim();
  const n = normaliseText(raw);
  if (startsWithWord(n, EXAMPLE)) return 'example';
  if (INSTRUCTION.has(n) || startsWithWord(n, INSTRUCTION_START)) return 'instruction';
  // A list of choices where one value is expected: "Prêt / Subvention / Ingénierie", "Oui / Non" (a
  // title may well hold slashes).
  if (expects !== 'text') {
    const parts = raw.split(/\s*[/|]\s*/);
    if (parts.length >= 2 && parts.every((p) => p.length > 0 && p.length <= 30 && !/\d/.test(p))) return 'instruction';
  }
  // Text with no digit where a number is expected.
  if ((expects === 'number' || expects === 'year') && !/\d/.test(raw) && !NONE.has(n) && !/^[-–—_.*/\\]+$/.test(raw)) return 'weak';
  return null;
}

// ---------------------------------------------------------------------------------------------------
// the stage, in parts: columns, layout, rows
// ---------------------------------------------------------------------------------------------------

/** matchHeader for one kind, each distinct header text normalised and matched once. */
function cachedMatcher(kind: ImportKindName): Matcher {
  const cache = new Map<string, { match: RoleMatch | null; header: NormalisedHeader }>();
  return (text) => {
    let hit = cache.get(text);
    if (!hit) {
      const header = normaliseHeader(text);
      hit = { match: matchHeader(text, kind, header), header };
      cache.set(text, hit);
    }
    return hit;
  };
}

/** A column per header text, with what its header says: role, unit, cost base, year, funder, stage. */
function columnsFromHeaders(texts: readonly HeaderCellText[], match: Matcher): DetectedColumn[] {
  const columns: DetectedColumn[] = [];
  for (const { col, text } of texts) {
    const { match: m, header: h } = match(text);
    const column: DetectedColumn = { col, header: text, role: m?.role ?? 'unknown', multiplier: h.multiplier, expects: m?.expects ?? 'any' };
    if (h.costBase) column.costBase = h.costBase;
    if (m?.year !== undefined) column.year = m.year;
    if (m?.funder) column.funder = m.funder;
    if (m?.index !== undefined) column.index = m.index;
    if (m?.territory !== undefined) column.territory = m.territory;
    if (m?.stage) column.stage = m.stage;
    columns.push(column);
  }
  return columns;
}

/**
 * Columns found from their content, left of the first recognised header (dotations: the year and
 * programme columns have no header): an unknown column takes the role, or a new column is added.
 */
function addColumnsFromContent(sheet: SheetGrid, kind: ImportKindName, headerRow: number, columns: DetectedColumn[]): void {
  const firstKnown = columns.find((c) => c.role !== 'unknown' && c.role !== 'ignored')?.col ?? 0;
  for (const spec of roleSpecsFromContent(kind)) {
    if (columns.some((c) => c.role === spec.role)) continue;
    for (let c = 0; c < firstKnown; c++) {
      const existing = columns.find((x) => x.col === c);
      if (existing && existing.role !== 'unknown') continue;
      if (!inferFromContent(sheet, headerRow, c, spec.fromContent!)) continue;
      if (existing) {
        existing.role = spec.role;
        existing.expects = spec.expects;
        existing.inferred = true;
      } else {
        columns.push({ col: c, header: '', role: spec.role, multiplier: 1, expects: spec.expects, inferred: true });
      }
      break;
    }
  }
}

/** Each column under a group header takes the group's text, and its unit, cost base and stage unless its own header says them. */
function applyGroupHeaders(columns: readonly DetectedColumn[], groups: ReadonlyMap<number, string>, match: Matcher): void {
  for (const column of columns) {
    const group = groups.get(column.col);
    if (group === undefined) continue;
    column.group = group;
    const g = normaliseHeader(group);
    const own = match(column.header).header;
    if (!own.unitStated && g.unitStated) column.multiplier = g.multiplier;
    if (!column.costBase && g.costBase) column.costBase = g.costBase;
    if (!column.stage && (column.role === 'yearColumn' || column.role === 'funderColumn' || column.role === 'amount' || column.role === 'pairAmount' || column.role === 'planAmount')) {
      const s = stageIn(g.full);
      if (s) column.stage = s;
    }
  }
}

/** A column repeating an earlier one is set aside (role 'ignored') and reported, as is an unknown header that says something. */
function setAsideDuplicateAndUnknownColumns(sheet: SheetGrid, headerRow: number, columns: readonly DetectedColumn[], match: Matcher): IssueDraft[] {
  const issues: IssueDraft[] = [];
  const seen = new Map<string, DetectedColumn>();
  for (const column of columns) {
    const key = duplicateKey(column);
    const address = cellAddress(headerRow, column.col);
    if (key) {
      const first = seen.get(key);
      if (first) {
        const money = column.expects === 'number' && column.role !== 'rowTotal';
        issues.push(
          issue(
            money ? 'ERROR' : 'WARNING',
            'COLUMN_DUPLICATED',
            `La colonne « ${column.header.trim()} » (${address}) répète la colonne « ${first.header.trim()} » (${cellAddress(headerRow, first.col)}) : elle est ignorée.` +
              (money ? ' Ses montants ne seraient pas comptés : fusionnez les deux colonnes ou renommez-la.' : ''),
            sheet,
            address,
            column.header,
          ),
        );
        column.duplicateOf = first.col;
        column.role = 'ignored';
        continue;
      }
      seen.set(key, column);
    }
    if (column.role === 'unknown' && !isDecorative(match(column.header).header, column.header)) {
      issues.push(
        issue(
          'WARNING',
          'COLUMN_UNKNOWN',
          `La colonne « ${column.header.trim()} » (${address}) n'est pas reconnue : elle est ignorée. Renommez-la si elle doit être lue.`,
          sheet,
          address,
          column.header,
        ),
      );
    }
  }
  return issues;
}

/** The columns of the header row, from their headers, their content and the group headers above. */
function detectColumns(sheet: SheetGrid, kind: ImportKindName, headerRow: number, match: Matcher, merges: Map<number, CellRange[]>): { columns: DetectedColumn[]; issues: IssueDraft[] } {
  const columns = columnsFromHeaders(headerTexts(sheet, headerRow, merges), match);
  addColumnsFromContent(sheet, kind, headerRow, columns);
  columns.sort((a, b) => a.col - b.col);
  pairAmountsWithFunders(columns);
  const firstCol = columns.length ? columns[0].col : 0;
  const lastCol = columns.length ? columns[columns.length - 1].col : 0;
  applyGroupHeaders(columns, groupHeaders(sheet, headerRow, firstCol, lastCol, merges), match);
  return { columns, issues: setAsideDuplicateAndUnknownColumns(sheet, headerRow, columns, match) };
}

function roleCounts(columns: readonly DetectedColumn[]): Map<ColumnRole, number> {
  const counts = new Map<ColumnRole, number>();
  for (const c of columns) counts.set(c.role, (counts.get(c.role) ?? 0) + 1);
  return counts;
}

/** How many recognised headers LAYOUT_UNKNOWN names before « … ». */
const KNOWN_HEADERS_SHOWN = 6;

/**
 * LAYOUT_UNKNOWN when no layout of the kind fits the columns: the closest layout and the one change that
 * would make the file read (closest-layout.ts), not every layout with every synonym.
 */
function unknownLayoutIssue(sheet: SheetGrid, kind: ImportKindName, headerRow: number, columns: readonly DetectedColumn[], headerCell: string): IssueDraft {
  const known = columns.filter((c) => c.role !== 'unknown' && c.role !== 'ignored').map((c) => `« ${c.header.trim()} »`);
  const shown = known.length > KNOWN_HEADERS_SHOWN ? [...known.slice(0, KNOWN_HEADERS_SHOWN), '…'] : known;
  const closest = closestLayout(kind, columns);
  let advice = '';
  if (closest) {
    const near = closest.near;
    const lacking = closest.missing.map((cond) => cond.label + alreadyThere(cond, columns)).join(' et ');
    advice =
      ` La disposition la plus proche : ${lowerFirst(closest.layout.description)}. ` +
      (near
        ? `La colonne « ${near.column.header.trim()} » (${cellAddress(headerRow, near.column.col)}) n'a pas été reconnue : écrivez-la « ${near.meant} ».`
        : `Il y manque ${lacking}.`);
  }
  return issue('ERROR', 'LAYOUT_UNKNOWN', `Disposition du tableau non reconnue (en-têtes ligne ${headerRow + 1}${shown.length ? ` : ${shown.join(', ')}` : ''}).${advice}`, sheet, headerCell, null);
}

/** For a condition needing several columns of which some are there: which (« au moins deux colonnes d'année » when one is). */
function alreadyThere(cond: LayoutCondition, columns: readonly DetectedColumn[]): string {
  if (!('roles' in cond) || (cond.min ?? 1) < 2) return '';
  const present = columns.filter((c) => cond.roles.includes(c.role)).map((c) => `« ${c.header.trim()} »`);
  if (present.length === 0) return '';
  return present.length === 1 ? ` (une seule est reconnue : ${present[0]})` : ` (${present.length} sont reconnues : ${present.join(', ')})`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** COLUMN_MISSING for each required column of the layout that is not there, and each funder without its amount (or the reverse). */
function missingColumnIssues(sheet: SheetGrid, kind: ImportKindName, layout: LayoutSpec, headerRow: number, columns: readonly DetectedColumn[], counts: Map<ColumnRole, number>, headerCell: string): IssueDraft[] {
  const issues: IssueDraft[] = [];
  for (const cond of layout.required) {
    if (holds(cond, counts)) continue;
    issues.push(issue('ERROR', 'COLUMN_MISSING', `Colonne manquante : ${cond.label} (en-têtes ligne ${headerRow + 1}). ${layout.description}.`, sheet, headerCell, null));
  }
  for (const [a, b] of layout.pairedRoles ?? []) {
    const ia = new Set(columns.filter((c) => c.role === a).map((c) => c.index));
    const ib = new Set(columns.filter((c) => c.role === b).map((c) => c.index));
    for (const [have, lack, role] of [
      [ia, ib, b],
      [ib, ia, a],
    ] as const) {
      for (const i of have) {
        if (lack.has(i)) continue;
        const values = a === 'pairValue';
        const word = values ? (role === 'pairYear' ? 'Année' : 'Valeur') : role === 'pairAmount' ? 'Montant' : 'Financeur';
        const why = values ? 'chaque valeur va avec son année' : 'chaque financeur va avec son montant';
        // A header nearly spelling the missing one (« Montnat 2 »): say which, at its cell.
        const near = values ? null : nearSpelling(kind, columns.filter((c) => c.role === 'unknown' && normaliseText(c.header).endsWith(` ${i}`)), [role]);
        const nearText = near ? ` La colonne « ${near.column.header.trim()} » (${cellAddress(headerRow, near.column.col)}) n'a pas été reconnue : écrivez-la « ${word} ${i} ».` : '';
        issues.push(issue('ERROR', 'COLUMN_MISSING', `Colonne manquante : « ${word} ${i} » (en-têtes ligne ${headerRow + 1}) : ${why}.${nearText}`, sheet, near ? cellAddress(headerRow, near.column.col) : headerCell, null));
      }
    }
  }
  return issues;
}

/** The first layout of the kind whose signature the columns fit, and what is missing from it (or that none fits). */
function detectLayout(sheet: SheetGrid, kind: ImportKindName, headerRow: number, columns: readonly DetectedColumn[]): { layout: LayoutSpec | undefined; issues: IssueDraft[] } {
  const counts = roleCounts(columns);
  const headerCell = cellAddress(headerRow, columns.length ? columns[0].col : 0);
  const layout: LayoutSpec | undefined = (LAYOUTS[kind] as readonly LayoutSpec[]).find((l) => l.signature.every((cond) => holds(cond, counts)));
  if (!layout) return { layout, issues: [unknownLayoutIssue(sheet, kind, headerRow, columns, headerCell)] };
  return { layout, issues: missingColumnIssues(sheet, kind, layout, headerRow, columns, counts, headerCell) };
}

/** What the rows below the header are: data, or skipped (blank, example, total, heading, note). */
interface DetectedRows {
  dataRows: number[];
  skippedRows: SkippedRow[];
  totalRows: TotalRow[];
  sections: Section[];
}

/** Per column, the kind of value expected (recognised columns only); and where the amounts start, labels being left of it. */
function valueExpectations(columns: readonly DetectedColumn[]): { expectsAt: Array<ValueExpectation | undefined>; labelZoneEnd: number } {
  const expectsAt: Array<ValueExpectation | undefined> = [];
  let labelZoneEnd = Infinity;
  for (const c of columns) {
    if (c.role === 'ignored' || c.role === 'unknown') continue;
    expectsAt[c.col] = c.expects;
    if (c.expects === 'number' && c.col < labelZoneEnd) labelZoneEnd = c.col;
  }
  return { expectsAt, labelZoneEnd };
}

/** One read of a row's cells: how many are filled, the last filled, whether a number, the label, whether all are formulas. */
interface RowShape {
  nonEmpty: number;
  onlyCol: number;
  hasNumber: boolean;
  /** The first text cell left of the amounts; -1 when none. */
  labelCol: number;
  allSums: boolean;
}

function rowShape(cells: ReadonlyArray<Cell | null | undefined>, labelZoneEnd: number): RowShape {
  let nonEmpty = 0;
  let onlyCol = -1;
  let hasNumber = false;
  let labelCol = -1;
  let allSums = true;
  for (let c = 0; c < cells.length; c++) {
    const cell = cells[c];
    if (isEmpty(cell)) continue;
    nonEmpty++;
    onlyCol = c;
    if (cell!.kind !== 'string') {
      hasNumber ||= cell!.kind === 'number';
    } else if (labelCol < 0 && c < labelZoneEnd) {
      labelCol = c;
    }
    if (cell!.formula === undefined) allSums = false;
  }
  return { nonEmpty, onlyCol, hasNumber, labelCol, allSums };
}

/** Whether a row just below the header is an example or instructions to the sender, rather than data. */
function exampleOrInstructionRow(cells: ReadonlyArray<Cell | null | undefined>, expectsAt: ReadonlyArray<ValueExpectation | undefined>, nonEmpty: number): 'example' | 'instruction' | null {
  let flagged = 0;
  let example = false;
  let marked = false;
  let realNumber = false;
  for (let c = 0; c < cells.length; c++) {
    const cell = cells[c];
    if (isEmpty(cell)) continue;
    const v = instructionVerdict(cell!, expectsAt[c]);
    if (v) flagged++;
    if (v === 'example') example = true;
    if (v === 'example' || v === 'instruction') marked = true;
    if (cell!.kind === 'number' && (expectsAt[c] === 'number' || expectsAt[c] === 'year')) realNumber = true;
  }
  // Most cells are instructions or examples; a row with a real amount is data unless it says "ex".
  // Text in amount columns alone is not enough: a first data row full of mistakes must be reported,
  // not skipped, so the row must also carry an explicit example or instruction marker.
  if (marked && flagged * 2 >= nonEmpty && (nonEmpty > 1 || example) && (example || !realNumber)) return example ? 'example' : 'instruction';
  return null;
}

/** 'subtotal' or 'total' when a row's label says so. */
function totalKindOfLabel(label: string): 'subtotal' | 'total' | null {
  // Cheap first: only labels starting like a marker are normalised.
  const n = TOTAL_FIRST_LETTERS.has(label.charAt(0).toLowerCase()) ? normaliseText(label.slice(0, 40)) : '';
  return !n ? null : startsWithWord(n, SUBTOTAL) ? 'subtotal' : startsWithWord(n, TOTAL) ? 'total' : null;
}

/** A row holding a single text: a group heading (merged across, roman numeral, « Axe 2 »…), a note, or neither. */
function lonelyTextKind(label: string, merged: boolean): 'group-heading' | 'note' | null {
  const n = normaliseText(label);
  if (merged || ROMAN_HEADING_RE.test(label) || SECTION_RE.test(n)) return 'group-heading';
  if (/^\(?\*/.test(label) || startsWithWord(n, NOTE)) return 'note';
  return null;
}

/** Each row below the header, read once: blank, example or instruction (first rows only), total, heading, note, or data. */
function classifyRows(sheet: SheetGrid, headerRow: number, columns: readonly DetectedColumn[], merges: Map<number, CellRange[]>): DetectedRows {
  const { expectsAt, labelZoneEnd } = valueExpectations(columns);
  const rows: DetectedRows = { dataRows: [], skippedRows: [], totalRows: [], sections: [] };
  const { dataRows, skippedRows, totalRows, sections } = rows;
  let leading = true;
  let leadingChecked = 0;

  for (let r = headerRow + 1; r < sheet.rows.length; r++) {
    const cells = sheet.rows[r] ?? [];
    const { nonEmpty, onlyCol, hasNumber, labelCol, allSums } = rowShape(cells, labelZoneEnd);
    if (nonEmpty === 0) {
      skippedRows.push({ row: r, reason: 'blank' });
      continue;
    }

    if (leading && leadingChecked < LEADING_ROWS_CHECKED) {
      leadingChecked++;
      const reason = exampleOrInstructionRow(cells, expectsAt, nonEmpty);
      if (reason) {
        skippedRows.push({ row: r, reason });
        continue;
      }
    }
    leading = false;

    if (labelCol >= 0) {
      const label = cellText(cells[labelCol]).trim();
      const kindOfTotal = totalKindOfLabel(label);
      if (kindOfTotal) {
        totalRows.push({ row: r, kind: kindOfTotal, label, col: labelCol });
        skippedRows.push({ row: r, reason: kindOfTotal });
        continue;
      }
    } else if (allSums && hasNumber && labelZoneEnd !== Infinity && cells.every((cell) => isEmpty(cell) || SUM_FORMULA_RE.test(cell!.formula!))) {
      // No label at all and nothing but SUM formulas: an unlabelled total row.
      totalRows.push({ row: r, kind: 'total', label: '', col: -1 });
      skippedRows.push({ row: r, reason: 'total' });
      continue;
    }

    if (nonEmpty === 1 && cells[onlyCol]!.kind === 'string') {
      const label = cellText(cells[onlyCol]).trim();
      const merged = (merges.get(r) ?? []).some((m) => m.startRow === r && m.startCol === onlyCol && m.endCol > m.startCol);
      const reason = lonelyTextKind(label, merged);
      if (reason === 'group-heading') sections.push({ row: r, label });
      if (reason) {
        skippedRows.push({ row: r, reason });
        continue;
      }
    }
    dataRows.push(r);
  }
  return rows;
}

/**
 * Finds the table of one sheet for an import of this kind; null when the sheet holds no table (no row
 * among the first HEADER_SCAN_ROWS has MIN_HEADER_MATCHES recognised headers including an anchor role,
 * see HEADER_ANCHORS): the caller reports SHEET_WITHOUT_TABLE.
 */
export function detectTable<K extends ImportKindName>(sheet: SheetGrid, kind: K): DetectedTable<K> | null {
  const merges = mergeIndex(sheet);
  const match = cachedMatcher(kind);
  const headerRow = findHeaderRow(sheet, kind, match, merges);
  if (headerRow < 0) return null;
  const detected = detectColumns(sheet, kind, headerRow, match, merges);
  const { columns } = detected;
  const { layout, issues: layoutIssues } = detectLayout(sheet, kind, headerRow, columns);
  const { dataRows, skippedRows, totalRows, sections } = classifyRows(sheet, headerRow, columns, merges);
  return {
    sheet: sheet.name,
    kind,
    headerRow,
    columns,
    layout: (layout?.name ?? null) as LayoutName<K> | null,
    dataRows,
    skippedRows,
    totalRows,
    sections,
    totalColumns: columns.filter((c) => c.role === 'rowTotal').map((c) => c.col),
    issues: [...detected.issues, ...layoutIssues],
  };
}

/** Roles that may be found from a column's cells when no header says them. */
function roleSpecsFromContent(kind: ImportKindName) {
  return COLUMN_ROLES[kind].roles.filter((s) => s.fromContent);
}

/** The key under which two columns would say the same thing; null for roles that may repeat freely. */
function duplicateKey(c: DetectedColumn): string | null {
  switch (c.role) {
    case 'unknown':
    case 'ignored':
    case 'comment':
      return null;
    case 'yearColumn':
      return `yearColumn:${c.year}:${c.stage ?? ''}`;
    case 'funderColumn':
      if (c.funder?.other) return null;
      return `funderColumn:${c.funder?.programme ?? ''}:${normaliseText(c.funder?.funder ?? '')}:${c.stage ?? ''}`;
    case 'pairFunder':
    case 'pairAmount':
    case 'planAmount':
    case 'pairValue':
    case 'pairYear':
    case 'pairComment':
      return `${c.role}:${c.index}`;
    case 'territoryColumn':
      return `territoryColumn:${normaliseText(c.territory ?? '')}`;
    case 'rowTotal':
      return null;
    default:
      return c.role;
  }
}

/** A header that says nothing: punctuation, a lone letter or number, Excel's 'Colonne1'. */
function isDecorative(h: NormalisedHeader, raw: string): boolean {
  const key = h.label || h.full;
  if (!key) return true;
  if (key.length === 1) return true;
  if (/^\d{1,3}$/.test(key)) return true;
  if (/^(colonne|column|col|champ|field)\s?\d+$/.test(key)) return true;
  return raw.trim().length <= 1;
}

/** The columns holding a role, in column order. */
export function columnsWithRole(table: DetectedTable, role: ColumnRole): DetectedColumn[] {
  return table.columns.filter((c) => c.role === role);
}

/** The column holding a role (the first, duplicates being set aside), or undefined. */
export function columnWithRole(table: DetectedTable, role: ColumnRole): DetectedColumn | undefined {
  return table.columns.find((c) => c.role === role);
}
