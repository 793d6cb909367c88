import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { Role } from '../../src/kernel/role.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { fixturePath } from '../support/fixtures';
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

const DOCS_DIR = join(__dirname, '..', '..', 'docs');

/** The fenced block of `doc` (docs/…) in `language` that contains `marker`, as the reader copies it. */
function docBlock(doc: string, language: string, marker: string): string {
  const blocks = [...readFileSync(join(DOCS_DIR, doc), 'utf8').matchAll(new RegExp(`\`\`\`${language}\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]);
  const found = blocks.filter((block) => block.includes(marker));
  if (found.length !== 1) throw new Error(`${doc}: ${found.length} ${language} blocks hold « ${marker} »`);
  return found[0];
}

describe('the docs’ write and asOf examples still run once every partner fixture is imported', () => {
  let api: TestServer;
  let admin: string;
  /** Before and after the fixtures were applied. */
  let beforeImports: Date;
  let afterImports: Date;

  beforeAll(async () => {
    api = await startTestServer({ prepare: async ({ dataSource }) => void (await seedReferenceData(dataSource)) });
    const { dataSource } = api.db;
    admin = (await createToken(dataSource, { name: 'admin', role: Role.ADMIN, organisationId: null })).secret;
    // Stored to the second on MariaDB: a second apart on each side.
    beforeImports = new Date(Date.now() - 1000);
    const fixtures: Array<[string, ImportKind, string, boolean]> = [
      ['annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires', false],
      ['annexe3-douaisis-agglo-2022.xlsx', ImportKind.ANNEX3, 'Douaisis Agglo', false],
      ['annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME', false],
      ['dotations-detr-dsil-fnadt-2017-2021.xlsx', ImportKind.DOTATIONS, 'Etat', false],
      ['annexe2-bilan-plan-de-relance-douaisis.xlsx', ImportKind.ANNEX2, 'Etat', true],
    ];
    for (const [file, kind, source, allowPartial] of fixtures) {
      const result = await importFile(dataSource, { buffer: readFileSync(fixturePath(file)), fileName: file, kind, source, uploadedBy: 'test', allowPartial });
      expect(result.status).toBe('APPLIED');
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    afterImports = new Date();
  }, 120000);
  afterAll(async () => api?.close());

  it('docs/queries.md creates an action whose code no fixture created (DA-40 is the ADEME file’s)', async () => {
    const mutation = docBlock('queries.md', 'graphql', 'createAction(');
    const code = /code: "([^"]+)"/.exec(mutation)![1];
    const exists = 'query ($code: String!) { action(contract: "CRTE-DOUAISIS", code: $code) { code } }';
    expect((await api.graphql(exists, { code: 'DA-40' })).body.data?.action).toEqual({ code: 'DA-40' });
    expect((await api.graphql(exists, { code })).body.data?.action).toBeNull();
    const { status, body } = await api.graphql(mutation, {}, admin);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data.createAction).toMatchObject({ code });
  });

  it('docs/exports.md’s asOf export lists the dotations table’s lines at a moment after its import, none before', async () => {
    const curl = docBlock('exports.md', 'sh', 'asOf=').split('\n').find((line) => line.includes('asOf='))!;
    const url = /"(http[^"]+)"/.exec(curl)![1];
    expect(url).toContain('$(date -u +%Y-%m-%dT%H:%M:%SZ)');
    // The reader's shell substitutes the moment; the server is this test's, not localhost:4000.
    const at = (moment: Date) => {
      const target = new URL(url.replace('$(date -u +%Y-%m-%dT%H:%M:%SZ)', moment.toISOString().replace(/\.\d+Z$/, 'Z')));
      target.host = new URL(api.server.url).host;
      return target;
    };
    const read = async (moment: Date) => {
      const response = await fetch(at(moment));
      expect(response.status).toBe(200);
      return (await response.json()) as Array<{ year: number; importKind: string }>;
    };
    const rows = await read(afterImports);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.importKind === 'dotations' && row.year >= 2020 && row.year <= 2021)).toBe(true);
    expect(await read(beforeImports)).toEqual([]);
  });
});
