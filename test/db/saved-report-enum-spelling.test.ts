import { readFileSync } from 'node:fs';
import { revertLastMigration } from '../../src/db/migration-revert';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const MIGRATION = 'SavedReportEnumSpelling1764979200000';
const CONTRACT = 'CRTE-DOUAISIS';

/** Saved reports as the release before stored them: lower-case FundingDimension and ImportKind values. */
const OLD: Array<{ name: string; query: string; variables: string | null }> = [
  {
    name: 'totaux-par-annee',
    query: `query ($contract: String!, $by: [FundingDimension!]! = [year]) {
  # Annexes 3 only (kind: annex3), by year and stage
  annexes: fundingTotals(groupBy: $by, filter: { contract: $contract, kind: [annex3] }) { year stage amount lines }
}`,
    variables: JSON.stringify({ contract: CONTRACT, by: ['year', 'stage'] }),
  },
  {
    name: 'rapprochement',
    query: `{
  crossCheck(contract: "${CONTRACT}", groupBy: [programme, year, territory],
             left: { kind: [dotations], stage: [PAID] }, right: { kind: [grants], stage: [GRANTED] }) {
    leftTotal rightTotal rows { programme { code } year territory { shortName } leftAmount }
  }
}`,
    variables: null,
  },
  {
    name: 'axes-par-nature-de-financeur',
    query: `query ($f: FundingFilter) { contract(code: "${CONTRACT}") { axes { number fundingTotals(groupBy: [funderKind], filter: $f) { funderKind amount } } } }`,
    variables: JSON.stringify({ f: { kind: 'annex3', funder: 'Banque des Territoires' } }),
  },
  { name: 'contrats', query: '{ contracts { code } }', variables: null },
];

/** The same reports, as the migration must leave them: only the enum words change. */
const NEW: typeof OLD = [
  {
    ...OLD[0],
    query: OLD[0].query.replace('= [year]', '= [YEAR]').replace('kind: [annex3]', 'kind: [ANNEX3]'),
    variables: JSON.stringify({ contract: CONTRACT, by: ['YEAR', 'STAGE'] }),
  },
  {
    ...OLD[1],
    query: OLD[1].query
      .replace('[programme, year, territory]', '[PROGRAMME, YEAR, TERRITORY]')
      .replace('kind: [dotations]', 'kind: [DOTATIONS]')
      .replace('kind: [grants]', 'kind: [GRANTS]'),
  },
  {
    ...OLD[2],
    query: OLD[2].query.replace('groupBy: [funderKind]', 'groupBy: [FUNDER_KIND]'),
    variables: JSON.stringify({ f: { kind: 'ANNEX3', funder: 'Banque des Territoires' } }),
  },
  OLD[3],
];

const sumCents = (amounts: string[]) => amounts.reduce((sum, amount) => sum + BigInt(amount.replace('.', '')), 0n);

/**
 * The migration that respells the enum values of saved reports, on a database holding reports saved
 * before it and the partners' figures: after it every report runs and gives the figures of the same query
 * written today; down gives back the stored text, byte for byte.
 */
describe(`saved reports' enum spelling migration on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer | undefined;

  beforeAll(async () => {
    // Migrated: a copy of the run's template (running every migration from nothing costs seconds on MariaDB).
    db = await createTestDatabase();
  });
  afterAll(async () => (api ? api.close() : db?.drop()));

  const executed = async () => (await db.dataSource.query('SELECT name FROM migrations')).map((row: { name: string }) => row.name);
  const stored = async () => {
    const query = db.dataSource.driver.escape('query');
    const rows = await db.dataSource.query(`SELECT name, ${query} AS ${query}, variables FROM saved_report ORDER BY id`);
    return rows.map((row: { name: string; query: string; variables: string | null }) => ({ name: row.name, query: row.query, variables: row.variables }));
  };
  const report = async (name: string) => {
    const response = await fetch(new URL(`/api/reports/${name}.json`, api!.server.url));
    expect({ name, status: response.status }).toEqual({ name, status: 200 });
    return (await response.json()) as Array<Record<string, any>>;
  };

  it('respells the stored reports; each runs and gives the figures of the query written today; down restores them', async () => {
    // The partners' figures are imported by today's code on today's schema, then the migrations are
    // reverted down to before this one (later migrations may add columns today's code writes).
    await seedReferenceData(db.dataSource);
    for (const [file, kind, source] of [
      ['annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires'],
      ['dotations-detr-dsil-fnadt-2017-2021.xlsx', ImportKind.DOTATIONS, 'Etat'],
    ] as const) {
      const result = await importFile(db.dataSource, { buffer: readFileSync(fixturePath(file)), fileName: file, kind, source, contract: CONTRACT });
      expect({ file, status: result.status }).toEqual({ file, status: 'APPLIED' });
    }
    while ((await executed()).includes(MIGRATION)) await revertLastMigration(db.dataSource);
    const now = '2026-01-15 10:00:00';
    for (const { name, query, variables } of OLD) {
      await db.dataSource.query(
        `INSERT INTO saved_report (name, ${db.dataSource.driver.escape('query')}, variables, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
        [name, query, variables, now, now],
      );
    }

    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await executed()).toContain(MIGRATION);
    expect(await stored()).toEqual(NEW);

    api = await startTestServer({ db });
    // By year and stage: the rows of the query written today, and the Banque des Territoires' 10 lines.
    const byYear = await report('totaux-par-annee');
    const { body } = await api.graphql(
      `{ fundingTotals(groupBy: [YEAR, STAGE], filter: { contract: "${CONTRACT}", kind: [ANNEX3] }) { year stage amount lines } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(byYear.map((row) => [row['annexes.year'], row['annexes.stage'], row['annexes.amount'], row['annexes.lines']])).toEqual(
      body.data.fundingTotals.map((total: any) => [total.year, total.stage, total.amount, total.lines]),
    );
    expect(sumCents(byYear.map((row) => row['annexes.amount']))).toBe(2_010_000_000n);
    expect(byYear.reduce((lines, row) => lines + row['annexes.lines'], 0)).toBe(10);

    // The dotations the EPCIs received, against no national list.
    const crossCheck = await report('rapprochement');
    expect(new Set(crossCheck.map((row) => [row['crossCheck.leftTotal'], row['crossCheck.rightTotal']].join(' / ')))).toEqual(new Set(['22794044.74 / 0.00']));
    expect(sumCents(crossCheck.map((row) => row['crossCheck.rows.leftAmount']))).toBe(2_279_404_474n);

    // The variables' kind in capitals too: the bank's lines by funder kind, all under STATE_OPERATOR.
    const byKind = (await report('axes-par-nature-de-financeur')).filter((row) => row['contract.axes.fundingTotals.amount'] !== null);
    expect(new Set(byKind.map((row) => row['contract.axes.fundingTotals.funderKind']))).toEqual(new Set(['STATE_OPERATOR']));
    expect(sumCents(byKind.map((row) => row['contract.axes.fundingTotals.amount']))).toBe(2_010_000_000n);

    // Down (and the later migrations'): the text as it was stored; up again: the same respelling.
    while ((await executed()).includes(MIGRATION)) await revertLastMigration(db.dataSource);
    expect(await stored()).toEqual(OLD);
    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await stored()).toEqual(NEW);
  }, 180000);
});
