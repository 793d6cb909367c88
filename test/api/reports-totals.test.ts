import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { importFile } from '../../src/import-batch/import-apply.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';
const INDICATOR_TEMPLATE = join(__dirname, '..', '..', 'docs', 'templates', 'modele-indicateurs.csv');

/**
 * A national list of State grants as the DGCL publishes it, for the cross-check against the contract's
 * own table of grants received (dotations fixture, 2021: Douaisis Agglo DETR 638 913,67 €, DSIL
 * 3 716 877,01 €; Cœur d'Ostrevent DETR 409 377,92 €). Douai (59178) is a commune of Douaisis Agglo;
 * the Lille row (59350) is outside the perimeter and left out.
 */
const GRANTS_CSV = [
  'ANNEE;DOT;INSEECOM;BENEFICIAIRE;OBJET;COUT;SUBVENTION',
  '2021;DETR;59178;DOUAI;Rénovation de la salle des sports;900000;400000,00',
  '2021;DETR;59178;DOUAI;Voirie rue de Paris;500000;238913,67',
  '2021;DSIL;59178;DOUAI;Rénovation thermique école;6000000;3700000',
  '2022;DETR;59178;DOUAI;Toiture de la mairie;120000;50000',
  '2021;DETR;59350;LILLE;Hors périmètre;1000000;500000',
].join('\r\n');

