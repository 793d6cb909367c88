import { humanSummary, layoutLabel, stageTotals } from '../../../src/cli/import-summary';
import { ImportKind } from '../../../src/kernel/import-batch.enum';
import type { PreviewLine } from '../../../import/preview/import-preview';

const line = (amount: string, stage: string, extra: Partial<PreviewLine> = {}): PreviewLine => ({
  amount, year: 2021, funder: 'État', programme: null, beneficiary: null, stage, instrument: 'SUBSIDY', approximate: false, action: null, sheet: 'S', cell: 'A1', rawValue: amount, ...extra,
});

describe('the CLI summary', () => {
  it('names each sheet’s layout in French, keeping an unknown name as it is', () => {
    expect(layoutLabel('by-year')).toBe('une colonne par année');
    expect(layoutLabel('by-year, pairs')).toBe('une colonne par année, des paires financeur / montant');
    expect(layoutLabel('')).toBe('—');
    expect(layoutLabel('future-layout')).toBe('future-layout');
  });

  it('sums stage by stage in FundingStage’s order, an annex 2’s investments apart', () => {
    const totals = stageTotals([
      line('10.10', 'PAID'),
      line('0.05', 'PLANNED'),
      line('1000000', 'GRANTED', { measureAmountKind: 'AID' }),
      line('5000000', 'GRANTED', { measureAmountKind: 'INVESTMENT' }),
      line('0.90', 'PAID'),
    ]);
    expect(totals).toEqual({
      stages: [
        { stage: 'PLANNED', cents: 5n, lines: 1 },
        { stage: 'GRANTED', cents: 100000000n, lines: 1 },
        { stage: 'PAID', cents: 1100n, lines: 2 },
      ],
      investments: 500000000n,
    });
  });

  it('prints no total of all stages, and « aucun » without amounts', () => {
    const base = { batchId: 7, status: 'PREVIEWED', layout: 'long', counts: { lines: 2, errors: 0, warnings: 0, notes: 0, newActions: 0, newOrganisations: 0 }, total: '3.00', issues: [] };
    const text = humanSummary({ ...base, lines: [line('1', 'REQUESTED'), line('2', 'GRANTED')] }, ImportKind.ANNEX3);
    expect(text).toContain('  Demandé :  1,00 € (1 ligne)\n  Attribué : 2,00 € (1 ligne)\n');
    expect(text).not.toContain('3,00');
    expect(humanSummary({ ...base, lines: [] })).toContain('Montants : aucun\n');
  });
});
