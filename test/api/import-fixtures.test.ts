import { formatCents } from '../../src/kernel/money';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { runCrte } from '../support/cli';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';


/** `crte ARGS --json` run in this process (test/support/cli.ts): what it printed, as JSON. */
const crte = async (args: string[], databaseUrl: string) => (await runCrte([...args, '--json'], databaseUrl)).json;

/**
 * Every fixture of ../shared/fixtures applied to one contract, and the figures of its README read back
 * through GraphQL (test/fixtures/partners/README.md).
 */
describe(`every partner fixture applied on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    api = await startTestServer({ db });
    const imports: Array<[string, string, string, string[]]> = [
      ['annexe3-banque-des-territoires-2023.xlsx', 'annex3', 'Banque des Territoires', []],
      ['annexe3-douaisis-agglo-2022.xlsx', 'annex3', 'Douaisis Agglo', []],
      ['annexe3-ademe-2021-2023.csv', 'annex3', 'ADEME', []],
      ['dotations-detr-dsil-fnadt-2017-2021.xlsx', 'dotations', 'Etat', []],
      // Its ambiguous and unreadable cells are errors, reported: the rest is applied with --allow-partial.
      ['annexe2-bilan-plan-de-relance-douaisis.xlsx', 'annex2', 'Etat', ['--allow-partial']],
    ];
    for (const [file, kind, source, extra] of imports) {
      const result = await crte(['import', fixturePath(file), '--kind', kind, '--source', source, ...extra], db.url);
      expect(result.status).toBe('APPLIED');
    }
  }, 180000);
  afterAll(async () => api?.close());

  /** Sum of the current lines matching `filter`, read page by page through GraphQL. */
  async function total(filter: Record<string, unknown>): Promise<string> {
    let cents = 0n;
    let after: string | null = null;
    do {
      const { body }: any = await api.graphql('query ($filter: FundingFilter, $after: String) { fundings(filter: $filter, first: 500, after: $after) { pageInfo { hasNextPage endCursor } nodes { amount } } }', {
        filter: { contract: 'CRTE-DOUAISIS', ...filter },
        after,
      });
      expect(body.errors).toBeUndefined();
      for (const node of body.data.fundings.nodes) cents += BigInt(node.amount.replace('.', ''));
      after = body.data.fundings.pageInfo.hasNextPage ? body.data.fundings.pageInfo.endCursor : null;
    } while (after);
    return formatCents(cents);
  }

  it('Banque des Territoires: 20 100 000 €, DA-01 12 500 000 € over 2023–2025', async () => {
    expect(await total({ funder: 'Banque des Territoires' })).toBe('20100000.00');
    expect(await total({ funder: 'Banque des Territoires', action: 'DA-01' })).toBe('12500000.00');
    expect(await total({ funder: 'Banque des Territoires', action: 'DA-01', yearFrom: 2023, yearTo: 2025 })).toBe('12500000.00');
    expect(await total({ funder: 'Banque des Territoires', instrument: ['ENGINEERING'] })).toBe('100000.00');
  });

  it('Douaisis Agglo: 19 650 000 € in 2022, generic columns on the Région, the Département, the EPCI and the commune', async () => {
    const { body } = await api.graphql(`{ fundings(filter: { contract: "CRTE-DOUAISIS", yearFrom: 2022, yearTo: 2022, stage: [PLANNED] }, first: 500) {
      nodes { amount funder { name } source { declaredBy { name } } } } }`);
    const fromAgglo = body.data.fundings.nodes.filter((node: any) => node.source.declaredBy.name === 'CA Douaisis Agglo');
    expect(fromAgglo).toHaveLength(14);
    expect(formatCents(fromAgglo.reduce((sum: bigint, node: any) => sum + BigInt(node.amount.replace('.', '')), 0n))).toBe('19650000.00');
    expect(await total({ action: 'DOU-05', funder: 'Région Hauts-de-France' })).toBe('300000.00');
    expect(await total({ action: 'DOU-05', funder: 'Département du Nord' })).toBe('250000.00');
    expect(await total({ action: 'DOU-03', funder: 'Douai' })).toBe('180000.00');
    expect(await total({ action: 'DA-01', funder: '200044618' })).toBe('8000000.00');
  });

  it('ADEME: 1 762 000 € requested, 1 046 000,50 € granted, 83 200 € paid', async () => {
    expect(await total({ funder: 'ADEME', stage: ['REQUESTED'] })).toBe('1762000.00');
    expect(await total({ funder: 'ADEME', stage: ['GRANTED'] })).toBe('1046000.50');
    expect(await total({ funder: 'ADEME', stage: ['PAID'] })).toBe('83200.00');
  });

  it('dotations: 16 546 179,90 € paid to Douaisis Agglo and 6 247 864,84 € to Cœur d’Ostrevent', async () => {
    expect(await total({ beneficiary: '200044618', stage: ['PAID'] })).toBe('16546179.90');
    expect(await total({ beneficiary: '245901152', stage: ['PAID'] })).toBe('6247864.84');
    expect(await total({ programme: 'DSIL', stage: ['PAID'], yearFrom: 2021, yearTo: 2021 })).toBe('4906266.33');
  });

  it('annex 2: 44 measures less the 2 named on its rows in error (10 and 16, left out), volet VI 11 058 241,43 € and volet VII 10 272 067 € of aid', async () => {
    const measures = await db.dataSource.query('SELECT volet_number AS volet, COUNT(*) AS n FROM relance_measure WHERE superseded_at IS NULL GROUP BY volet_number');
    expect(measures.reduce((sum: number, row: any) => sum + Number(row.n), 0)).toBe(42);
    const aid = async (volet: string) => {
      const [row] = await db.dataSource.query(
        `SELECT SUM(ROUND(a.amount * 100)) AS cents FROM relance_amount a JOIN relance_measure m ON m.id = a.measure_id
          WHERE m.superseded_at IS NULL AND m.volet_number = ? AND a.kind = 'AID'`,
        [volet],
      );
      return formatCents(BigInt(String(row.cents).replace(/\.0+$/, '')));
    };
    expect(await aid('VI')).toBe('11058241.43');
    expect(await aid('VII')).toBe('10272067.00');
  });

  it('fundingTotals groups in SQL, exactly, by any dimensions, and agrees with the lines', async () => {
    const { body } = await api.graphql(`{
      byFunderStage: fundingTotals(groupBy: [FUNDER, STAGE], filter: { contract: "CRTE-DOUAISIS" }) { funder { name shortName } stage amount lines }
      byTerritory: fundingTotals(groupBy: [TERRITORY, PROGRAMME], filter: { contract: "CRTE-DOUAISIS", stage: [PAID], yearFrom: 2017, yearTo: 2021 }) { territory { siren } programme { code } amount }
      byAxis: fundingTotals(groupBy: [AXIS, YEAR], filter: { contract: "CRTE-DOUAISIS", funder: "Banque des Territoires" }) { axis { number } year amount lines }
    }`);
    expect(body.errors).toBeUndefined();
    const find = (name: string, stage: string) => body.data.byFunderStage.find((row: any) => (row.funder.name === name || row.funder.shortName === name) && row.stage === stage);
    expect(find('Banque des Territoires', 'PLANNED')).toMatchObject({ amount: '20100000.00', lines: 10 });
    expect(find('ADEME', 'GRANTED').amount).toBe('1046000.50');
    expect(find('ADEME', 'REQUESTED').amount).toBe('1762000.00');
    const paidTo = (siren: string) =>
      formatCents(body.data.byTerritory.filter((row: any) => row.territory?.siren === siren).reduce((sum: bigint, row: any) => sum + BigInt(row.amount.replace('.', '')), 0n));
    expect(paidTo('200044618')).toBe('16546179.90');
    expect(paidTo('245901152')).toBe('6247864.84');
    // Banque des Territoires by axis: orientations 2.1/2.2 (axis 2) and 3.2/3.4 (axis 3).
    const axisTotal = (axis: number) =>
      formatCents(body.data.byAxis.filter((row: any) => row.axis?.number === axis).reduce((sum: bigint, row: any) => sum + BigInt(row.amount.replace('.', '')), 0n));
    expect(axisTotal(2)).toBe('15000000.00');
    expect(axisTotal(3)).toBe('5100000.00');
  });
});
