/**
 * Merged cells: which merge covers a cell, and the value a merged cell shows (its top-left cell's).
 * The index is built once per sheet (cost: the number of rows merges span) and cached, so a parser may
 * call these for every cell of a 100 000-row sheet.
 */
import type { Cell, CellRange, SheetGrid } from '../common/model';

type MergeIndex = Map<number, CellRange[]>;

const INDEXES = new WeakMap<CellRange[], MergeIndex>();

/** Row → the merges that cover it. Cached per `sheet.merges` array (do not mutate it afterwards). */
export function mergeIndex(sheet: SheetGrid): MergeIndex {
  let index = INDEXES.get(sheet.merges);
  if (!index) {
    index = new Map();
    for (const m of sheet.merges) {
      for (let r = m.startRow; r <= m.endRow; r++) {
        const list = index.get(r);
        if (list) list.push(m);
        else index.set(r, [m]);
      }
    }
    INDEXES.set(sheet.merges, index);
  }
  return index;
}

/** The merge covering (row, col), or null. */
export function mergeAt(sheet: SheetGrid, row: number, col: number): CellRange | null {
  const list = mergeIndex(sheet).get(row);
  if (!list) return null;
  for (const m of list) if (col >= m.startCol && col <= m.endCol) return m;
  return null;
}

/**
 * The cell shown at (row, col): the top-left cell of the merge covering it, else the cell itself.
 * For dotations, the year merged over A3:A6 is read at any of A3…A6.
 */
export function mergedValueAt(sheet: SheetGrid, row: number, col: number): Cell | null {
  const m = mergeAt(sheet, row, col);
  if (m) return sheet.rows[m.startRow]?.[m.startCol] ?? null;
  return sheet.rows[row]?.[col] ?? null;
}

/** Where the value shown at (row, col) lives (the merge's top-left, else itself): to name the source cell. */
export function mergedOriginAt(sheet: SheetGrid, row: number, col: number): { row: number; col: number } {
  const m = mergeAt(sheet, row, col);
  return m ? { row: m.startRow, col: m.startCol } : { row, col };
}
