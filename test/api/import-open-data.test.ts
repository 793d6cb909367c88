import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, Like } from 'typeorm';
import { Action } from '../../src/action/action.entity';
import { createToken } from '../../src/auth/token.service';
import { Contract } from '../../src/contract/contract.entity';
import { IndicatorValue } from '../../src/indicator/indicator-value.entity';
import { Indicator } from '../../src/indicator/indicator.entity';
import { ActionStatus } from '../../src/kernel/action-status.enum';
import { formatCents } from '../../src/kernel/money';
import { normaliseText } from '../../src/kernel/normalise-text';
import { Role } from '../../src/kernel/role.enum';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';
import { importOnDataSource } from '../support/cli';

const DIR = join(__dirname, '..', 'fixtures', 'open-data');

/**
 * The open-data fixtures (test/fixtures/open-data/README.md) through the real path: POST /api/imports,
 * applied, read back through GraphQL and the tables.
 */
describe(`open-data files through POST /api/imports on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  let admin: string;

  async function upload(file: string, fields: Record<string, string>) {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(join(DIR, file))]), file);
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } });
    return { status: response.status, body: (await response.json()) as any };
  }

  /** Sum of the current lines matching `filter`, through GraphQL. */
  async function total(filter: Record<string, unknown>): Promise<string> {
    const { body }: any = await api.graphql('query ($filter: FundingFilter) { fundings(filter: $filter, first: 500) { nodes { amount } } }', { filter: { contract: 'CRTE-DOUAISIS', ...filter } });
    expect(body.errors).toBeUndefined();
    return formatCents(body.data.fundings.nodes.reduce((sum: bigint, node: any) => sum + BigInt(node.amount.replace('.', '')), 0n));
  }

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    admin = (await createToken(dataSource, { name: 'Équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
  }, 60000);
  afterAll(async () => api?.close());

  describe('SCDL « subventions » lists (kind grants)', () => {
    it('the command line previews ADEME’s copy (« Nom de l attribuant », SIRETs with spaces) with the figures HTTP applies below', async () => {
      const { code, json } = await importOnDataSource(dataSource, [join(DIR, 'subventions-scdl-ademe-2024.csv'), '--kind', 'grants', '--source', 'ADEME', '--dry-run']);
      expect(code).toBe(0);
      expect(json).toMatchObject({ status: 'PREVIEWED', layout: 'scdl', total: '1643500.75', counts: { lines: 4, errors: 0 } });
    });

    it('applies the region’s comma CSV: 4 grants, 1 468 678,62 €, the Région found by the SIREN of its SIRET', async () => {
      const { status, body } = await upload('subventions-scdl-region-2023.csv', { kind: 'grants', source: 'Région Hauts-de-France' });
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'APPLIED', layout: 'scdl', total: '1468678.62', counts: { lines: 4, errors: 0 } });
      expect(body.issues.filter((issue: any) => issue.severity === 'WARNING' && issue.code !== 'ACTION_UNKNOWN').map((issue: any) => [issue.code, issue.cell])).toEqual([['AMOUNT_ROUNDED', 'H7']]);
      expect(await total({ funder: 'Région Hauts-de-France', kind: ['GRANTS'] })).toBe('1468678.62');
      expect(await total({ funder: 'Région Hauts-de-France', yearFrom: 2023, yearTo: 2023 })).toBe('218678.62');
      expect(await total({ beneficiary: '200044618', funder: 'Région Hauts-de-France' })).toBe('1250000.00');
      expect(await total({ beneficiary: '215906546' })).toBe('45678.12');
    });

    it('the same file twice changes nothing', async () => {
      const { body } = await upload('subventions-scdl-region-2023.csv', { kind: 'grants', source: 'Région Hauts-de-France' });
      expect(body.status).toBe('UNCHANGED');
      expect(await total({ funder: 'Région Hauts-de-France' })).toBe('1468678.62');
    });

    it('applies the hand-made semicolon copy of ADEME’s list: 1 643 500,75 €, ADEME found by its old name', async () => {
      const { status, body } = await upload('subventions-scdl-ademe-2024.csv', { kind: 'grants', source: 'ADEME' });
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'APPLIED', layout: 'scdl', total: '1643500.75', counts: { lines: 4, errors: 0 } });
      expect(await total({ funder: 'ADEME', stage: ['GRANTED'] })).toBe('1643500.75');
      expect(await total({ funder: 'ADEME', yearFrom: 2024, yearTo: 2024 })).toBe('1587500.25');
      expect(await total({ beneficiary: '245901152' })).toBe('1200000.00');
    });

    it('applies the department’s workbook: 137 333,33 €, an unknown attributing body created', async () => {
      const { status, body } = await upload('subventions-scdl-departement-nord.xlsx', { kind: 'grants', source: 'Département du Nord' });
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'APPLIED', layout: 'scdl', total: '137333.33', counts: { lines: 3, errors: 0 } });
      expect(body.issues.filter((issue: any) => issue.code === 'ORGANISATION_UNKNOWN').map((issue: any) => issue.cell)).toEqual(['A6']);
      expect(await total({ funder: 'Département du Nord' })).toBe('113333.33');
      expect(await dataSource.getRepository(Organisation).countBy({ name: 'Syndicat mixte du SCoT Grand Douaisis' })).toBe(1);
      expect(await total({ funder: 'Syndicat mixte du SCoT Grand Douaisis' })).toBe('24000.00');
    });

    it('made one action to classify per grant, titled by its object, led by its beneficiary, with its decision', async () => {
      const actions = await dataSource.getRepository(Action).find({ where: { code: Like('SUBV-%') }, order: { code: 'ASC' } });
      expect(actions).toHaveLength(11);
      expect(await total({ kind: ['GRANTS'] })).toBe('3249512.70');
      expect(actions.every((action) => action.orientationId === null && action.leadId !== null)).toBe(true);
      const douai = await dataSource.getRepository(Organisation).findOneByOrFail({ siren: '215901786' });
      const school = actions.find((action) => action.title === 'Rénovation énergétique du groupe scolaire Jean Macé')!;
      expect(school).toMatchObject({ leadId: douai.id, description: 'Décision CP-2023-0412, convention du 12/05/2023' });
      expect(school.code).toMatch(/^SUBV-2023-215901786-[0-9a-f]{8}$/);
    });
  });

  describe('indicator tables of pairs (kind indicators)', () => {
    it('applies 3 indicators and 7 values, units from the names, to actions 1.1.2 and 2.3.1 (previewed first through the CLI)', async () => {
      const contract = await dataSource.getRepository(Contract).findOneByOrFail({ code: 'CRTE-DOUAISIS' });
      const agglo = await dataSource.getRepository(Organisation).findOneByOrFail({ siren: '200044618' });
      const now = new Date();
      for (const [code, title] of [
        ['1.1.2', 'Rénovation des bâtiments publics'],
        ['2.3.1', 'Bornes de recharge'],
      ]) {
        await dataSource.getRepository(Action).insert({ contractId: contract.id, code, title, normalisedTitle: normaliseText(title), leadId: agglo.id, status: ActionStatus.UNDERWAY, createdAt: now, updatedAt: now });
      }
      const byCli = await importOnDataSource(dataSource, [join(DIR, 'indicateurs-paires-2024.xlsx'), '--kind', 'indicators', '--source', 'Douaisis Agglo', '--dry-run']);
      // The command line first (a preview): the same table read, the same 3 indicators.
      expect([byCli.code, byCli.json.status, byCli.json.layout, byCli.json.counts.indicators, byCli.json.counts.errors]).toEqual([0, 'PREVIEWED', 'indicators-pairs', 3, 0]);
      const { status, body } = await upload('indicateurs-paires-2024.xlsx', { kind: 'indicators', source: 'Douaisis Agglo' });
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'APPLIED', layout: 'indicators-pairs' });
      expect(body.issues.filter((issue: any) => issue.severity === 'ERROR')).toEqual([]);
      const indicators = await dataSource.getRepository(Indicator).find({ where: { contractId: contract.id }, order: { id: 'ASC' } });
      expect(indicators.map((indicator) => [indicator.name, indicator.unit])).toEqual([
        ['Surface rénovée (m²)', 'm²'],
        ['Émissions évitées (teq CO2)', 'teq CO2'],
        ['Nombre de bornes de recharge (bornes)', 'bornes'],
      ]);
      const values = await dataSource.getRepository(IndicatorValue).find({ order: { indicatorId: 'ASC', year: 'ASC' } });
      expect(values.map((value) => [indicators.findIndex((indicator) => indicator.id === value.indicatorId), value.year, Number(value.value), value.stage])).toEqual([
        [0, 2021, 1200, 'ACTUAL'],
        [0, 2022, 2350.5, 'ACTUAL'],
        [1, 2022, 12.5, 'ACTUAL'],
        [1, 2023, 30, 'ACTUAL'],
        [1, 2024, 45.75, 'ACTUAL'],
        [2, 2022, 4, 'ACTUAL'],
        [2, 2024, 10, 'ACTUAL'],
      ]);
    });
  });
});
