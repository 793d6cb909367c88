import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { cellText } from '../../import/common/model';
import { readUploadedFile } from '../../import/read/read-file';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { Funding } from '../../src/funding/funding.entity';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { ImportIssue } from '../../src/import-batch/import-issue.entity';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { faultyWorkbook } from '../support/workbook-edit';
import { startTestServer, TestServer } from '../support/server';

const BDT_FILE = 'annexe3-banque-des-territoires-2023.xlsx';
const BDT = readFileSync(fixturePath(BDT_FILE));
const ADEME_CSV = readFileSync(fixturePath('annexe3-ademe-2021-2023.csv'));

interface UploadFile {
  bytes: Uint8Array;
  name: string;
  field?: string;
}

describe(`POST /api/imports and GET /api/templates on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  const tokens = { admin: '', editorBdt: '', editorAdeme: '', reader: '', editorNoOrganisation: '' };
  let bdtId: number;

  const batchCount = () => dataSource.getRepository(ImportBatch).count();

  async function upload(fields: Record<string, string>, files: UploadFile[], token?: string) {
    const form = new FormData();
    for (const file of files) form.append(file.field ?? 'file', new Blob([file.bytes]), file.name);
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  }

  /** Refused with `status`, a French message, and no batch stored. */
  async function refused(fields: Record<string, string>, files: UploadFile[], token: string | undefined, status: number, field?: string) {
    const before = await batchCount();
    const response = await upload(fields, files, token);
    expect(response.status).toBe(status);
    expect(typeof response.body.error).toBe('string');
    expect(response.body.error.length).toBeGreaterThan(10);
    if (field) expect(response.body.field).toBe(field);
    expect(await batchCount()).toBe(before);
    return response;
  }

  const bdtFile = (): UploadFile => ({ bytes: BDT, name: BDT_FILE });
  const preview = { kind: 'annex3', source: 'Banque des Territoires', dryRun: 'true' };

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    const organisations = dataSource.getRepository(Organisation);
    bdtId = (await organisations.findOneByOrFail({ name: 'Banque des Territoires' })).id;
    const ademeId = (await organisations.findOneByOrFail({ shortName: 'ADEME' })).id;
    tokens.admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    tokens.editorBdt = (await createToken(dataSource, { name: 'BdT Hauts-de-France', role: Role.EDITOR, organisationId: bdtId })).secret;
    tokens.editorAdeme = (await createToken(dataSource, { name: 'ADEME HDF', role: Role.EDITOR, organisationId: ademeId })).secret;
    tokens.reader = (await createToken(dataSource, { name: 'Power BI', role: Role.READER, organisationId: bdtId })).secret;
    tokens.editorNoOrganisation = (await createToken(dataSource, { name: 'Sans organisation', role: Role.EDITOR, organisationId: null })).secret;
  });
  afterAll(async () => api?.close());

  describe('previews (dryRun=true)', () => {
    it('previews the Banque des Territoires file for its editor: 200, the CLI’s JSON, the batch stored, nothing applied', async () => {
      const { status, body } = await upload({ ...preview, source: 'BdT', year: '2023', contract: 'CRTE-DOUAISIS', comment: 'ignored' }, [bdtFile()], tokens.editorBdt);
      expect(status).toBe(200);
      expect(Object.keys(body).sort()).toEqual(['batchId', 'counts', 'issues', 'layout', 'lines', 'status', 'total']);
      expect(body).toMatchObject({ status: 'PREVIEWED', layout: 'by-year', total: '20100000.00', counts: { lines: 10, errors: 0 } });
      expect(body.lines).toHaveLength(10);
      expect(body.lines[0]).toMatchObject({ amount: '2500000.00', year: 2023, funder: 'Banque des Territoires', instrument: 'LOAN', action: 'DA-01', cell: 'I6' });
      const batch = await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: body.batchId });
      expect(batch).toMatchObject({
        status: 'PREVIEWED',
        kind: 'annex3',
        sourceId: bdtId,
        year: 2023,
        fileName: BDT_FILE,
        sizeBytes: BDT.length,
        lineCount: 10,
        total: '20100000.00',
        uploadedBy: 'BdT Hauts-de-France',
      });
      expect(batch.uploadedByTokenId).not.toBeNull();
      expect(await dataSource.getRepository(ImportIssue).countBy({ batchId: body.batchId })).toBe(body.issues.length);
      expect(await dataSource.getRepository(Funding).count()).toBe(0);
    });

    it('lets an admin upload for any source, and an editor for its own (the ADEME CSV, fields before the file)', async () => {
      const asAdmin = await upload(preview, [bdtFile()], tokens.admin);
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body.total).toBe('20100000.00');

      const form = new FormData();
      form.append('kind', 'annex3');
      form.append('source', 'ADEME');
      form.append('dryRun', '1');
      form.append('file', new Blob([ADEME_CSV]), 'annexe3-ademe-2021-2023.csv');
      const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${tokens.editorAdeme}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as any;
      expect(body).toMatchObject({ status: 'PREVIEWED', layout: 'long', counts: { lines: 13, errors: 0 } });
    });

    it('answers 422 with the full preview for a file with errors, each issue at its cell, and stores the rejection', async () => {
      const { status, body } = await upload({ ...preview, source: 'Douaisis Agglo' }, [{ bytes: faultyWorkbook(), name: 'programmation.xlsx' }], tokens.admin);
      expect(status).toBe(422);
      expect(body.status).toBe('REJECTED');
      const errors = body.issues.filter((issue: any) => issue.severity === 'ERROR');
      expect(errors.map((issue: any) => [issue.code, issue.sheet, issue.cell])).toEqual([
        ['UNKNOWN_ORIENTATION', 'Prog', 'C2'],
        ['AMOUNT_AMBIGUOUS', 'Prog', 'E2'],
        ['AMOUNT_NEGATIVE', 'Prog', 'E3'],
      ]);
      expect(errors[1].value).toBe('1,050 000 €');
      expect(errors[1].message).toMatch(/[éèà]/);
      expect(await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: body.batchId })).toMatchObject({ status: 'REJECTED', errorCount: 3 });
    });

    it('answers 422 for a file that is not a spreadsheet, with a French message', async () => {
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 7)]);
      const { status, body } = await upload(preview, [{ bytes: pdf, name: 'scan.pdf' }], tokens.admin);
      expect(status).toBe(422);
      expect(body.issues[0].code).toMatch(/^FILE_/);
    });
  });

  describe('authorisation', () => {
    it('refuses without a token, or with a bad one (401), before reading the file', async () => {
      const response = await refused(preview, [bdtFile()], undefined, 401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.body.error).toMatch(/jeton/i);
      await refused(preview, [bdtFile()], 'crte_not-a-real-token-at-all-000000000', 401);
    });

    it('refuses a reader (403)', async () => {
      const { body } = await refused(preview, [bdtFile()], tokens.reader, 403);
      expect(body.error).toContain('lecture seule');
    });

    it('refuses an editor uploading in the name of another organisation (403), however the source is spelled', async () => {
      const { body } = await refused(preview, [bdtFile()], tokens.editorAdeme, 403, 'source');
      expect(body.error).toContain('Banque des Territoires');
      await refused({ ...preview, source: 'Caisse des dépôts' }, [bdtFile()], tokens.editorAdeme, 403, 'source');
      await refused({ ...preview, source: String(bdtId) }, [bdtFile()], tokens.editorAdeme, 403, 'source');
      await refused(preview, [bdtFile()], tokens.editorNoOrganisation, 403, 'source');
    });
  });

  describe('usage errors (400), each naming its field', () => {
    it('refuses a missing file, kind or source', async () => {
      const { body } = await refused({ source: 'BdT', dryRun: 'true' }, [bdtFile()], tokens.admin, 400, 'kind');
      expect(body.error).toContain('« kind »');
      await refused({ kind: 'annex3', dryRun: 'true' }, [bdtFile()], tokens.admin, 400, 'source');
      await refused(preview, [], tokens.admin, 400, 'file');
      const both = await refused({ dryRun: 'true' }, [], tokens.admin, 400, 'file');
      expect(both.body.error).toContain('« source »');
      // A file under another name is not « file ».
      await refused(preview, [{ ...bdtFile(), field: 'piece' }], tokens.admin, 400, 'file');
    });

    it('refuses a bad kind, year or dryRun, an unknown source or contract, and two files', async () => {
      await refused({ ...preview, kind: 'annex9' }, [bdtFile()], tokens.admin, 400, 'kind');
      await refused({ ...preview, year: '23' }, [bdtFile()], tokens.admin, 400, 'year');
      await refused({ ...preview, dryRun: 'peut-être' }, [bdtFile()], tokens.admin, 400, 'dryRun');
      const unknown = await refused({ ...preview, source: 'Inconnue SA' }, [bdtFile()], tokens.admin, 400, 'source');
      expect(unknown.body.error).toContain('Inconnue SA');
      await refused({ ...preview, contract: 'CRTE-NULLE-PART' }, [bdtFile()], tokens.admin, 400, 'contract');
      const two = await refused(preview, [bdtFile(), bdtFile()], tokens.admin, 400, 'file');
      expect(two.body.error).toContain('Un seul fichier');
    });

    it('refuses a body that is not multipart/form-data', async () => {
      const response = await fetch(`${base}/api/imports`, {
        method: 'POST',
        body: JSON.stringify(preview),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error).toContain('multipart/form-data');
    });
  });

  describe('size cap', () => {
    it('refuses a 21 MB file with 413, stores nothing, and keeps serving', async () => {
      const big = Buffer.alloc(21 * 1024 * 1024, 0x41);
      const { body } = await refused(preview, [{ bytes: big, name: 'enorme.xlsx' }], tokens.admin, 413, 'file');
      expect(body.error).toContain('20 Mo');
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
    });

    it('cuts a streamed upload without Content-Length as soon as it passes the cap', async () => {
      const before = await batchCount();
      const boundary = '----crte-test-boundary';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nannex3\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\nBdT\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="dryRun"\r\n\r\ntrue\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="flux.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      const chunk = Buffer.alloc(1024 * 1024, 0x42);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          // 40 MB at most, never a closing boundary: only the cap can end this upload early.
          if (sent === 0) controller.enqueue(head);
          if (sent >= 40) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${base}/api/imports`, {
        method: 'POST',
        body: stream,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${tokens.admin}` },
        duplex: 'half',
      } as RequestInit);
      // Answered once the cap was passed, not after the whole body: the client was still sending.
      const sentWhenAnswered = sent;
      expect(response.status).toBe(413);
      expect(sentWhenAnswered).toBeLessThan(40);
      expect(((await response.json()) as any).field).toBe('file');
      expect(await batchCount()).toBe(before);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });
  });

  describe('applying (dryRun false or absent), applying a preview, rolling back', () => {
    const currentTotal = async () => {
      const [{ cents }] = await dataSource.query('SELECT SUM(ROUND(amount * 100)) AS cents FROM funding WHERE superseded_at IS NULL');
      return cents === null ? 0n : BigInt(String(cents).replace(/\.0+$/, ''));
    };
    const post = async (path: string, token?: string) => {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: response.status, body: (await response.json()) as any };
    };

    it('applies an upload at once, says UNCHANGED the second time, and rolls it back over HTTP', async () => {
      const applied = await upload({ kind: 'annex3', source: 'Banque des Territoires' }, [bdtFile()], tokens.editorBdt);
      expect(applied.status).toBe(200);
      expect(applied.body).toMatchObject({ status: 'APPLIED', total: '20100000.00', applied: { inserted: 10 } });
      expect(await currentTotal()).toBe(2010000000n);
      const again = await upload({ kind: 'annex3', source: 'BdT', dryRun: 'false' }, [bdtFile()], tokens.editorBdt);
      expect(again.body.status).toBe('UNCHANGED');
      expect(await currentTotal()).toBe(2010000000n);

      expect((await post(`/api/imports/${applied.body.batchId}/rollback`, tokens.editorAdeme)).status).toBe(403);
      expect((await post(`/api/imports/${applied.body.batchId}/rollback`)).status).toBe(401);
      const undone = await post(`/api/imports/${applied.body.batchId}/rollback`, tokens.editorBdt);
      expect(undone.status).toBe(200);
      expect(undone.body).toMatchObject({ status: 'ROLLED_BACK', withdrawn: 10 });
      expect(await currentTotal()).toBe(0n);
    });

    it('applies a stored preview over HTTP, and through GraphQL applyImport / rollbackImport with the same rights', async () => {
      const previewed = await upload(preview, [bdtFile()], tokens.editorBdt);
      expect(previewed.body.status).toBe('PREVIEWED');
      expect((await post(`/api/imports/${previewed.body.batchId}/apply`, tokens.reader)).status).toBe(403);
      const applied = await post(`/api/imports/${previewed.body.batchId}/apply`, tokens.admin);
      expect(applied.status).toBe(200);
      expect(applied.body.status).toBe('APPLIED');
      expect(await currentTotal()).toBe(2010000000n);

      const refusedRollback = await api.graphql(`mutation { rollbackImport(id: "${previewed.body.batchId}") { status } }`, undefined, tokens.editorAdeme);
      expect(refusedRollback.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
      const rolledBack = await api.graphql(`mutation { rollbackImport(id: "${previewed.body.batchId}") { id status rolledBackAt } }`, undefined, tokens.editorBdt);
      expect(rolledBack.body.errors).toBeUndefined();
      expect(rolledBack.body.data.rollbackImport.status).toBe('ROLLED_BACK');
      expect(await currentTotal()).toBe(0n);

      const second = await upload(preview, [bdtFile()], tokens.editorBdt);
      const viaGraphql = await api.graphql(`mutation { applyImport(id: "${second.body.batchId}") { status appliedAt lineCount } }`, undefined, tokens.editorBdt);
      expect(viaGraphql.body.errors).toBeUndefined();
      expect(viaGraphql.body.data.applyImport).toMatchObject({ status: 'APPLIED', lineCount: 10 });
      const twice = await api.graphql(`mutation { applyImport(id: "${second.body.batchId}") { status } }`, undefined, tokens.editorBdt);
      expect(twice.body.errors?.[0].message).toContain('déjà appliqué');
      expect(twice.body.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
      await api.graphql(`mutation { rollbackImport(id: "${second.body.batchId}") { status } }`, undefined, tokens.admin);
      expect(await currentTotal()).toBe(0n);
    });
  });

  describe('GET /api/templates/:kind.xlsx', () => {
    async function template(path: string) {
      const response = await fetch(`${base}/api/templates/${path}`);
      return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
    }

    it('serves the annex 3 template as an attachment with a French name, readable by the import', async () => {
      const { response, bytes } = await template('annex3.xlsx');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?modele-annexe3\.xlsx"?$/);
      const grid = await readUploadedFile(bytes, 'modele-annexe3.xlsx');
      expect(grid.sheets.map((sheet) => sheet.name)).toEqual(['Annexe 3', 'Aide']);
      expect(grid.sheets[0].rows[0].map((cell) => cellText(cell))).toContain('2026');
    });

    it('fills the contract’s years and territories when ?contract= names it', async () => {
      const { response, bytes } = await template('dotations.xlsx?contract=CRTE-DOUAISIS');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?modele-dotations\.xlsx"?$/);
      const grid = await readUploadedFile(bytes, 'modele-dotations.xlsx');
      const headers = grid.sheets[0].rows[0].map((cell) => cellText(cell));
      expect(headers.filter((header) => header.startsWith('Territoire de'))).toHaveLength(2);
      expect(headers).toContain('Territoire de Douaisis Agglo');
      for (const kind of ['annex2', 'indicators']) expect((await template(`${kind}.xlsx`)).response.status).toBe(200);
    });

    it('has no template for grants lists, nor for unknown kinds or contracts (404, in French)', async () => {
      const grants = await fetch(`${base}/api/templates/grants.xlsx`);
      expect(grants.status).toBe(404);
      expect(((await grants.json()) as any).error).toContain('données ouvertes');
      expect((await fetch(`${base}/api/templates/annex9.xlsx`)).status).toBe(404);
      expect((await fetch(`${base}/api/templates/annex3.xlsx?contract=CRTE-NULLE-PART`)).status).toBe(404);
    });
  });
});
