import { planLevel } from '../../../import/parse/action-plan';
import { ParsedAction, ParseOutput } from '../../../import/parse/parsed.types';
import { ContractReference } from '../../../import/resolve/contract-reference';
import { derivePlanStructure, withPlannedOrientations } from '../../../import/resolve/plan-structure';

/** Kind `plan`: the tree a plan's level cells give, matched to the contract's by code (resolve/plan-structure.ts). */
const reference = {
  contract: { id: 1, code: 'CRTE-TEST', startYear: 2021, endYear: 2026 },
  axes: [{ id: 7, code: 'A', title: 'Transition' }],
  orientations: [{ id: 11, code: 'OS-2', title: 'Mobilités', axisId: 7, parentId: null }],
} as unknown as ContractReference;

/** A fiche on row `row` (1-based) with its three level cells in A, B, C. */
function fiche(row: number, axis: string | null, subAxis: string | null, subSubAxis: string | null, cost: bigint | null = null): ParsedAction {
  const level = (text: string | null, col: string) => planLevel(text, { sheet: 'Plan', cell: `${col}${row}`, raw: text ?? '' });
  return {
    sheet: 'Plan', row: row - 1, code: null, title: `Fiche ${row}`, orientationCode: null, leadText: null, totalCostCents: cost, costBase: null,
    status: null, startDate: null, endDate: null, cells: {}, plan: { axis: level(axis, 'A'), subAxis: level(subAxis, 'B'), subSubAxis: level(subSubAxis, 'C') },
  };
}
const output = (actions: ParsedAction[]): ParseOutput => ({ layout: 'action-plan', actions, lines: [], totals: [], issues: [] });

describe('a plan read as the contract structure', () => {
  it('codes as written (A, OS-2, 3.1.2), matched to the contract by code; a new title is said at its cell; the fiche goes to its deepest level', () => {
    const parsed = output([
      fiche(2, 'A. Transition écologique', 'OS-2 : Mobilités', null, 100n),
      fiche(3, 'Axe 3 : Cohésion', '3,1 Santé', '3.1.2 Centres de santé', 250n),
      fiche(4, 'Axe 3 : Cohésion', 'Sous-axe 1 – Santé', '3 Prévention'),
    ]);
    const structure = derivePlanStructure(parsed, reference);
    expect(structure.axes.map((a) => [a.code, a.title, a.existingId, a.renamed])).toEqual([
      ['A', 'Transition écologique', 7, true],
      ['3', 'Cohésion', null, false],
    ]);
    expect(structure.orientations.map((o) => [o.code, o.title, o.axisCode, o.parentCode, o.existingId, o.referenceId])).toEqual([
      ['OS-2', 'Mobilités', 'A', null, 11, 11],
      ['3.1', 'Santé', '3', null, null, -1],
      ['3.1.2', 'Centres de santé', '3', '3.1', null, -2],
      ['3.1.3', 'Prévention', '3', '3.1', null, -3],
    ]);
    expect(parsed.actions.map((a) => a.orientationCode)).toEqual(['OS-2', '3.1.2', '3.1.3']);
    expect(structure).toMatchObject({ actions: 3, budgetCents: 350n });
    expect(structure.issues.map((i) => [i.severity, i.code, i.cell])).toEqual([['WARNING', 'PLAN_TITLE_CHANGED', 'A2']]);
    expect(withPlannedOrientations(reference, structure).orientations.map((o) => o.code)).toEqual(['OS-2', '3.1', '3.1.2', '3.1.3']);
  });
});