describe(`reports over the fixtures on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    const imports: Array<[Buffer, string, ImportKind, string]> = [
      [readFileSync(fixturePath('annexe3-banque-des-territoires-2023.xlsx')), 'annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires'],
      [readFileSync(fixturePath('annexe3-douaisis-agglo-2022.xlsx')), 'annexe3-douaisis-agglo-2022.xlsx', ImportKind.ANNEX3, 'Douaisis Agglo'],
      [readFileSync(fixturePath('annexe3-ademe-2021-2023.csv')), 'annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME'],
      [readFileSync(fixturePath('dotations-detr-dsil-fnadt-2017-2021.xlsx')), 'dotations-detr-dsil-fnadt-2017-2021.xlsx', ImportKind.DOTATIONS, 'Etat'],
      [Buffer.from(GRANTS_CSV, 'utf8'), 'subventions-dgcl-2021.csv', ImportKind.GRANTS, 'Etat'],
      [readFileSync(INDICATOR_TEMPLATE), 'modele-indicateurs.csv', ImportKind.INDICATORS, 'Douaisis Agglo'],
    ];
    for (const [buffer, fileName, kind, source] of imports) {
      const result = await importFile(db.dataSource, { buffer, fileName, kind, source, contract: CONTRACT });
      expect({ fileName, status: result.status }).toEqual({ fileName, status: 'APPLIED' });
    }
    api = await startTestServer({ db });
  }, 180000);
  afterAll(async () => api?.close());

  async function query<T = any>(text: string, variables?: Record<string, unknown>): Promise<T> {
    const { body } = await api.graphql<T>(text, variables);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }

  describe('crossCheck', () => {
    const CROSS_CHECK = `query ($left: FundingFilter!, $right: FundingFilter!) {
      crossCheck(contract: "${CONTRACT}", groupBy: [PROGRAMME, YEAR, TERRITORY], left: $left, right: $right) {
        leftTotal rightTotal difference agreeing disagreeing
        rows { programme { code } year territory { shortName name } leftAmount leftLines rightAmount rightLines difference status }
      }
    }`;
    const slices = { left: { kind: ['DOTATIONS'], stage: ['PAID'] }, right: { kind: ['GRANTS'], stage: ['GRANTED'] } };

    it('puts the grants received beside the State’s published list, group by group, exact to the cent', async () => {
      const { crossCheck } = await query(CROSS_CHECK, slices);
      const row = (programme: string, year: number, territory: string) =>
        crossCheck.rows.find((r: any) => r.programme?.code === programme && r.year === year && r.territory?.shortName === territory);
      expect(row('DETR', 2021, 'Douaisis Agglo')).toMatchObject({ leftAmount: '638913.67', leftLines: 1, rightAmount: '638913.67', rightLines: 2, difference: '0.00', status: 'SAME' });
      expect(row('DSIL', 2021, 'Douaisis Agglo')).toMatchObject({ leftAmount: '3716877.01', rightAmount: '3700000.00', difference: '16877.01', status: 'DIFFERENT' });
      expect(row('DETR', 2021, "Coeur d'Ostrevent")).toMatchObject({ leftAmount: '409377.92', rightAmount: '0.00', rightLines: 0, status: 'LEFT_ONLY' });
      expect(row('DETR', 2022, 'Douaisis Agglo')).toMatchObject({ leftAmount: '0.00', leftLines: 0, rightAmount: '50000.00', status: 'RIGHT_ONLY' });
      // The whole table of grants received (30 lines, 2017–2021) against the three grants inside the perimeter.
      expect(crossCheck.leftTotal).toBe('22794044.74');
      expect(crossCheck.rightTotal).toBe('4388913.67');
      expect(crossCheck.difference).toBe('18405131.07');
      expect(crossCheck.agreeing).toBe(1);
      expect(crossCheck.agreeing + crossCheck.disagreeing).toBe(crossCheck.rows.length);
    });

    it('agrees with fundingTotals on each side', async () => {
      const { crossCheck } = await query(CROSS_CHECK, slices);
      for (const [side, filter] of [['left', slices.left], ['right', slices.right]] as const) {
        const { fundingTotals } = await query(`query ($filter: FundingFilter) { fundingTotals(groupBy: [PROGRAMME, YEAR, TERRITORY], filter: $filter) { programme { code } year territory { id } amount lines } }`, {
          filter: { ...filter, contract: CONTRACT },
        });
        const fromRows = crossCheck.rows.filter((r: any) => r[`${side}Lines`] > 0).map((r: any) => r[`${side}Amount`]);
        expect(fromRows.sort()).toEqual(fundingTotals.map((t: any) => t.amount).sort());
      }
    });

    it('applies the contract to both slices', async () => {
      const { body } = await api.graphql(`{ crossCheck(contract: "NOPE", groupBy: [YEAR], left: {}, right: {}) { rows { year } leftTotal } }`);
      expect(body.errors).toBeUndefined();
      expect(body.data.crossCheck).toEqual({ rows: [], leftTotal: '0.00' });
    });
  });

  describe('totals on axes and orientations', () => {
    it('give per year and stage the same figures as fundingTotals grouped by axis or orientation', async () => {
      const { contract } = await query(`{ contract(code: "${CONTRACT}") { axes { number fundingTotals { year stage amount lines axis { number } }
        orientations { code fundingTotals(groupBy: [STAGE]) { stage amount lines } } } } }`);
      const { byAxis } = await query(`{ byAxis: fundingTotals(groupBy: [AXIS, YEAR, STAGE], filter: { contract: "${CONTRACT}" }) { axis { number } year stage amount lines } }`);
      const flattened = contract.axes.flatMap((axis: any) => axis.fundingTotals.map((t: any) => ({ ...t, axis: { number: axis.number } })));
      expect(flattened.length).toBeGreaterThan(0);
      expect(flattened).toEqual(expect.arrayContaining(byAxis.filter((t: any) => t.axis !== null)));
      expect(flattened).toHaveLength(byAxis.filter((t: any) => t.axis !== null).length);

      const { byOrientation } = await query(`{ byOrientation: fundingTotals(groupBy: [ORIENTATION, STAGE], filter: { contract: "${CONTRACT}" }) { orientation { code } stage amount lines } }`);
      const perOrientation = contract.axes.flatMap((axis: any) => axis.orientations.flatMap((o: any) => o.fundingTotals.map((t: any) => ({ orientation: { code: o.code }, ...t }))));
      expect(perOrientation).toEqual(expect.arrayContaining(byOrientation.filter((t: any) => t.orientation !== null)));
      expect(perOrientation).toHaveLength(byOrientation.filter((t: any) => t.orientation !== null).length);
    });

    it('take a filter, and add up to the fixtures’ planned figures', async () => {
      const { contract } = await query(`{ contract(code: "${CONTRACT}") { axes { fundingTotals(groupBy: [FUNDER], filter: { stage: [PLANNED] }) { funder { name } amount } } } }`);
      const cents = (funder: string) =>
        contract.axes
          .flatMap((axis: any) => axis.fundingTotals)
          .filter((t: any) => t.funder.name === funder)
          .reduce((sum: bigint, t: any) => sum + BigInt(t.amount.replace('.', '')), 0n);
      // Banque des Territoires annex 3: 20 100 000 € planned, every line on a classified action.
      expect(cents('Banque des Territoires')).toBe(2010000000n);
    });
  });

  describe('progress', () => {
    const PROGRESS = `query ($year: Int) { progress(contract: "${CONTRACT}", year: $year) {
      year
      overall { actions planned requested granted paid grantedRate paidRate byStatus { status count } }
      unclassified { actions planned granted }
      axes { axis { number } figures { actions planned granted paid paidRate }
        orientations { orientation { code } figures { actions planned granted paid byStatus { status count } } indicators { indicator { code } latestYear latestValue target targetForYear achievement } }
        indicators { indicator { code } } }
    } }`;

    it('sums the actions’ funding by stage, without the envelopes that belong to no action', async () => {
      const { progress } = await query(PROGRESS);
      // Planned: Banque des Territoires 20 100 000 + Douaisis Agglo 19 650 000; ADEME's csv requests,
      // grants and pays; the 22 794 044,74 € of grants received by the EPCIs belong to no action.
      expect(progress.overall).toMatchObject({ planned: '39750000.00', requested: '1762000.00', granted: '5434914.17', paid: '83200.00' });
      // The grants list's 4 projects are actions to classify, with their 4 388 913,67 € granted.
      expect(progress.unclassified).toMatchObject({ actions: 4, planned: '0.00', granted: '4388913.67' });
      expect(progress.overall.paidRate).toBe(0.0021); // 83 200 / 39 750 000 = 0.00209…
      expect(progress.overall.grantedRate).toBe(0.1367); // (1 046 000,50 + 4 388 913,67) / 39 750 000 = 0.13672…
    });

    it('adds up its orientations into axes and axes into the contract', async () => {
      const { progress } = await query(PROGRESS);
      const sum = (values: string[]) => values.reduce((total, value) => total + BigInt(value.replace('.', '')), 0n);
      for (const axis of progress.axes) {
        expect(sum(axis.orientations.map((o: any) => o.figures.planned))).toBe(sum([axis.figures.planned]));
        expect(axis.orientations.reduce((n: number, o: any) => n + o.figures.actions, 0)).toBe(axis.figures.actions);
      }
      expect(sum(progress.axes.map((a: any) => a.figures.planned))).toBe(sum([progress.overall.planned]));
      const actions = progress.axes.reduce((n: number, a: any) => n + a.figures.actions, 0) + progress.unclassified.actions;
      expect(actions).toBe(progress.overall.actions);
      const statusTotal = progress.overall.byStatus.reduce((n: number, s: any) => n + s.count, 0);
      expect(statusTotal).toBe(progress.overall.actions);
      const { actions: page } = await query(`{ actions(filter: { contract: "${CONTRACT}" }, first: 1) { totalCount } }`);
      expect(progress.overall.actions).toBe(page.totalCount);
    });

    it('shows each indicator’s latest value against its target, under its action’s orientation', async () => {
      const { action } = await query(`{ action(contract: "${CONTRACT}", code: "DA-01") { orientation { code } } }`);
      const { progress } = await query(PROGRESS);
      const orientation = progress.axes.flatMap((a: any) => a.orientations).find((o: any) => o.orientation.code === action.orientation.code);
      // docs/templates/modele-indicateurs.csv: 1 250,5 m² done in 2022 of a 5 000 m² target from 0.
      expect(orientation.indicators).toEqual([
        { indicator: { code: 'DA-01-SURF' }, latestYear: 2022, latestValue: '1250.5', target: '5000', targetForYear: null, achievement: 0.2501 },
      ]);
      const axis = progress.axes.find((a: any) => a.orientations.includes(orientation));
      expect(axis.indicators).toEqual([{ indicator: { code: 'DA-01-SURF' } }]);
    });

    it('reviews a past year: funding and values up to that year only', async () => {
      const { progress } = await query(PROGRESS, { year: 2021 });
      expect(progress.year).toBe(2021);
      const { fundingTotals } = await query(`{ fundingTotals(groupBy: [STAGE], filter: { contract: "${CONTRACT}", yearTo: 2021, kind: [ANNEX3] }) { stage amount } }`);
      const planned = fundingTotals.find((t: any) => t.stage === 'PLANNED')?.amount ?? '0.00';
      expect(progress.overall.planned).toBe(planned);
      const indicators = progress.axes.flatMap((a: any) => a.orientations).flatMap((o: any) => o.indicators);
      // The 2022 value is not seen yet: the baseline (0 in 2021) is the latest known.
      expect(indicators).toEqual([expect.objectContaining({ latestYear: 2021, latestValue: '0', achievement: 0 })]);
    });

    it('refuses an unknown contract in French', async () => {
      const { body } = await api.graphql(`{ progress(contract: "NOPE") { year } }`);
      expect(body.errors?.[0].message).toBe('Le contrat « NOPE » n’existe pas.');
    });
  });

  describe('the action list sorted by funding', () => {
    const SORTED = `query ($order: ActionOrder, $after: String, $first: Int) {
      actions(filter: { contract: "${CONTRACT}" }, orderBy: $order, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { code totalCost fundingTotal(stage: PLANNED) coverage(stage: PLANNED) }
      }
    }`;

    async function all(order: Record<string, unknown>): Promise<any[]> {
      const nodes: any[] = [];
      let after: string | null = null;
      do {
        const { actions }: any = await query(SORTED, { order, after, first: 7 });
        nodes.push(...actions.nodes);
        after = actions.pageInfo.hasNextPage ? actions.pageInfo.endCursor : null;
      } while (after);
      return nodes;
    }

    const cents = (amount: string) => BigInt(amount.replace('.', ''));

    it('by funding total, largest first, page after page without overlap', async () => {
      const nodes = await all({ field: 'FUNDING_TOTAL', direction: 'DESC' });
      const { actions } = await query(`{ actions(filter: { contract: "${CONTRACT}" }) { totalCount } }`);
      expect(nodes).toHaveLength(actions.totalCount);
      expect(new Set(nodes.map((n) => n.code)).size).toBe(nodes.length);
      for (let i = 1; i < nodes.length; i++) expect(cents(nodes[i - 1].fundingTotal) >= cents(nodes[i].fundingTotal)).toBe(true);
      // DA-01: Banque des Territoires 12 500 000 + Douaisis Agglo's file 12 000 000.
      expect(nodes[0]).toMatchObject({ code: 'DA-01', fundingTotal: '24500000.00' });
    });

    it('by coverage, actions without a known cost last', async () => {
      const nodes = await all({ field: 'COVERAGE', direction: 'DESC', stage: 'PLANNED' });
      const known = nodes.filter((n) => n.coverage !== null);
      expect(known.length).toBeGreaterThan(0);
      expect(nodes.slice(0, known.length)).toEqual(known);
      for (let i = 1; i < known.length; i++) expect(known[i - 1].coverage).toBeGreaterThanOrEqual(known[i].coverage);
    });

    it('by code, ascending, and refuses an id cursor for a sorted list', async () => {
      const nodes = await all({ field: 'CODE' });
      const codes = nodes.map((n) => n.code);
      expect(codes).toEqual([...codes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      const { actions: firstPage } = await query(`{ actions(filter: { contract: "${CONTRACT}" }, first: 2) { pageInfo { endCursor } } }`);
      const { body } = await api.graphql(SORTED, { order: { field: 'CODE' }, after: firstPage.pageInfo.endCursor, first: 2 });
      expect(body.errors?.[0].message).toBe('Curseur de pagination invalide pour ce tri.');
    });
  });
});
