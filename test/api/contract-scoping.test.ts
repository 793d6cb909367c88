import { readFileSync } from 'node:fs';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

/**
 * Two contracts side by side (issue 16, point 4): Douaisis (seeded, ADEME's annex 3 imported) and a second
 * one created here, whose lines are typed in with createFunding. An organisation's token sees only the
 * contracts it belongs to; a partner of both (the Région) sees both, side by side, never mixed.
 */

const DOUAISIS = 'CRTE-DOUAISIS';
const HAINAUT = 'CRTE-HAINAUT';
const PORTE_DU_HAINAUT = '200042190';
const VALENCIENNES = '245901160';
const DOUAISIS_AGGLO = '200044618';
const REGION_HDF = '200053742'; // a signatory of Douaisis (seed), made one of Hainaut below

/** The Hainaut lines typed in below (funder, year, amount): their sum is 175 000,75 €, 2 lines in 2022. */
const HAINAUT_LINES = [
  { funder: REGION_HDF, year: 2022, amount: '125000.50' },
  { funder: PORTE_DU_HAINAUT, year: 2022, amount: '40000.25' },
  { funder: REGION_HDF, year: 2023, amount: '10000.00' },
];
const HAINAUT_TOTAL = '175000.75';

const BY_CONTRACT = `query ($filter: FundingFilter) { fundingTotals(groupBy: [CONTRACT], filter: $filter) { contract { code } amount lines } }`;
const OWN_TOTAL = `query ($code: String!) { fundingTotals(groupBy: [], filter: { contract: $code }) { amount lines } }`;
const CREATE_FUNDING = `mutation ($input: CreateFundingInput!) { createFunding(input: $input) { id amount } }`;

