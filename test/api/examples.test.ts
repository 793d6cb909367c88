import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedReferenceData } from '../../src/seed/seed.service';
import { startTestServer, TestServer } from '../support/server';

const EXAMPLES_DIR = join(__dirname, '..', '..', 'schema', 'examples');
const examples = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.graphql'));

describe('the report queries of schema/examples run on the Douaisis contract', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer({ prepare: async ({ dataSource }) => void (await seedReferenceData(dataSource)) });
  });
  afterAll(async () => api?.close());

  it('has at least three examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples)('%s runs without error', async (file) => {
    const { status, body } = await api.graphql(readFileSync(join(EXAMPLES_DIR, file), 'utf8'));
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data).toBeTruthy();
  });

  it('contract-overview shows the 4 axes and 16 orientations', async () => {
    const { body } = await api.graphql(readFileSync(join(EXAMPLES_DIR, 'contract-overview.graphql'), 'utf8'));
    const axes = body.data.contract.axes;
    expect(axes.map((axis: { number: number }) => axis.number)).toEqual([1, 2, 3, 4]);
    expect(axes.flatMap((axis: { orientations: { code: string }[] }) => axis.orientations.map((o) => o.code))).toEqual(
      ['1.1', '1.2', '1.3', '1.4', '2.1', '2.2', '2.3', '3.1', '3.2', '3.3', '3.4', '4.1', '4.2', '4.3', '4.4', '4.5'],
    );
  });

  it('perimeter lists 2 EPCIs and 55 communes', async () => {
    const { body } = await api.graphql(readFileSync(join(EXAMPLES_DIR, 'perimeter.graphql'), 'utf8'));
    const perimeter = body.data.contract.perimeter;
    expect(perimeter.map((epci: { siren: string }) => epci.siren).sort()).toEqual(['200044618', '245901152']);
    expect(perimeter.reduce((n: number, epci: { communes: unknown[] }) => n + epci.communes.length, 0)).toBe(55);
  });
});
