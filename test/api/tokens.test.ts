import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ApiToken } from '../../src/auth/api-token.entity';
import { Role } from '../../src/kernel/role.enum';
import { authenticate, createToken, hashToken, InvalidTokenError, tokenHashMatches } from '../../src/auth/token.service';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { ImportKind, ImportStatus } from '../../src/kernel/import-batch.enum';
import { previewImport } from '../../src/import-batch/import-preview.service';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const ME = `{ me { name role } }`;
const REVOKE = `mutation ($id: ID!) { revokeToken(id: $id) { id name revokedAt } }`;
const TOKENS = `{ tokens { id name role tokenPrefix revokedAt organisation { shortName } } }`;
const BATCH = `query ($id: ID!) { importBatch(id: $id) { id status } }`;
const BATCHES = `{ importBatches(first: 500) { totalCount nodes { id } } }`;

describe(`tokens: constant-time check, revocation, other organisations' previews on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  const secrets = { admin: '', editorBdt: '', editorAdeme: '' };
  let ademePreview: number;

  const get = (path: string, secret?: string) => fetch(`${base}${path}`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  const post = (path: string, secret?: string) => fetch(`${base}${path}`, { method: 'POST', headers: secret ? { authorization: `Bearer ${secret}` } : {} });

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    const organisations = dataSource.getRepository(Organisation);
    const bdt = await organisations.findOneByOrFail({ name: 'Banque des Territoires' });
    const ademe = await organisations.findOneByOrFail({ shortName: 'ADEME' });
    secrets.admin = (await createToken(dataSource, { name: 'Admin', role: Role.ADMIN, organisationId: null })).secret;
    secrets.editorBdt = (await createToken(dataSource, { name: 'BdT', role: Role.EDITOR, organisationId: bdt.id })).secret;
    secrets.editorAdeme = (await createToken(dataSource, { name: 'ADEME', role: Role.EDITOR, organisationId: ademe.id })).secret;
    const buffer = readFileSync(fixturePath('annexe3-ademe-2021-2023.csv'));
    ademePreview = (await previewImport(dataSource, { buffer, fileName: 'ademe.csv', kind: ImportKind.ANNEX3, source: 'ADEME', uploadedBy: 'ADEME' })).batchId;
  }, 60000);
  afterAll(async () => api?.close());

  describe('the constant-time path', () => {
    it('stores the SHA-256 of a 192-bit secret and compares digests with timingSafeEqual only', async () => {
      const { secret, token } = await createToken(dataSource, { name: 'Empreinte', role: Role.READER, organisationId: null });
      expect(secret).toMatch(/^crte_[A-Za-z0-9_-]{32}$/); // 24 random bytes
      const stored = await dataSource.getRepository(ApiToken).findOneByOrFail({ id: token.id });
      expect(stored.tokenHash).toBe(hashToken(secret));
      expect(stored.tokenHash).not.toContain(secret.slice(5));

      const digest = hashToken(secret);
      expect(tokenHashMatches(digest, digest)).toBe(true);
      expect(tokenHashMatches(digest, hashToken(`${secret}x`))).toBe(false);
      // Malformed digests are refused without throwing (timingSafeEqual throws on unequal lengths).
      expect(tokenHashMatches(digest, digest.slice(2))).toBe(false);
      expect(tokenHashMatches('zz', 'zz')).toBe(false);

      // The source compares no secret nor digest with === (only timingSafeEqual, behind tokenHashMatches).
      const source = readFileSync(join(__dirname, '../../src/auth/token.service.ts'), 'utf8');
      expect(source).toMatch(/timingSafeEqual\(a, b\)/);
      expect(source).not.toMatch(/(hash|Hash|secret)\s*[!=]==|[!=]==\s*(hash|secret|token\.tokenHash)/);
    });

    it('refuses a wrong, malformed or near-miss token the same way', async () => {
      const { secret } = await createToken(dataSource, { name: 'Proche', role: Role.READER, organisationId: null });
      const nearMiss = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
      for (const header of [`Bearer ${nearMiss}`, 'Bearer crte_', 'Bearer x', 'Basic abc', `Bearer ${secret} extra`]) {
        await expect(authenticate(dataSource, header)).rejects.toBeInstanceOf(InvalidTokenError);
      }
      expect(await authenticate(dataSource, `Bearer ${secret}`)).toMatchObject({ name: 'Proche', role: Role.READER });
      const { body } = await api.graphql(ME, {}, nearMiss);
      expect(body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('revocation', () => {
    it('refuses a revoked token at once: GraphQL, HTTP routes and saved reports', async () => {
      const { secret, token } = await createToken(dataSource, { name: 'Tableau Metabase', role: Role.EDITOR, organisationId: (await dataSource.getRepository(Organisation).findOneByOrFail({ shortName: 'ADEME' })).id });
      const saved = await api.graphql(`mutation { saveReport(name: "revocation", query: "{ contracts { code } }") { id } }`, {}, secret);
      expect(saved.body.errors).toBeUndefined();
      // Before: accepted everywhere.
      expect((await api.graphql(ME, {}, secret)).body.data!.me.name).toBe('Tableau Metabase');
      expect((await get('/api/reports/revocation.csv', secret)).status).toBe(200);
      expect((await get(`/api/imports/${ademePreview}/issues.csv`, secret)).status).toBe(200);
      expect((await get('/api/export/annex3.xlsx', secret)).status).toBe(200);

      const revoked = await api.graphql(REVOKE, { id: String(token.id) }, secrets.admin);
      expect(revoked.body.errors).toBeUndefined();
      expect(revoked.body.data!.revokeToken.revokedAt).toEqual(expect.any(String));

      // After: the very next request is refused, on every door.
      const me = await api.graphql(ME, {}, secret);
      expect(me.status).toBe(401);
      expect(me.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
      expect((await get('/api/reports/revocation.csv', secret)).status).toBe(401);
      expect((await get(`/api/imports/${ademePreview}/issues.csv`, secret)).status).toBe(401);
      expect((await get('/api/export/annex3.xlsx', secret)).status).toBe(401);
      expect((await post(`/api/imports/${ademePreview}/abandon`, secret)).status).toBe(401);
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('a;b\n')]), 'x.csv');
      form.append('kind', 'annex3');
      form.append('source', 'ADEME');
      expect((await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
      expect((await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: ademePreview })).status).toBe(ImportStatus.PREVIEWED);

      // Revoking twice keeps the first date.
      const again = await api.graphql(REVOKE, { id: String(token.id) }, secrets.admin);
      expect(again.body.data!.revokeToken.revokedAt).toBe(revoked.body.data!.revokeToken.revokedAt);
    });

    it('lets only admins list and revoke tokens, and never shows a hash', async () => {
      for (const secret of [secrets.editorBdt, undefined]) {
        const listed = await api.graphql(TOKENS, {}, secret);
        expect(listed.body.errors![0].extensions.code).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
        const revoke = await api.graphql(REVOKE, { id: '1' }, secret);
        expect(revoke.body.errors![0].extensions.code).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
      }
      expect((await api.graphql(ME, {}, secrets.admin)).body.data!.me.role).toBe('ADMIN');
      const listed = await api.graphql(TOKENS, {}, secrets.admin);
      expect(listed.body.errors).toBeUndefined();
      expect(listed.body.data!.tokens.find((t: any) => t.name === 'ADEME').organisation.shortName).toBe('ADEME');
      expect(JSON.stringify(listed.body.data)).not.toMatch(/[0-9a-f]{64}/);
      const unknown = await api.graphql(REVOKE, { id: '999999' }, secrets.admin);
      expect(unknown.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('another organisation’s unapplied preview', () => {
    it('is neither seen nor touched by an editor, through GraphQL or HTTP', async () => {
      const id = String(ademePreview);
      // GraphQL: hidden from the other editor, seen by its own.
      expect((await api.graphql(BATCH, { id }, secrets.editorBdt)).body.data!.importBatch).toBeNull();
      expect((await api.graphql(BATCH, { id }, secrets.editorAdeme)).body.data!.importBatch.status).toBe('PREVIEWED');
      const listed = (await api.graphql(BATCHES, {}, secrets.editorBdt)).body.data!.importBatches.nodes.map((n: any) => n.id);
      expect(listed).not.toContain(id);
      for (const mutation of ['applyImport', 'rollbackImport']) {
        const { body } = await api.graphql(`mutation ($id: ID!) { ${mutation}(id: $id) { id } }`, { id }, secrets.editorBdt);
        expect(body.errors![0].extensions.code).toBe('FORBIDDEN');
      }
      // HTTP: apply and rollback are forbidden, issues and abandon answer as for a batch that does not exist.
      expect((await post(`/api/imports/${id}/apply`, secrets.editorBdt)).status).toBe(403);
      expect((await post(`/api/imports/${id}/rollback`, secrets.editorBdt)).status).toBe(403);
      expect((await post(`/api/imports/${id}/abandon`, secrets.editorBdt)).status).toBe(404);
      expect((await get(`/api/imports/${id}/issues.csv`, secrets.editorBdt)).status).toBe(404);
      expect((await get(`/api/imports/${id}/issues.xlsx`, secrets.editorBdt)).status).toBe(404);
      // Untouched, and nothing recorded in its name.
      expect((await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: ademePreview })).status).toBe(ImportStatus.PREVIEWED);
      const audited = await dataSource.query(`SELECT COUNT(*) AS n FROM audit_event WHERE target_kind = 'import_batch' AND target_id = ?`, [id]);
      expect(Number(audited[0].n)).toBe(0);
    });
  });
});
