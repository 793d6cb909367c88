import { DataSource } from 'typeorm';
import { Action } from '../../src/action/action.entity';
import { ActionStatus } from '../../src/kernel/action-status.enum';
import { Contract } from '../../src/contract/contract.entity';
import { Orientation } from '../../src/contract/orientation.entity';
import { Funding } from '../../src/funding/funding.entity';
import { FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { Organisation } from '../../src/organisation/organisation.entity';
import { Programme } from '../../src/programme/programme.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { startTestServer, TestServer } from '../support/server';

/** A few actions of the Douaisis contract with known fundings, written directly to the database. */
async function addActions(dataSource: DataSource): Promise<void> {
  const contract = await dataSource.getRepository(Contract).findOneByOrFail({ code: 'CRTE-DOUAISIS' });
  const orientation = (code: string) => dataSource.getRepository(Orientation).findOneByOrFail({ contractId: contract.id, code });
  const org = (siren: string) => dataSource.getRepository(Organisation).findOneByOrFail({ siren });
  const agglo = await org('200044618');
  const ccco = await org('245901152');
  const douai = await dataSource.getRepository(Organisation).findOneByOrFail({ inseeCode: '59178' });
  const region = await org('200053742');
  const dsil = await dataSource.getRepository(Programme).findOneByOrFail({ code: 'DSIL' });
  const etat = (await dataSource.getRepository(Programme).findOneByOrFail({ code: 'DSIL' })).operatorId!;
  const now = new Date();
  const actions = await dataSource.getRepository(Action).save([
    { contractId: contract.id, orientationId: (await orientation('1.2')).id, code: 'DA-01', title: 'Pôle d’échanges multimodal de la gare de Douai', normalisedTitle: 'pole d echanges multimodal de la gare de douai', description: null, leadId: agglo.id, status: ActionStatus.UNDERWAY, totalCost: '52000000.00', costBase: null, startDate: '2022-01-01', endDate: '2025-12-31', createdAt: now, updatedAt: now },
    { contractId: contract.id, orientationId: (await orientation('3.1')).id, code: 'DOU-03', title: 'Requalification de la place d’Armes', normalisedTitle: 'requalification de la place d armes', description: null, leadId: douai.id, status: ActionStatus.PLANNED, totalCost: '300000.00', costBase: null, startDate: null, endDate: null, createdAt: now, updatedAt: now },
    { contractId: contract.id, orientationId: (await orientation('4.2')).id, code: 'CCCO-03', title: 'OPAH-RU Aniche, Auberchicourt, Somain', normalisedTitle: 'opah ru aniche auberchicourt somain', description: null, leadId: ccco.id, status: ActionStatus.UNDERWAY, totalCost: null, costBase: null, startDate: null, endDate: null, createdAt: now, updatedAt: now },
    { contractId: contract.id, orientationId: null, code: 'X-01', title: 'Projet à classer', normalisedTitle: 'projet a classer', description: null, leadId: ccco.id, status: ActionStatus.IDEA, totalCost: null, costBase: null, startDate: null, endDate: null, createdAt: now, updatedAt: now },
  ]);
  const line = (action: Action, funderId: number, year: number, amount: string, stage: FundingStage, extra: Partial<Funding> = {}): Partial<Funding> => ({
    contractId: contract.id, actionId: action.id, funderId, programmeId: null, beneficiaryId: action.leadId, year, amount, stage,
    instrument: FundingInstrument.SUBSIDY, approximate: false, sourceSheet: 'Annexe 3', sourceCell: `E${year - 2000}`, rawValue: amount, createdAt: now, ...extra,
  });
  await dataSource.getRepository(Funding).save([
    line(actions[0], etat, 2022, '1500000.00', FundingStage.PLANNED, { programmeId: dsil.id }),
    line(actions[0], region.id, 2022, '2500000.00', FundingStage.PLANNED),
    line(actions[0], region.id, 2023, '2500000.00', FundingStage.GRANTED),
    line(actions[0], agglo.id, 2023, '8000000.00', FundingStage.PLANNED, { instrument: FundingInstrument.OWN_FUNDS }),
    line(actions[1], etat, 2022, '120000.00', FundingStage.PLANNED),
    line(actions[2], region.id, 2024, '0.10', FundingStage.PAID),
    line(actions[2], region.id, 2024, '0.20', FundingStage.PAID),
    // Replaced by a later file: kept for history, never shown nor counted.
    line(actions[1], etat, 2022, '999.00', FundingStage.PLANNED, { supersededAt: now }),
  ]);
}

describe('reading the contract through GraphQL', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        await addActions(dataSource);
      },
    });
  });
  afterAll(async () => api?.close());

  async function data(query: string, variables?: Record<string, unknown>) {
    const { body } = await api.graphql(query, variables);
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  async function actionCodes(filter: Record<string, unknown>): Promise<string[]> {
    const result = await data('query ($filter: ActionFilter) { actions(filter: $filter) { nodes { code } } }', { filter: { contract: 'CRTE-DOUAISIS', ...filter } });
    return result.actions.nodes.map((node: { code: string }) => node.code).sort();
  }

  it('finds an action by contract and code, with its lead, orientation, axis and totals', async () => {
    const { action } = await data(`{ action(contract: "CRTE-DOUAISIS", code: "DA-01") {
      title status totalCost lead { name siren } orientation { code axis { number } } contract { code }
      planned: fundingTotal granted: fundingTotal(stage: GRANTED) coverage
      fundings { year amount stage instrument funder { name } programme { code } beneficiary { siren } territory { siren } source { reference rawValue batch { id } } }
    } }`);
    expect(action).toMatchObject({ status: 'UNDERWAY', totalCost: '52000000.00', lead: { siren: '200044618' }, orientation: { code: '1.2', axis: { number: 1 } }, contract: { code: 'CRTE-DOUAISIS' } });
    expect(action.planned).toBe('12000000.00');
    expect(action.granted).toBe('2500000.00');
    expect(action.coverage).toBeCloseTo(12 / 52, 4);
    expect(action.fundings).toHaveLength(4);
    expect(action.fundings[0]).toMatchObject({ year: 2022, programme: { code: 'DSIL' }, beneficiary: { siren: '200044618' }, territory: { siren: '200044618' }, source: { reference: "'Annexe 3'!E22", batch: null } });
  });

  it('sums cents exactly and never counts a superseded line', async () => {
    const { actions } = await data(`{ actions(filter: { text: "opah" }) { nodes { code paid: fundingTotal(stage: PAID) fundings { amount } } } }`);
    expect(actions.nodes).toEqual([{ code: 'CCCO-03', paid: '0.30', fundings: [{ amount: '0.10' }, { amount: '0.20' }] }]);
    const { action } = await data(`{ action(contract: "CRTE-DOUAISIS", code: "DOU-03") { fundingTotal fundings { amount } territory: fundings { territory { siren } } } }`);
    expect(action.fundingTotal).toBe('120000.00');
    expect(action.fundings).toEqual([{ amount: '120000.00' }]);
    // The commune of Douai belongs to Douaisis Agglo: that is its territory.
    expect(action.territory[0].territory.siren).toBe('200044618');
  });

  it('filters actions by axis, orientation, lead, status and text', async () => {
    expect(await actionCodes({})).toEqual(['CCCO-03', 'DA-01', 'DOU-03', 'X-01']);
    expect(await actionCodes({ axis: 1 })).toEqual(['DA-01']);
    expect(await actionCodes({ orientation: '4.2' })).toEqual(['CCCO-03']);
    expect(await actionCodes({ orientation: 'none' })).toEqual(['X-01']);
    expect(await actionCodes({ lead: '245901152' })).toEqual(['CCCO-03', 'X-01']);
    expect(await actionCodes({ status: ['PLANNED', 'IDEA'] })).toEqual(['DOU-03', 'X-01']);
    expect(await actionCodes({ text: 'GARE de douai' })).toEqual(['DA-01']);
    expect(await actionCodes({ text: 'Pole d’echanges' })).toEqual(['DA-01']);
  });

  it('walks the actions page by page with cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const result: any = await data('query ($after: String) { actions(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { code } } }', { after });
      expect(result.actions.totalCount).toBe(4);
      seen.push(...result.actions.nodes.map((node: { code: string }) => node.code));
      after = result.actions.pageInfo.hasNextPage ? result.actions.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(['CCCO-03', 'DA-01', 'DOU-03', 'X-01']);
  });

  it('refuses a page size over the cap and a forged cursor, naming the argument', async () => {
    const big = await api.graphql('{ fundings(first: 100000) { totalCount } }');
    expect(big.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const forged = await api.graphql('{ fundings(after: "bm9wZQ") { totalCount } }');
    expect(forged.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('filters fundings by funder, programme, beneficiary, years, stage, instrument, action, orientation and axis', async () => {
    const total = async (filter: Record<string, unknown>) => {
      const result = await data('query ($filter: FundingFilter) { fundings(filter: $filter, first: 500) { totalCount nodes { amount } } }', { filter: { contract: 'CRTE-DOUAISIS', ...filter } });
      return [result.fundings.totalCount, result.fundings.nodes.map((node: { amount: string }) => node.amount).sort()];
    };
    expect((await total({}))[0]).toBe(7);
    expect(await total({ funder: '200053742' })).toEqual([4, ['0.10', '0.20', '2500000.00', '2500000.00']]);
    expect(await total({ funder: 'Région Hauts-de-France', yearFrom: 2023 })).toEqual([3, ['0.10', '0.20', '2500000.00']]);
    expect(await total({ programme: 'DSIL' })).toEqual([1, ['1500000.00']]);
    expect(await total({ beneficiary: '245901152' })).toEqual([2, ['0.10', '0.20']]);
    expect(await total({ yearFrom: 2022, yearTo: 2022 })).toEqual([3, ['120000.00', '1500000.00', '2500000.00']]);
    expect(await total({ stage: ['GRANTED', 'PAID'] })).toEqual([3, ['0.10', '0.20', '2500000.00']]);
    expect(await total({ instrument: ['OWN_FUNDS'] })).toEqual([1, ['8000000.00']]);
    expect(await total({ action: 'DOU-03' })).toEqual([1, ['120000.00']]);
    expect((await total({ orientation: '1.2' }))[0]).toBe(4);
    expect((await total({ axis: 4 }))[0]).toBe(2);
  });

  it('lists organisations of the contract by kind and by any spelling', async () => {
    const byKind = await data('{ organisations(filter: { contract: "CRTE-DOUAISIS", kind: COMMUNE }) { name inseeCode parent { siren } } }');
    expect(byKind.organisations).toHaveLength(55);
    const bySpelling = await data('{ organisations(filter: { text: "BdT" }) { name aliases } }');
    expect(bySpelling.organisations.map((o: { name: string }) => o.name)).toEqual(['Banque des Territoires']);
  });
});
