import { respellSavedReport } from '../../../migrations/1764979200000-saved-report-enum-spelling';

const up = (query: string, variables: Record<string, unknown> | null = null) => {
  const respelt = respellSavedReport(query, variables ? JSON.stringify(variables) : null, 'up');
  return { query: respelt.query, variables: respelt.variables === null ? null : JSON.parse(respelt.variables) };
};

describe('respelling a saved report’s enum values', () => {
  it('rewrites groupBy and kind literals in capitals, wherever the field sits, keeping the layout and comments', () => {
    const query = `# Suivi : par année (year) et étape
query Suivi {
  byYear: fundingTotals(groupBy: [year,   stage], filter: { contract: "year", kind: [annex3, dotations], stage: [PLANNED] }) { year stage amount }
  contract(code: "CRTE-DOUAISIS") { axes { fundingTotals(groupBy: [funderKind]) { funderKind amount } } }
  crossCheck(contract: "C", groupBy: territory, left: { kind: [dotations] }, right: { kind: grants }) { difference }
  importBatches(filter: { kind: indicators }) { nodes { kind } }
}`;
    expect(up(query).query).toBe(`# Suivi : par année (year) et étape
query Suivi {
  byYear: fundingTotals(groupBy: [YEAR,   STAGE], filter: { contract: "year", kind: [ANNEX3, DOTATIONS], stage: [PLANNED] }) { year stage amount }
  contract(code: "CRTE-DOUAISIS") { axes { fundingTotals(groupBy: [FUNDER_KIND]) { funderKind amount } } }
  crossCheck(contract: "C", groupBy: TERRITORY, left: { kind: [DOTATIONS] }, right: { kind: GRANTS }) { difference }
  importBatches(filter: { kind: INDICATORS }) { nodes { kind } }
}`);
  });

  it('rewrites fragments, variable defaults and the saved variables by their declared type, and nothing else', () => {
    const query = `query ($by: [FundingDimension!]! = [year], $f: FundingFilter, $k: ImportKind, $year: Int, $stage: [FundingStage!]) {
  contract(code: "C") { ...Totals }
  importBatches(filter: { kind: $k }) { totalCount }
  fundingTotals(groupBy: $by, filter: $f) { amount }
}
fragment Totals on Contract { axes { fundingTotals(groupBy: [axis], filter: { stage: $stage }) { amount } } }`;
    const respelt = up(query, { by: ['funder', 'year'], f: { contract: 'year', kind: ['annex2'], stage: ['PAID'] }, k: 'grants', year: 2024, stage: ['PLANNED'] });
    expect(respelt.query).toBe(query.replace('= [year]', '= [YEAR]').replace('groupBy: [axis]', 'groupBy: [AXIS]'));
    expect(respelt.variables).toEqual({ by: ['FUNDER', 'YEAR'], f: { contract: 'year', kind: ['ANNEX2'], stage: ['PAID'] }, k: 'GRANTS', year: 2024, stage: ['PLANNED'] });
  });

  it('leaves alone a report with nothing to respell, one already in capitals, and one that does not parse', () => {
    const plain = '{ contracts { code } }';
    expect(respellSavedReport(plain, '{"x":"year"}', 'up')).toEqual({ query: plain, variables: '{"x":"year"}' });
    const done = '{ fundingTotals(groupBy: [YEAR]) { year amount } }';
    expect(respellSavedReport(done, null, 'up')).toEqual({ query: done, variables: null });
    const broken = '{ fundingTotals(groupBy: [year] { amount } }';
    expect(respellSavedReport(broken, '{"by":["year"]}', 'up')).toEqual({ query: broken, variables: '{"by":["year"]}' });
    // A directive's argument, an unknown field's argument, or `kind` on a filter of another type: not these enums.
    const other = '{ actions(filter: { status: [year] }) @include(if: true) { totalCount } fundings(first: 2) { totalCount } }';
    expect(respellSavedReport(other, null, 'up').query).toBe(other);
  });

  it('down gives back the old spelling', () => {
    const query = 'query ($by: [FundingDimension!]!, $f: FundingFilter) { fundingTotals(groupBy: $by, filter: $f) { amount } crossCheck(contract: "C", groupBy: [funderKind], left: { kind: [dotations] }, right: {}) { difference } }';
    const variables = JSON.stringify({ by: ['territory'], f: { kind: ['annex3'] } });
    const respelt = respellSavedReport(query, variables, 'up');
    expect(respelt.query).not.toBe(query);
    expect(respellSavedReport(respelt.query, respelt.variables, 'down')).toEqual({ query, variables });
  });
});
