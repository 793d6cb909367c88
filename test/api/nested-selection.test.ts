import { readFileSync } from 'node:fs';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

/**
 * An action's lines read only the columns their selection needs (funding.loaders.ts): whatever the
 * selection, they must answer what the same selection of the whole entities (the `fundings` page,
 * every column read) answers.
 */
describe('the lines of an action, read for their selection only', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        for (const [name, kind, source] of [
          ['annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires'],
          ['annexe3-douaisis-agglo-2022.xlsx', ImportKind.ANNEX3, 'Douaisis Agglo'],
          ['annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME'],
        ] as const) {
          const result = await importFile(dataSource, { buffer: readFileSync(fixturePath(name)), fileName: name, kind, source, contract: 'CRTE-DOUAISIS' });
          expect(result.status).toBe('APPLIED');
        }
      },
    });
  }, 120000);
  afterAll(async () => api?.close());

  async function data(query: string) {
    const { body } = await api.graphql(query);
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  /** The lines through the actions (pruned) and through the page of whole entities, both by id. */
  async function bothWays(selection: string, fragments = '') {
    const nested = await data(`{ contract(code: "CRTE-DOUAISIS") { axes { orientations { actions { fundings { id ${selection} } } } } } } ${fragments}`);
    const lines = nested.contract.axes.flatMap((axis: any) => axis.orientations.flatMap((o: any) => o.actions.flatMap((a: any) => a.fundings)));
    const page = await data(`{ fundings(filter: { contract: "CRTE-DOUAISIS" }, first: 500) { totalCount nodes { id placed: action { orientation { code } } ${selection} } } } ${fragments}`);
    const whole = page.fundings.nodes.filter((node: any) => node.placed?.orientation).map(({ placed: _placed, ...node }: any) => node);
    const byId = (a: any, b: any) => Number(a.id) - Number(b.id);
    return { lines: [...lines].sort(byId), whole: [...whole].sort(byId) };
  }

  it.each([
    ['the bench selection', 'amount year funder { name } programme { code } beneficiary { name } source { sheet cell reference }'],
    ['every own field', 'year amount stage instrument costBase approximate createdAt __typename'],
    ['relations with their own resolvers', 'funder { id name kind siren parent { name } aliases } beneficiary { siren kind parent { name } } territory { name siren } programme { code name description }'],
    ['the same organisation as funder and beneficiary, asked differently', 'funder { name } beneficiary { siren shortName }'],
    ['lineage', 'source { rawValue batch { id fileName } declaredBy { name } } action { code }'],
    ['the territory alone', 'territory { siren }'],
  ])('%s', async (_name, selection) => {
    const { lines, whole } = await bothWays(selection);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines).toEqual(whole);
  });

  it('merges fragments and aliases', async () => {
    const { lines, whole } = await bothWays('...Line ... on Funding { payer: funder { siren } } when: year', 'fragment Line on Funding { amount funder { name } source { reference } }');
    expect(lines[0]).toHaveProperty('payer.siren');
    expect(lines).toEqual(whole);
  });
});