describe(`contracts side by side, never mixed, on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  const tokens = { admin: '', douaisisAgglo: '', porteDuHainaut: '', region: '', readerNoOrganisation: '' };

  const sql = <T = Record<string, unknown>>(query: string, parameters: unknown[] = []): Promise<T[]> => api.db.dataSource.query(query, parameters);
  const organisationId = async (siren: string) => Number((await sql<{ id: number }>('SELECT id FROM organisation WHERE siren = ?', [siren]))[0].id);

  async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const { status, body } = await api.graphql<T>(query, variables, token);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data as T;
  }

  async function forbidden(query: string, variables: Record<string, unknown>, token: string): Promise<string> {
    const { body } = await api.graphql(query, variables, token);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'contract' });
    expect(body.errors![0].message).toMatch(/ne donne pas accès au contrat « CRTE-HAINAUT »/);
    return body.errors![0].message;
  }

  const get = async (path: string, token?: string) => {
    const response = await fetch(`${api.server.url.replace(/\/graphql$/, '')}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async (db) => {
        await seedReferenceData(db.dataSource);
        const name = 'annexe3-ademe-2021-2023.csv';
        const applied = await importFile(db.dataSource, { buffer: readFileSync(fixturePath(name)), fileName: name, kind: ImportKind.ANNEX3, source: 'ADEME', contract: DOUAISIS });
        expect(applied.status).toBe('APPLIED');
      },
    });
    const dataSource = api.db.dataSource;
    tokens.admin = (await createToken(dataSource, { name: 'équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
    await ok(
      `mutation ($input: ContractInput!) { createContract(input: $input) { code } }`,
      { input: { code: HAINAUT, name: 'CRTE du Hainaut', fromYear: 2021, toYear: 2026, epcis: [PORTE_DU_HAINAUT, VALENCIENNES], signatories: [REGION_HDF] } },
      tokens.admin,
    );
    for (const line of HAINAUT_LINES) {
      await ok(CREATE_FUNDING, { input: { contract: HAINAUT, funder: line.funder, year: line.year, stage: 'PLANNED', instrument: 'SUBSIDY', amount: line.amount } }, tokens.admin);
    }
    tokens.douaisisAgglo = (await createToken(dataSource, { name: 'Finances Douaisis Agglo', role: Role.EDITOR, organisationId: await organisationId(DOUAISIS_AGGLO) })).secret;
    tokens.porteDuHainaut = (await createToken(dataSource, { name: 'Finances Porte du Hainaut', role: Role.READER, organisationId: await organisationId(PORTE_DU_HAINAUT) })).secret;
    tokens.region = (await createToken(dataSource, { name: 'Région, service CRTE', role: Role.EDITOR, organisationId: await organisationId(REGION_HDF) })).secret;
    tokens.readerNoOrganisation = (await createToken(dataSource, { name: 'Sous-préfecture, lecture', role: Role.READER, organisationId: null })).secret;
  });

  afterAll(async () => {
    await api?.close();
  });

  test('contracts: each token lists the contracts its organisation belongs to', async () => {
    const codes = async (token?: string) => (await ok<{ contracts: { code: string }[] }>('{ contracts { code } }', {}, token)).contracts.map((c) => c.code);
    expect(await codes(tokens.douaisisAgglo)).toEqual([DOUAISIS]);
    expect(await codes(tokens.porteDuHainaut)).toEqual([HAINAUT]);
    expect(await codes(tokens.region)).toEqual([DOUAISIS, HAINAUT]);
    expect(await codes(tokens.admin)).toEqual([DOUAISIS, HAINAUT]);
    expect(await codes(tokens.readerNoOrganisation)).toEqual([DOUAISIS, HAINAUT]);
    expect(await codes()).toEqual([DOUAISIS, HAINAUT]);
  });

  test('GraphQL: another contract is refused in French (FORBIDDEN), its rows never appear across contracts', async () => {
    await forbidden(`query ($code: String!) { contract(code: $code) { code } }`, { code: HAINAUT }, tokens.douaisisAgglo);
    await forbidden(OWN_TOTAL, { code: HAINAUT }, tokens.douaisisAgglo);
    await forbidden(`{ fundings(filter: { contracts: ["${DOUAISIS}", "${HAINAUT}"] }) { totalCount } }`, {}, tokens.douaisisAgglo);
    await forbidden(`{ progress(contract: "${HAINAUT}") { overall { actions } } }`, {}, tokens.douaisisAgglo);
    await forbidden(`{ relanceMeasures(contract: "${HAINAUT}") { id } }`, {}, tokens.douaisisAgglo);
    await forbidden(`{ importBatches(filter: { contract: "${HAINAUT}" }) { totalCount } }`, {}, tokens.douaisisAgglo);
    // Without a contract: Douaisis Agglo's token counts Douaisis's lines only, Porte du Hainaut's Hainaut's only.
    const lines = async (token?: string) => (await ok<{ fundings: { totalCount: number } }>('{ fundings { totalCount } }', {}, token)).fundings.totalCount;
    const douaisisLines = Number((await sql<{ n: unknown }>("SELECT COUNT(*) AS n FROM funding f JOIN contract c ON c.id = f.contract_id WHERE c.code = ? AND f.superseded_at IS NULL", [DOUAISIS]))[0].n);
    expect(await lines(tokens.douaisisAgglo)).toBe(douaisisLines);
    expect(await lines(tokens.porteDuHainaut)).toBe(HAINAUT_LINES.length);
    expect(await lines(tokens.region)).toBe(douaisisLines + HAINAUT_LINES.length);
    const batches = await ok<{ importBatches: { nodes: { contract: { code: string } }[] } }>('{ importBatches(first: 50) { nodes { contract { code } } } }', {}, tokens.porteDuHainaut);
    expect(new Set(batches.importBatches.nodes.map((b) => b.contract.code))).toEqual(new Set([HAINAUT]));
  });

  test('fundingTotals grouped by CONTRACT: each contract its own figures, exact, within the caller’s contracts', async () => {
    const own = async (code: string) => (await ok(OWN_TOTAL, { code }, tokens.admin)).fundingTotals[0];
    const douaisis = await own(DOUAISIS);
    const hainaut = await own(HAINAUT);
    expect(hainaut).toEqual({ amount: HAINAUT_TOTAL, lines: 3 });
    const expected = [
      { contract: { code: DOUAISIS }, ...douaisis },
      { contract: { code: HAINAUT }, amount: HAINAUT_TOTAL, lines: 3 },
    ];
    const sortByCode = (rows: { contract: { code: string } }[]) => [...rows].sort((a, b) => a.contract.code.localeCompare(b.contract.code));
    const region = await ok(BY_CONTRACT, { filter: { contracts: [DOUAISIS, HAINAUT] } }, tokens.region);
    expect(sortByCode(region.fundingTotals)).toEqual(expected);
    // No filter: the same for the Région; Douaisis Agglo's token sees its own contract only.
    expect(sortByCode((await ok(BY_CONTRACT, {}, tokens.region)).fundingTotals)).toEqual(expected);
    expect((await ok(BY_CONTRACT, {}, tokens.douaisisAgglo)).fundingTotals).toEqual([expected[0]]);
    expect((await ok(BY_CONTRACT, {}, tokens.porteDuHainaut)).fundingTotals).toEqual([expected[1]]);
    // The README's query, as pasted: each row one contract's, the stages of each adding up to its own total.
    const readme = await ok(`{
  fundingTotals(groupBy: [CONTRACT, STAGE], filter: { contracts: ["${DOUAISIS}", "${HAINAUT}"] }) {
    contract { code name } stage amount lines
  }
}`, {}, tokens.region);
    const hainautRows = readme.fundingTotals.filter((row: any) => row.contract.code === HAINAUT);
    expect(hainautRows).toEqual([{ contract: { code: HAINAUT, name: 'CRTE du Hainaut' }, stage: 'PLANNED', amount: HAINAUT_TOTAL, lines: 3 }]);
    expect(new Set(readme.fundingTotals.map((row: any) => row.contract.code))).toEqual(new Set([DOUAISIS, HAINAUT]));
  });

  test('cache: a write to one contract changes the cross-contract totals at once', async () => {
    const before = await ok(BY_CONTRACT, { filter: { contracts: [DOUAISIS, HAINAUT] } }, tokens.region);
    // The Région declares money it brings, in Hainaut: in its scope.
    await ok(CREATE_FUNDING, { input: { contract: HAINAUT, funder: REGION_HDF, year: 2024, stage: 'PLANNED', instrument: 'SUBSIDY', amount: '0.01' } }, tokens.region);
    const after = await ok(BY_CONTRACT, { filter: { contracts: [DOUAISIS, HAINAUT] } }, tokens.region);
    const row = (data: any, code: string) => data.fundingTotals.find((r: any) => r.contract.code === code);
    expect(row(after, HAINAUT)).toEqual({ contract: { code: HAINAUT }, amount: '175000.76', lines: 4 });
    expect(row(after, DOUAISIS)).toEqual(row(before, DOUAISIS));
    // Douaisis Agglo's token, whose scope is Douaisis alone, does not get the Région's cached answer.
    expect((await ok(BY_CONTRACT, { filter: {} }, tokens.douaisisAgglo)).fundingTotals).toEqual([row(after, DOUAISIS)]);
  });

  test('writes: an editor of Douaisis cannot write to Hainaut (createFunding), nothing is written', async () => {
    const count = async () => Number((await sql<{ n: unknown }>('SELECT COUNT(*) AS n FROM funding'))[0].n);
    const before = await count();
    await forbidden(CREATE_FUNDING, { input: { contract: HAINAUT, funder: DOUAISIS_AGGLO, year: 2022, stage: 'PLANNED', instrument: 'SUBSIDY', amount: '1.00' } }, tokens.douaisisAgglo);
    expect(await count()).toBe(before);
    // A Hainaut batch (a typed-in line): not seen, and not rolled back, by Douaisis Agglo's token.
    const [batch] = await sql<{ id: number }>("SELECT b.id FROM import_batch b JOIN contract c ON c.id = b.contract_id WHERE c.code = ? ORDER BY b.id LIMIT 1", [HAINAUT]);
    expect((await ok(`{ importBatch(id: "${batch.id}") { id } }`, {}, tokens.douaisisAgglo)).importBatch).toBeNull();
    expect((await ok(`{ importBatch(id: "${batch.id}") { id } }`, {}, tokens.porteDuHainaut)).importBatch).toEqual({ id: String(batch.id) });
    await forbidden(`mutation { rollbackImport(id: "${batch.id}") { status } }`, {}, tokens.douaisisAgglo);
    expect(await count()).toBe(before);
  });

  test('REST: the funding export and annex 3 refuse another contract (403), and export only the caller’s lines', async () => {
    const refused = await get(`/api/export/fundings.csv?contract=${HAINAUT}`, tokens.douaisisAgglo);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).error).toMatch(/ne donne pas accès au contrat « CRTE-HAINAUT »/);
    expect((await get(`/api/export/annex3.xlsx?contract=${HAINAUT}`, tokens.douaisisAgglo)).status).toBe(403);
    const mine = await get('/api/export/fundings.json', tokens.porteDuHainaut);
    expect(mine.status).toBe(200);
    const rows = JSON.parse(mine.text) as { contractCode: string }[];
    expect(rows.length).toBe(4);
    expect(new Set(rows.map((r) => r.contractCode))).toEqual(new Set([HAINAUT]));
  });

  test('a saved report runs with the caller’s contracts', async () => {
    await ok(`mutation { saveReport(name: "hainaut-totaux", query: "query ($c: String!) { fundingTotals(groupBy: [YEAR], filter: { contract: $c }) { year amount } }", variables: "{\\"c\\": \\"${HAINAUT}\\"}") { name } }`, {}, tokens.region);
    const region = await get('/api/reports/hainaut-totaux.json', tokens.region);
    expect(region.status).toBe(200);
    expect(JSON.parse(region.text).length).toBe(3);
    const douaisis = await get('/api/reports/hainaut-totaux.json', tokens.douaisisAgglo);
    expect(douaisis.status).toBe(403);
    expect(douaisis.text).toMatch(/ne donne pas accès au contrat « CRTE-HAINAUT »/);
  });

  test('an upload to another contract is refused before the file is read; nothing is stored', async () => {
    const batches = async () => Number((await sql<{ n: unknown }>('SELECT COUNT(*) AS n FROM import_batch'))[0].n);
    const before = await batches();
    const form = new FormData();
    form.append('file', new Blob([readFileSync(fixturePath('annexe3-ademe-2021-2023.csv'))]), 'tableau.csv');
    form.append('kind', 'annex3');
    form.append('source', 'Douaisis Agglo');
    form.append('contract', HAINAUT);
    form.append('dryRun', 'true');
    const response = await fetch(`${api.server.url.replace(/\/graphql$/, '')}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${tokens.douaisisAgglo}` } });
    const body = (await response.json()) as { error: string; field: string };
    expect(response.status).toBe(403);
    expect(body).toMatchObject({ field: 'contract' });
    expect(body.error).toMatch(/ne donne pas accès au contrat « CRTE-HAINAUT »/);
    expect(await batches()).toBe(before);
  });
  test('a contract’s meetings, their review export and the changes since its COPIL are refused to another contract’s token', async () => {
    const created = await ok<{ createMeeting: { id: string } }>(
      'mutation ($input: CreateMeetingInput!) { createMeeting(input: $input) { id } }',
      { input: { contract: HAINAUT, body: 'COPIL', heldOn: '2026-03-12' } },
      tokens.admin,
    );
    const id = created.createMeeting.id;
    await forbidden('query ($code: String!) { meetings(contract: $code) { id } }', { code: HAINAUT }, tokens.douaisisAgglo);
    await forbidden('query ($id: ID!) { meeting(id: $id) { id } }', { id }, tokens.douaisisAgglo);
    await forbidden('query ($code: String!) { changesSinceLastCopil(contract: $code) { meeting { id } } }', { code: HAINAUT }, tokens.douaisisAgglo);
    const refused = await get(`/api/contracts/${HAINAUT}/meetings/${id}/review.xlsx`, tokens.douaisisAgglo);
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/ne donne pas accès au contrat « CRTE-HAINAUT »/);
    expect((await get(`/api/contracts/${HAINAUT}/meetings/${id}/review.pdf`, tokens.douaisisAgglo)).status).toBe(403);
    // The Hainaut's own partner reads them.
    expect((await ok<{ meetings: { id: string }[] }>('query ($code: String!) { meetings(contract: $code) { id } }', { code: HAINAUT }, tokens.porteDuHainaut)).meetings).toEqual([{ id }]);
    expect((await get(`/api/contracts/${HAINAUT}/meetings/${id}/review.xlsx`, tokens.porteDuHainaut)).status).toBe(200);
    expect((await get(`/api/contracts/${HAINAUT}/meetings/${id}/review.pdf`, tokens.porteDuHainaut)).status).toBe(200);
  });
});
