/**
 * When no layout of a kind fits a header row (LAYOUT_UNKNOWN), the one that comes closest and the one
 * change that would make the file read (issue 15, point 9) — instead of every layout and every synonym.
 *
 * Closeness: the layout whose signature misses the least, a condition half met (one funder column of
 * the two needed) counting half, and a missing column that an unrecognised header nearly spells
 * (« Finnanceur 1 ») counting half as much; on a tie, the first in layouts.data.ts's precedence. The
 * change: that header and the spelling meant, else what is missing in the layout's own words.
 */
import { normaliseText } from '../../src/kernel/normalise-text';
import { COLUMN_ROLES } from './column-roles.data';
import { headerKey } from './header-text';
import { LAYOUTS } from './layouts.data';
import type { ColumnRole, DetectedColumn, ImportKindName, LayoutCondition, LayoutSpec } from './types';

export interface ClosestLayout {
  layout: LayoutSpec;
  /** The signature's conditions that fail, in order. */
  missing: LayoutCondition[];
  /** How far: per missing condition 1 when nothing of it is there, less when half there; halved by a near miss. */
  distance: number;
  /** An unrecognised header that nearly spells what is missing, and the spelling meant. */
  near: { column: DetectedColumn; meant: string } | null;
}

function roleCount(counts: ReadonlyMap<ColumnRole, number>, roles: readonly ColumnRole[]): number {
  let n = 0;
  for (const role of roles) n += counts.get(role) ?? 0;
  return n;
}

/** 0 when the condition holds, 1 when nothing of it is there, between for a `min` half reached. */
function shortfall(cond: LayoutCondition, counts: ReadonlyMap<ColumnRole, number>): number {
  if ('allOf' in cond) return cond.allOf.reduce((sum, c) => sum + shortfall(c, counts), 0) / Math.max(1, cond.allOf.length);
  if ('anyOf' in cond) return Math.min(...cond.anyOf.map((c) => shortfall(c, counts)));
  const min = cond.min ?? 1;
  return Math.max(0, min - roleCount(counts, cond.roles)) / min;
}

export function closestLayout(kind: ImportKindName, columns: readonly DetectedColumn[]): ClosestLayout | null {
  const counts = new Map<ColumnRole, number>();
  for (const c of columns) counts.set(c.role, (counts.get(c.role) ?? 0) + 1);
  let best: ClosestLayout | null = null;
  for (const layout of LAYOUTS[kind] as readonly LayoutSpec[]) {
    if (layout.signature.length === 0) continue;
    const missing = layout.signature.filter((cond) => shortfall(cond, counts) > 0);
    const near = nearMiss(kind, columns, missing);
    const distance = missing.reduce((sum, cond) => sum + shortfall(cond, counts), 0) * (near ? 0.5 : 1);
    if (!best || distance < best.distance) best = { layout, missing, distance, near };
  }
  return best;
}

/** The roles a condition names, all branches together. */
function rolesOf(cond: LayoutCondition): ColumnRole[] {
  if ('allOf' in cond) return cond.allOf.flatMap(rolesOf);
  if ('anyOf' in cond) return cond.anyOf.flatMap(rolesOf);
  return [...cond.roles];
}

/** Spellings the data knows for these roles (synonyms and prefixes), as comparison keys with their text. */
function spellingsOf(kind: ImportKindName, roles: readonly ColumnRole[]): Array<{ key: string; text: string }> {
  const data = COLUMN_ROLES[kind];
  const out: Array<{ key: string; text: string }> = [];
  for (const spec of data.roles) {
    if (!roles.includes(spec.role)) continue;
    for (const s of spec.synonyms) out.push({ key: headerKey(s), text: s });
    for (const p of spec.prefixes ?? []) out.push({ key: normaliseText(p), text: spec.capture === 'index' ? `${p} 1` : p });
  }
  if (roles.includes('funderColumn')) {
    for (const f of data.funderColumns ?? []) for (const s of f.synonyms) out.push({ key: headerKey(s), text: s });
  }
  return out.filter((s) => s.key.length >= 3);
}

/** Edit distance counting a swap of two neighbours as one (« Montnat » → « Montant »); headers are short. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** An unrecognised header that reads like one of the missing spellings: the column and the spelling it was meant to be. */
function nearMiss(kind: ImportKindName, columns: readonly DetectedColumn[], missing: readonly LayoutCondition[]): { column: DetectedColumn; meant: string } | null {
  return nearSpelling(kind, columns, missing.flatMap(rolesOf));
}

/**
 * An unrecognised header that nearly spells one of these roles (« Montnat 2 » for a pair's amount): the
 * column and the spelling meant, its number kept (« Montant 2 »).
 */
export function nearSpelling(kind: ImportKindName, columns: readonly DetectedColumn[], roles: readonly ColumnRole[]): { column: DetectedColumn; meant: string } | null {
  const spellings = spellingsOf(kind, roles);
  if (spellings.length === 0) return null;
  for (const column of columns) {
    if (column.role !== 'unknown') continue;
    // Numbers apart: « Finanseur 2 » is compared as « finanseur » with « financeur ».
    const key = headerKey(column.header).replace(/\s*\d+$/, '');
    if (key.length < 4) continue;
    for (const s of spellings) {
      const target = s.key.replace(/\s*\d+$/, '');
      const max = target.length >= 8 ? 2 : 1;
      if (editDistance(key, target, max) > max) continue;
      const number = /\s(\d{1,2})$/.exec(headerKey(column.header))?.[1];
      return { column, meant: number && /\s1$/.test(s.text) ? s.text.replace(/1$/, number) : s.text };
    }
  }
  return null;
}
