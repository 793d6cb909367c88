/**
 * How a sheet crosses from the parsing worker to the main thread.
 *
 * Structured clone of one object per cell is slow to rebuild on the receiving side (about 1.6 s for 480 000
 * cells here, most of it deserialising), so each sheet travels packed in columns: typed arrays for kinds and
 * numbers, flat string arrays for the rest, a deduplicated table of number formats. Only typed arrays,
 * arrays of strings and plain objects cross: no prototypes, nothing callable. The main thread rebuilds
 * fresh Cell objects (same shape every time, which V8 builds fast) and checks every index it reads.
 */
import type { Cell, CellKind, CellRange, SheetGrid } from '../common/model';

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

/**
 * Packs a sheet row by row, as it is converted: the worker never holds a whole sheet of Cell objects
 * beside the library's own (each row's cells are garbage as soon as they are packed).
 */
export class SheetPacker {
  private rowEnds = new Int32Array(1024);
  private tags = new Uint8Array(16_384);
  private numbers = new Float64Array(16_384);
  private rowCount = 0;
  private count = 0;
  private readonly strings: string[] = [];
  private readonly texts: string[] = [];
  private readonly formatIdList: number[] = [];
  private readonly formatTable: string[] = [];
  private readonly formatIndex = new Map<string, number>();
  private readonly formulas: string[] = [];

  addRow(row: ReadonlyArray<Cell | null>): void {
    if (this.rowCount === this.rowEnds.length) this.rowEnds = grow(this.rowEnds, this.rowCount * 2);
    const needed = this.count + row.length;
    if (needed > this.tags.length) {
      const size = Math.max(needed, this.tags.length * 2);
      this.tags = grow(this.tags, size);
      this.numbers = grow(this.numbers, size);
    }
    let i = this.count;
    for (const cell of row) {
      if (cell) {
        let tag = KIND_CODES[cell.kind];
        if (cell.kind === 'number') this.numbers[i] = cell.value as number;
        else if (cell.kind === 'boolean') this.numbers[i] = cell.value ? 1 : 0;
        else this.strings.push(String(cell.value));
        if (cell.text !== undefined) {
          tag |= HAS_TEXT;
          this.texts.push(cell.text);
        }
        if (cell.format !== undefined) {
          tag |= HAS_FORMAT;
          let id = this.formatIndex.get(cell.format);
          if (id === undefined) {
            id = this.formatTable.length;
            this.formatTable.push(cell.format);
            this.formatIndex.set(cell.format, id);
          }
          this.formatIdList.push(id);
        }
        if (cell.formula !== undefined) {
          tag |= HAS_FORMULA;
          this.formulas.push(cell.formula);
        }
        this.tags[i] = tag;
      }
      i++;
    }
    this.count = i;
    this.rowEnds[this.rowCount++] = i;
  }

  finish(name: string, merges: CellRange[]): PackedSheet {
    return {
      name,
      merges,
      rowEnds: this.rowEnds.slice(0, this.rowCount),
      tags: this.tags.slice(0, this.count),
      numbers: this.numbers.slice(0, this.count),
      strings: this.strings,
      texts: this.texts,
      formatIds: Int32Array.from(this.formatIdList),
      formatTable: this.formatTable,
      formulas: this.formulas,
    };
  }
}

function grow<T extends Int32Array | Uint8Array | Float64Array>(array: T, size: number): T {
  const bigger = new (array.constructor as new (size: number) => T)(size);
  bigger.set(array);
  return bigger;
}

export function packSheet(sheet: SheetGrid): PackedSheet {
  const packer = new SheetPacker();
  for (const row of sheet.rows) packer.addRow(row);
  return packer.finish(sheet.name, sheet.merges);
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

/**
 * Cells of plain short text (no displayed text, format or formula) are shared between the places that hold
 * the same text: nothing changes a Cell once read, and a 100 000-line file repeats a few words on every row.
 * Bounded: the first SHARED_CELLS distinct texts only.
 */
const SHARED_TEXT_LENGTH = 64;
const SHARED_CELLS = 4096;

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
  const sharedStrings = new Map<string, Cell>();
  const sharedErrors = new Map<string, Cell>();
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
        const value = strings[s++];
        if (tag === (kind === 'string' ? 2 : 4) && value.length <= SHARED_TEXT_LENGTH) {
          // A plain text repeated down a column ("Subvention", "En cours", a lead's name): one Cell for all.
          const sharedOfKind = kind === 'string' ? sharedStrings : sharedErrors;
          cell = sharedOfKind.get(value) ?? null;
          if (cell === null) {
            cell = { kind, value };
            if (sharedOfKind.size < SHARED_CELLS) sharedOfKind.set(value, cell);
          }
        } else {
          cell = { kind, value };
        }
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
