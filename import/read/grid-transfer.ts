/**
 * How a sheet crosses from the parsing worker to the main thread.
 *
 * Structured clone of one object per cell is slow to rebuild on the receiving side (about 1.6 s for 480 000
 * cells here, most of it deserialising), so each sheet travels packed in columns: typed arrays for kinds and
 * numbers, flat string arrays for the rest, a deduplicated table of number formats. Only typed arrays,
 * arrays of strings and plain objects cross: no prototypes, nothing callable. The main thread rebuilds
 * fresh Cell objects (same shape every time, which V8 builds fast) and checks every index it reads.
 */
import type { Cell, CellKind, CellRange, SheetGrid } from '../model';

export interface PackedSheet {
  name: string;
  merges: CellRange[];
  /** Cells of row r are cells [rowEnds[r-1] ?? 0, rowEnds[r]). */
  rowEnds: Int32Array;
  /** Per cell: low 3 bits = kind (0 empty, 1 number, 2 string, 3 boolean, 4 error); bit 3 text, bit 4 format, bit 5 formula. */
  tags: Uint8Array;
  /** Number value (and 0/1 for booleans) per cell. */
  numbers: Float64Array;
  /** String and error values, in cell order. */
  strings: string[];
  /** `text` of the cells that have one, in cell order. */
  texts: string[];
  /** Index into `formatTable` of the cells that have a format, in cell order. */
  formatIds: Int32Array;
  formatTable: string[];
  /** Formulas, in cell order. */
  formulas: string[];
}

const KIND_CODES: Record<CellKind, number> = { number: 1, string: 2, boolean: 3, error: 4 };
const KINDS: Array<CellKind | null> = [null, 'number', 'string', 'boolean', 'error'];
const HAS_TEXT = 8;
const HAS_FORMAT = 16;
const HAS_FORMULA = 32;

export function packSheet(sheet: SheetGrid): PackedSheet {
  let count = 0;
  for (const row of sheet.rows) count += row.length;
  const rowEnds = new Int32Array(sheet.rows.length);
  const tags = new Uint8Array(count);
  const numbers = new Float64Array(count);
  const strings: string[] = [];
  const texts: string[] = [];
  const formatIdList: number[] = [];
  const formatTable: string[] = [];
  const formatIndex = new Map<string, number>();
  const formulas: string[] = [];
  let i = 0;
  sheet.rows.forEach((row, r) => {
    for (const cell of row) {
      if (cell) {
        let tag = KIND_CODES[cell.kind];
        if (cell.kind === 'number') numbers[i] = cell.value as number;
        else if (cell.kind === 'boolean') numbers[i] = cell.value ? 1 : 0;
        else strings.push(String(cell.value));
        if (cell.text !== undefined) {
          tag |= HAS_TEXT;
          texts.push(cell.text);
        }
        if (cell.format !== undefined) {
          tag |= HAS_FORMAT;
          let id = formatIndex.get(cell.format);
          if (id === undefined) {
            id = formatTable.length;
            formatTable.push(cell.format);
            formatIndex.set(cell.format, id);
          }
          formatIdList.push(id);
        }
        if (cell.formula !== undefined) {
          tag |= HAS_FORMULA;
          formulas.push(cell.formula);
        }
        tags[i] = tag;
      }
      i++;
    }
    rowEnds[r] = i;
  });
  return {
    name: sheet.name,
    merges: sheet.merges,
    rowEnds,
    tags,
    numbers,
    strings,
    texts,
    formatIds: Int32Array.from(formatIdList),
    formatTable,
    formulas,
  };
}

function fail(what: string): never {
  throw new Error(`packed sheet: ${what}`);
}

/** By tag, not instanceof: under jest the typed arrays a worker sends belong to another realm. */
function isTyped(value: unknown, type: string): boolean {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === `[object ${type}]`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((s) => typeof s === 'string');
}

/** Rebuilds a SheetGrid, refusing anything inconsistent (it came from a thread that parsed a hostile file). */
export function unpackSheet(packed: PackedSheet): SheetGrid {
  const { rowEnds, tags, numbers, strings, texts, formatIds, formatTable, formulas } = packed;
  if (
    typeof packed.name !== 'string' ||
    !isTyped(rowEnds, 'Int32Array') ||
    !isTyped(tags, 'Uint8Array') ||
    !isTyped(numbers, 'Float64Array') ||
    !isTyped(formatIds, 'Int32Array') ||
    !isStringArray(strings) ||
    !isStringArray(texts) ||
    !isStringArray(formatTable) ||
    !isStringArray(formulas) ||
    !Array.isArray(packed.merges) ||
    numbers.length !== tags.length
  ) {
    fail('bad shape');
  }
  let s = 0;
  let t = 0;
  let f = 0;
  let m = 0;
  let start = 0;
  const rows: Array<Array<Cell | null>> = new Array(rowEnds.length);
  for (let r = 0; r < rowEnds.length; r++) {
    const end = rowEnds[r];
    if (end < start || end > tags.length) fail('bad row end');
    const row: Array<Cell | null> = new Array(end - start);
    for (let i = start; i < end; i++) {
      const tag = tags[i];
      const kind = KINDS[tag & 7];
      if (kind === undefined) fail('bad kind');
      let cell: Cell | null = null;
      if (kind === 'number') cell = { kind, value: numbers[i] };
      else if (kind === 'boolean') cell = { kind, value: numbers[i] === 1 };
      else if (kind !== null) {
        if (s >= strings.length) fail('missing string');
        cell = { kind, value: strings[s++] };
      }
      if (cell !== null) {
        if (tag & HAS_TEXT) {
          if (t >= texts.length) fail('missing text');
          cell.text = texts[t++];
        }
        if (tag & HAS_FORMAT) {
          if (m >= formatIds.length) fail('missing format');
          const format = formatTable[formatIds[m++]];
          if (format === undefined) fail('bad format id');
          cell.format = format;
        }
        if (tag & HAS_FORMULA) {
          if (f >= formulas.length) fail('missing formula');
          cell.formula = formulas[f++];
        }
      }
      row[i - start] = cell;
    }
    rows[r] = row;
    start = end;
  }
  const merges: CellRange[] = packed.merges.map((range) => {
    const { startRow, startCol, endRow, endCol } = range ?? ({} as CellRange);
    if (![startRow, startCol, endRow, endCol].every((n) => Number.isInteger(n) && n >= 0)) fail('bad merge');
    return { startRow, startCol, endRow, endCol };
  });
  return { name: packed.name, rows, merges };
}
