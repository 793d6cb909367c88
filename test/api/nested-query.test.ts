import { parse, SelectionSetNode } from 'graphql';
import { formatCents, sumCents } from '../../src/kernel/money';
import { BuiltContract, buildLargeContract } from '../support/builders';
import { createTestDatabase } from '../support/database';
import { QueryCounter } from '../support/query-counter';
import { startTestServer, TestServer } from '../support/server';
import { NESTED_QUERY } from '../../bench/nested-query';

/** The levels of a query: its fields that answer objects (each with a selection set of its own). */
function objectFields(selectionSet: SelectionSetNode | undefined): number {
  if (!selectionSet) return 0;
  return selectionSet.selections.reduce((sum, selection) => sum + ('selectionSet' in selection && selection.selectionSet ? 1 + objectFields(selection.selectionSet) : 0), 0);
}

describe('nested contract query, batched per level', () => {
  const counter = new QueryCounter();
  let api: TestServer;
  let large: BuiltContract;
  let wide: BuiltContract;

  beforeAll(async () => {
    const db = await createTestDatabase({ logger: counter });
    api = await startTestServer({
      db,
      prepare: async ({ dataSource }) => {
        await buildLargeContract(dataSource, { code: 'SMALL', actions: 50, fundingsPerAction: 10 });
        large = await buildLargeContract(dataSource, { code: 'LARGE', actions: 500, fundingsPerAction: 10 });
        // More parents per level than a loader's batch was once cut at (2 000 ids per IN list).
        wide = await buildLargeContract(dataSource, { code: 'WIDE', actions: 2050, fundingsPerAction: 1 });
      },
    });
    // The contracts' row statistics, which the query limits estimate answers from, are read once per
    // data version (src/server/list-statistics.ts), not per request: read before counting.
    for (const code of ['SMALL', 'LARGE', 'WIDE']) await api.graphql(NESTED_QUERY, { code });
  }, 120000);
  afterAll(async () => api?.close());

  async function run(code: string) {
    counter.reset();
    const result = await api.graphql(NESTED_QUERY, { code });
    return { result, statements: counter.count };
  }

  it('reads 500 actions and 5 000 lines in no more statements than the query has levels of objects, as many as for 50', async () => {
    expect(large.actionCount).toBeGreaterThanOrEqual(500);
    expect(large.fundingCount).toBeGreaterThanOrEqual(5000);
    // Levels of objects: contract, axes, orientations, actions, fundings, funder, programme, beneficiary,
    // source (read with its line), indicators, values.
    const levels = objectFields((parse(NESTED_QUERY).definitions[0] as { selectionSet: SelectionSetNode }).selectionSet);
    expect(levels).toBe(11);

    const atFifty = await run('SMALL');
    const atFiveHundred = await run('LARGE');
    expect(atFiveHundred.result.body.errors).toBeUndefined();

    if (process.env.VERBOSE_COUNTS) console.log({ levels, atFifty: atFifty.statements, atFiveHundred: atFiveHundred.statements });
    expect(atFiveHundred.statements).toBeLessThanOrEqual(levels);
    expect(atFiveHundred.statements).toBe(atFifty.statements);

    const actions = atFiveHundred.result.body.data.contract.axes.flatMap((axis: any) => axis.orientations.flatMap((o: any) => o.actions));
    expect(actions).toHaveLength(500);
    const amounts: string[] = actions.flatMap((action: any) => action.fundings.map((funding: any) => funding.amount));
    expect(amounts).toHaveLength(5000);
    // Every amount comes back as the exact string written, and they add up to the cent.
    const returned = amounts.map((amount) => BigInt(amount.replace('.', '')));
    expect(formatCents(sumCents(returned))).toBe(formatCents(sumCents(large.fundingCents)));
    expect(actions[0].indicators[0].values).toEqual([
      { year: 2022, value: '22', stage: 'ACTUAL' },
      { year: 2023, value: '23', stage: 'ACTUAL' },
    ]);
    expect(actions[0].fundings[0].source).toEqual({ sheet: 'Feuille 1', cell: 'D2', reference: "'Feuille 1'!D2" });
  });

  it('reads each level of 2 050 actions in one statement: one per table, as for 50', async () => {
    const atFifty = await run('SMALL');
    const smallStatements = [...counter.statements];
    const atWide = await run('WIDE');
    expect(atWide.result.body.errors).toBeUndefined();
    // Each level reads its own table once: the tables read are those for 50 actions (siblings, such as an
    // action's lines and its indicators, in either order: their loaders run side by side) — but for the
    // programmes: WIDE's one line per action has none (the builder gives one to odd lines), and a level
    // with no row to read is no statement.
    const tables = (statements: string[]) => statements.map((sql) => /FROM [`"]?(\w+)/i.exec(sql)?.[1]).sort();
    expect(tables(counter.statements)).toEqual(tables(smallStatements).filter((table) => table !== 'programme'));
    expect(atWide.statements).toBe(atFifty.statements - 1);
    const actions = atWide.result.body.data.contract.axes.flatMap((axis: any) => axis.orientations.flatMap((o: any) => o.actions));
    expect(actions).toHaveLength(wide.actionCount);
    const returned = actions.flatMap((action: any) => action.fundings.map((funding: any) => BigInt(funding.amount.replace('.', ''))));
    expect(returned).toHaveLength(wide.fundingCount);
    expect(formatCents(sumCents(returned))).toBe(formatCents(sumCents(wide.fundingCents)));
  });

  it('reads a tree dated asOf in as many statements as today’s, for 500 actions as for 50: its lines, those valid then, in one', async () => {
    const DATED = NESTED_QUERY.replace('($code: String!)', '($code: String!, $asOf: DateTimeISO)').replace(/axes \{/, 'axes(asOf: $asOf) {');
    expect(DATED).toContain('axes(asOf: $asOf)');
    const dated = async (code: string, asOf: string) => {
      counter.reset();
      const result = await api.graphql(DATED, { code, asOf });
      expect(result.body.errors).toBeUndefined();
      const actions = result.body.data.contract.axes.flatMap((axis: any) => axis.orientations.flatMap((o: any) => o.actions));
      return { actions, statements: counter.count, sql: [...counter.statements] };
    };
    // The statements that read lines (today's path and the dated one both alias the table `funding`).
    const lineReads = (statements: string[]) => statements.filter((sql) => /FROM [`"]?funding[`"]? [`"]?funding[`"]?/i.test(sql)).length;
    const today = await run('LARGE');
    expect(lineReads(counter.statements)).toBe(1);
    // A moment after the contracts were built: every line valid then, as today.
    const after = new Date(Date.now() + 60_000).toISOString();
    const atFifty = await dated('SMALL', after);
    const atFiveHundred = await dated('LARGE', after);
    if (process.env.VERBOSE_COUNTS) console.log({ today: today.statements, atFifty: atFifty.statements, atFiveHundred: atFiveHundred.statements });
    expect(atFiveHundred.statements).toBe(today.statements);
    expect(atFiveHundred.statements).toBe(atFifty.statements);
    expect(lineReads(atFiveHundred.sql)).toBe(1);
    expect(atFiveHundred.actions).toHaveLength(500);
    const returned = atFiveHundred.actions.flatMap((action: any) => action.fundings.map((funding: any) => BigInt(funding.amount.replace('.', ''))));
    expect(returned).toHaveLength(large.fundingCount);
    expect(formatCents(sumCents(returned))).toBe(formatCents(sumCents(large.fundingCents)));
    // Before they were recorded: the same actions (an action has no history), no line — so no funder,
    // programme nor beneficiary to read: three statements fewer.
    const before = await dated('LARGE', '2000-01-01T00:00:00Z');
    expect(before.statements).toBe(today.statements - 3);
    expect(before.actions).toHaveLength(500);
    expect(before.actions.flatMap((action: any) => action.fundings)).toEqual([]);
  });

  it('adds one statement for the funding totals and coverage of all actions, whatever their number', async () => {
    const query = `query ($code: String!) { contract(code: $code) { axes { orientations { actions { code totalCost fundingTotal coverage } } } } }`;
    counter.reset();
    const smallResult = await api.graphql(query, { code: 'SMALL' });
    const smallCount = counter.count;
    counter.reset();
    const largeResult = await api.graphql(query, { code: 'LARGE' });
    expect(counter.count).toBe(smallCount);
    expect(largeResult.body.errors).toBeUndefined();
    expect(smallResult.body.errors).toBeUndefined();
    const actions = largeResult.body.data.contract.axes.flatMap((axis: any) => axis.orientations.flatMap((o: any) => o.actions));
    const total = actions.map((action: any) => BigInt(action.fundingTotal.replace('.', ''))).reduce((a: bigint, b: bigint) => a + b, 0n);
    expect(formatCents(total)).toBe(formatCents(sumCents(large.fundingCents)));
    const first = actions.find((action: any) => action.code === 'ACT-0000');
    // ACT-0000: ten lines of 1 000.00 + f × 0.11 € on a cost of 1 000 000 € → 10 004.95 €, about 1 %.
    expect(first.fundingTotal).toBe('10004.95');
    expect(first.coverage).toBeCloseTo(0.01, 4);
  });
});
