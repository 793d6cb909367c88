import { COLUMN_ROLES } from '../../../import/detect/column-roles.data';
import { HEADER_ANCHORS, LAYOUTS } from '../../../import/detect/layouts.data';
import { synonymConflicts } from '../../../import/detect/role-matcher';
import type { ColumnRole, ImportKindName, LayoutCondition } from '../../../import/detect/types';

const KINDS = Object.keys(COLUMN_ROLES) as ImportKindName[];

function rolesOf(cond: LayoutCondition): ColumnRole[] {
  if ('allOf' in cond) return cond.allOf.flatMap(rolesOf);
  if ('anyOf' in cond) return cond.anyOf.flatMap(rolesOf);
  return [...cond.roles];
}

describe('detect data', () => {
  it('covers every import kind', () => {
    expect(KINDS.sort()).toEqual(['annex2', 'annex3', 'dotations', 'grants', 'indicators']);
    expect(Object.keys(LAYOUTS).sort()).toEqual(KINDS);
  });

  it.each(KINDS)('%s: no synonym is claimed by two roles', (kind) => {
    expect(synonymConflicts(kind)).toEqual([]);
  });

  it.each(KINDS)('%s: layouts and anchors only name roles the kind can recognise', (kind) => {
    const data = COLUMN_ROLES[kind];
    const known = new Set<ColumnRole>(data.roles.map((r) => r.role));
    if (data.funderColumns) known.add('funderColumn');
    if (data.yearColumns) known.add('yearColumn');
    for (const layout of LAYOUTS[kind]) {
      for (const cond of [...layout.signature, ...layout.required]) for (const role of rolesOf(cond)) expect([layout.name, role, known.has(role)]).toEqual([layout.name, role, true]);
    }
    for (const role of HEADER_ANCHORS[kind]) expect(known.has(role)).toBe(true);
  });

  it('has one layout for every kind but annex3 (5), grants (2) and indicators (3)', () => {
    expect(LAYOUTS.annex3.map((l) => l.name)).toEqual(['long', 'pairs', 'by-year', 'by-funder', 'action-plan']);
    expect(LAYOUTS.annex2.map((l) => l.name)).toEqual(['annex2']);
    expect(LAYOUTS.dotations.map((l) => l.name)).toEqual(['dotations']);
    expect(LAYOUTS.grants.map((l) => l.name)).toEqual(['scdl', 'grants']);
    expect(LAYOUTS.indicators.map((l) => l.name)).toEqual(['indicators-pairs', 'indicators-long', 'indicators']);
  });
});
