import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import * as XLSX from 'xlsx';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { ImportIssue } from '../../src/import-batch/import-issue.entity';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { parseCsv } from '../support/csv';

const BDT_FILE = 'annexe3-banque-des-territoires-2023.xlsx';
const ANNEX2_FILE = 'annexe2-bilan-plan-de-relance-douaisis.xlsx';
const HEADER = ['Gravité', 'Code', 'Message', 'Feuille', 'Cellule', 'Valeur lue'];

/** GET /api/imports/:id/issues.csv|.xlsx and POST /api/imports/:id/abandon, the upload page's two routes. */
describe(`import issues download and abandon on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  const tokens = { admin: '', editorBdt: '', editorDouaisis: '', reader: '' };

  const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

  async function preview(file: string, kind: string, source: string, token = tokens.admin): Promise<any> {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(fixturePath(file))]), file);
    form.append('kind', kind);
    form.append('source', source);
    form.append('dryRun', 'true');
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: auth(token) });
    return response.json();
  }

  const get = (path: string, token?: string) => fetch(`${base}${path}`, { headers: auth(token) });
  const abandon = async (id: number | string, token?: string) => {
    const response = await fetch(`${base}/api/imports/${id}/abandon`, { method: 'POST', headers: auth(token) });
    return { status: response.status, body: (await response.json()) as any };
  };

  async function xlsxRows(response: Response): Promise<string[][]> {
    const workbook = XLSX.read(Buffer.from(await response.arrayBuffer()), { type: 'buffer' });
    expect(workbook.SheetNames).toEqual(['Anomalies']);
    return XLSX.utils.sheet_to_json<string[]>(workbook.Sheets.Anomalies, { header: 1, defval: '' });
  }

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    const organisations = dataSource.getRepository(Organisation);
    const bdt = await organisations.findOneByOrFail({ name: 'Banque des Territoires' });
    const douaisis = await organisations.findOneByOrFail({ siren: '200044618' });
    tokens.admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    tokens.editorBdt = (await createToken(dataSource, { name: 'BdT', role: Role.EDITOR, organisationId: bdt.id })).secret;
    tokens.editorDouaisis = (await createToken(dataSource, { name: 'Douaisis Agglo', role: Role.EDITOR, organisationId: douaisis.id })).secret;
    tokens.reader = (await createToken(dataSource, { name: 'Lecteur', role: Role.READER, organisationId: null })).secret;
  });
  afterAll(async () => api?.close());

  describe('GET /api/imports/:id/issues.csv|.xlsx', () => {
    let annex2: any;
    beforeAll(async () => {
      annex2 = await preview(ANNEX2_FILE, 'annex2', 'Etat');
    });

    it('gives the issues of the rejected annex 2 as an xlsx, in GraphQL’s order: errors first, then by sheet and cell', async () => {
      expect(annex2.status).toBe('REJECTED');
      expect(annex2.counts.errors).toBeGreaterThan(0);
      const response = await get(`/api/imports/${annex2.batchId}/issues.xlsx`, tokens.admin);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/spreadsheetml/);
      expect(response.headers.get('content-disposition')).toMatch(new RegExp(`filename="?anomalies-lot-${annex2.batchId}\\.xlsx"?`));
      const [header, ...rows] = await xlsxRows(response);
      expect(header).toEqual(HEADER);
      expect(rows).toHaveLength(annex2.counts.errors + annex2.counts.warnings);
      expect(rows.filter((row) => row[0] === 'Erreur')).toHaveLength(annex2.counts.errors);
      expect(rows.filter((row) => row[0] === 'Avertissement')).toHaveLength(annex2.counts.warnings);

      const { body } = await api.graphql(`query ($id: ID!) { importBatch(id: $id) { issues { severity code message sheet cell rawValue } } }`, { id: String(annex2.batchId) }, tokens.admin);
      const expected = body.data.importBatch.issues.map((issue: any) => [
        issue.severity === 'ERROR' ? 'Erreur' : 'Avertissement',
        issue.code,
        issue.message,
        issue.sheet ?? '',
        issue.cell ?? '',
        issue.rawValue ?? '',
      ]);
      expect(rows).toEqual(expected);
      // The ambiguous amount of the fixture, with its raw text as written.
      expect(rows.find((row) => row[1] === 'AMOUNT_AMBIGUOUS')?.[5]).toBe('1,050 000 €');
    });

    it('gives the same rows as CSV, and as French CSV with ?format=fr', async () => {
      const xlsx = (await xlsxRows(await get(`/api/imports/${annex2.batchId}/issues.xlsx`, tokens.admin))).slice(1);
      const csv = await get(`/api/imports/${annex2.batchId}/issues.csv`, tokens.admin);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const text = await csv.text();
      const parsed = XLSX.utils.sheet_to_json<string[]>(XLSX.read(text, { type: 'string', raw: true }).Sheets.Sheet1, { header: 1, defval: '', raw: false });
      expect(parsed[0]).toEqual(HEADER);
      expect(parsed.slice(1).map((row) => [row[0], row[1], row[4]])).toEqual(xlsx.map((row) => [row[0], row[1], row[4]]));
      // Read as bytes: Response.text() would drop the BOM.
      const frenchResponse = await get(`/api/imports/${annex2.batchId}/issues.csv?format=fr`, tokens.admin);
      expect(frenchResponse.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(frenchResponse.headers.get('content-disposition')).toBe(`attachment; filename=anomalies-lot-${annex2.batchId}.csv`);
      const french = Buffer.from(await frenchResponse.arrayBuffer()).toString('utf8');
      expect(french.startsWith('\uFEFFGravité;Code;Message;Feuille;Cellule;Valeur lue\r\n')).toBe(true);
      // The same cells, « ; » between them: the ambiguous amount's comma stays inside its cell.
      expect(parseCsv(french.slice(1), ';')).toEqual(parseCsv(text));
      expect(parseCsv(french.slice(1), ';').find((row) => row[1] === 'AMOUNT_AMBIGUOUS')?.[5]).toBe('1,050 000 €');
      // `standard` is the plain CSV; an unknown variant is refused rather than answered as another file.
      expect(await (await get(`/api/imports/${annex2.batchId}/issues.csv?format=standard`, tokens.admin)).text()).toBe(text);
      const unknown = await get(`/api/imports/${annex2.batchId}/issues.csv?format=excel`, tokens.admin);
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({ error: 'Variante « excel » inconnue (paramètre « format ») : « fr » (séparateur ; et virgule décimale) ou « standard ».', field: 'format' });
    });

    it('sorts cells naturally, row then column (A2 < A10, B1 before A2), errors first', async () => {
      const batch = await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: annex2.batchId });
      const { id: _id, ...copy } = batch;
      const target = await dataSource.getRepository(ImportBatch).save({ ...copy, sha256: 'f'.repeat(64) });
      const issue = (severity: 'ERROR' | 'WARNING', sheet: string, cell: string | null) =>
        ({ batchId: target.id, severity, code: 'TEST', message: `${severity} ${sheet}!${cell}`, sheet, cell, rawValue: null }) as Partial<ImportIssue>;
      await dataSource.getRepository(ImportIssue).save([
        issue('WARNING', 'Feuil1', 'A2'),
        issue('ERROR', 'Feuil1', 'A10'),
        issue('WARNING', 'Feuil1', 'A10'),
        issue('ERROR', 'Feuil1', 'B1'),
        issue('ERROR', 'Feuil1', 'A2'),
        issue('WARNING', 'Feuil1', 'AA1'),
        issue('WARNING', 'Feuil1', 'Z1'),
        issue('ERROR', 'Feuil1', 'B10'),
        issue('ERROR', 'Feuil1', 'C2'),
        issue('WARNING', 'Feuil1', null),
      ]);
      const rows = (await xlsxRows(await get(`/api/imports/${target.id}/issues.xlsx`, tokens.admin))).slice(1);
      expect(rows.map((row) => `${row[0]} ${row[4]}`)).toEqual([
        'Erreur B1',
        'Erreur A2',
        'Erreur C2',
        'Erreur A10',
        'Erreur B10',
        'Avertissement ',
        'Avertissement Z1',
        'Avertissement AA1',
        'Avertissement A2',
        'Avertissement A10',
      ]);
    });

    it('an empty list of issues is a header alone', async () => {
      const bdt = await preview(BDT_FILE, 'annex3', 'Banque des Territoires');
      const rows = await xlsxRows(await get(`/api/imports/${bdt.batchId}/issues.xlsx`, tokens.admin));
      expect(rows[0]).toEqual(HEADER);
      expect(rows).toHaveLength(1 + bdt.issues.length);
    });

    it('follows importBatch(id)’s visibility: an unapplied preview is hidden from other organisations and from anonymous readers', async () => {
      for (const token of [undefined, tokens.reader, tokens.editorBdt]) {
        const response = await get(`/api/imports/${annex2.batchId}/issues.xlsx`, token);
        expect(response.status).toBe(404);
        expect(((await response.json()) as any).error).toMatch(/n'existe pas, ou votre jeton ne permet pas de le voir/);
        const { body } = await api.graphql(`query ($id: ID!) { importBatch(id: $id) { id } }`, { id: String(annex2.batchId) }, token);
        expect(body.data.importBatch).toBeNull();
      }
      // Applied batches are public, like the figures they brought.
      const form = new FormData();
      form.append('file', new Blob([readFileSync(fixturePath('annexe3-ademe-2021-2023.csv'))]), 'annexe3-ademe-2021-2023.csv');
      form.append('kind', 'annex3');
      form.append('source', 'ADEME');
      const applied = (await (await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: auth(tokens.admin) })).json()) as any;
      expect(applied.status).toBe('APPLIED');
      expect((await get(`/api/imports/${applied.batchId}/issues.csv`)).status).toBe(200);
    });

    it('refuses a bad token (401), an unknown format (404), a bad or unknown batch number', async () => {
      const bad = await get(`/api/imports/${annex2.batchId}/issues.xlsx`, 'not-a-token');
      expect(bad.status).toBe(401);
      const json = await get(`/api/imports/${annex2.batchId}/issues.pdf`, tokens.admin);
      expect(json.status).toBe(404);
      expect(((await json.json()) as any)).toMatchObject({ field: 'format' });
      const letters = await get('/api/imports/abc/issues.xlsx', tokens.admin);
      expect(letters.status).toBe(400);
      expect(((await letters.json()) as any)).toMatchObject({ error: '« abc » n\'est pas un numéro de lot.', field: 'id' });
      expect((await get('/api/imports/999999/issues.xlsx', tokens.admin)).status).toBe(404);
    });

    it('needs a token when reads do (READ_REQUIRES_TOKEN)', async () => {
      const closed = await startTestServer({ db: api.db, config: { readRequiresToken: true } });
      try {
        const url = closed.server.url.replace(/\/graphql$/, '');
        const anonymous = await fetch(`${url}/api/imports/${annex2.batchId}/issues.csv`);
        expect(anonymous.status).toBe(401);
        expect((await fetch(`${url}/api/imports/${annex2.batchId}/issues.csv`, { headers: auth(tokens.admin) })).status).toBe(200);
      } finally {
        // Not closed.close(): the database is the suite's.
        await closed.server.close();
      }
    });
  });

  describe('POST /api/imports/:id/abandon', () => {
    it('lets the source’s editor abandon its preview: ABANDONED, hidden from others, never applied afterwards', async () => {
      const bdt = await preview(BDT_FILE, 'annex3', 'BdT', tokens.editorBdt);
      expect(bdt.status).toBe('PREVIEWED');
      expect(await abandon(bdt.batchId, tokens.editorBdt)).toEqual({ status: 200, body: { batchId: bdt.batchId, status: 'ABANDONED' } });
      const query = `query ($id: ID!) { importBatch(id: $id) { status } }`;
      expect((await api.graphql(query, { id: String(bdt.batchId) }, tokens.admin)).body.data.importBatch).toEqual({ status: 'ABANDONED' });
      expect((await api.graphql(query, { id: String(bdt.batchId) }, tokens.editorBdt)).body.data.importBatch).toEqual({ status: 'ABANDONED' });
      expect((await api.graphql(query, { id: String(bdt.batchId) })).body.data.importBatch).toBeNull();
      const listed = await api.graphql(`{ importBatches(filter: { status: [ABANDONED] }) { nodes { id } } }`, {}, tokens.admin);
      expect(listed.body.data.importBatches.nodes.map((node: any) => Number(node.id))).toContain(bdt.batchId);

      const again = await abandon(bdt.batchId, tokens.editorBdt);
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ error: `Le lot n° ${bdt.batchId} est déjà abandonné : seul un aperçu (PREVIEWED) peut être abandonné.`, field: 'id' });
      const apply = await fetch(`${base}/api/imports/${bdt.batchId}/apply`, { method: 'POST', headers: auth(tokens.admin) });
      expect(apply.status).toBe(409);
      expect(((await apply.json()) as any).error).toBe(`Le lot n° ${bdt.batchId} est abandonné : seul un aperçu peut être appliqué.`);
    });

    it('answers 409 in French for a batch that is not a preview (rejected, applied)', async () => {
      const annex2 = await preview(ANNEX2_FILE, 'annex2', 'Etat');
      const rejected = await abandon(annex2.batchId, tokens.admin);
      expect(rejected.status).toBe(409);
      expect(rejected.body.error).toMatch(/est rejeté .* seul un aperçu \(PREVIEWED\) peut être abandonné/);

      const bdt = await preview(BDT_FILE, 'annex3', 'Banque des Territoires');
      expect((await fetch(`${base}/api/imports/${bdt.batchId}/apply`, { method: 'POST', headers: auth(tokens.admin) })).status).toBe(200);
      const applied = await abandon(bdt.batchId, tokens.admin);
      expect(applied.status).toBe(409);
      expect(applied.body.error).toMatch(/déjà appliqué/);
      // Applied batches are seen by all, but only the source's writers may act on them.
      const other = await abandon(bdt.batchId, tokens.editorDouaisis);
      expect(other.status).toBe(403);
      expect(other.body.field).toBe('source');
    });

    it('refuses without a token (401), for a reader (403), and hides another organisation’s preview (404)', async () => {
      const bdt = await preview(BDT_FILE, 'annex3', 'Banque des Territoires');
      const anonymous = await abandon(bdt.batchId);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error).toMatch(/jeton/i);
      expect((await abandon(bdt.batchId, tokens.reader)).status).toBe(403);
      expect((await abandon(bdt.batchId, tokens.editorDouaisis)).status).toBe(404);
      expect((await abandon('x1', tokens.admin)).status).toBe(400);
      expect((await abandon(999999, tokens.admin)).status).toBe(404);
      expect(await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: bdt.batchId })).toMatchObject({ status: 'PREVIEWED' });
    });
  });
});
