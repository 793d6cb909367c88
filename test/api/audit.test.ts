import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { recordAudit } from '../../src/audit/audit.service';
import { createAction } from '../../src/action/action.service';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { runApplyCommand, runImportCommand, runRollbackCommand } from '../../src/cli/import.command';
import { runTokenCommand } from '../../src/cli/token.command';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';
const DOUAISIS_AGGLO = '200044618';
const BDT_FILE = 'annexe3-banque-des-territoires-2023.xlsx';
const ADEME_FILE = 'annexe3-ademe-2021-2023.csv';

const CREATE_ACTION = `mutation ($input: CreateActionInput!) { createAction(input: $input) { code } }`;
const UPDATE_ACTION = `mutation ($code: String!, $input: UpdateActionInput!) { updateAction(contract: "${CONTRACT}", code: $code, input: $input) { code } }`;
const CREATE_INDICATOR = `mutation ($input: CreateIndicatorInput!) { createIndicator(input: $input) { code } }`;
const UPDATE_INDICATOR = `mutation ($code: String!, $input: UpdateIndicatorInput!) { updateIndicator(contract: "${CONTRACT}", code: $code, input: $input) { code } }`;
const SET_VALUE = `mutation ($input: SetIndicatorValueInput!) { setIndicatorValue(input: $input) { code } }`;
const DELETE_VALUE = `mutation ($input: DeleteIndicatorValueInput!) { deleteIndicatorValue(input: $input) }`;
const SAVE_REPORT = `mutation ($name: String!, $query: String!) { saveReport(name: $name, query: $query) { id } }`;
const DELETE_REPORT = `mutation ($name: String!) { deleteReport(name: $name) }`;
const APPLY = `mutation ($id: ID!) { applyImport(id: $id) { id status } }`;
const ROLLBACK = `mutation ($id: ID!) { rollbackImport(id: $id) { id status } }`;
const REVOKE = `mutation ($id: ID!) { revokeToken(id: $id) { id revokedAt } }`;
const AUDIT = `query ($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id occurredAt action targetKind targetId tokenId actorName actorRole organisationId detail }
  }
}`;

interface Actor {
  secret: string;
  tokenId: number;
  name: string;
  role: string;
  organisationId: number | null;
}

describe(`audit trail on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  let admin: Actor;
  let editor: Actor;
  let reader: Actor;

  const events = () => dataSource.getRepository(AuditEvent).find({ order: { id: 'ASC' } });
  const eventCount = () => dataSource.getRepository(AuditEvent).count();

  async function actor(name: string, role: Role, organisationId: number | null): Promise<Actor> {
    const { secret, token } = await createToken(dataSource, { name, role, organisationId });
    return { secret, tokenId: token.id, name, role, organisationId };
  }

  /** Runs `write` and checks that it left exactly one audit row, by `who`, stamped between start and end. */
  async function exactlyOne<T>(write: () => Promise<T>, action: string, who: Actor | 'cli', targetKind: string): Promise<{ result: T; event: AuditEvent }> {
    const before = await events();
    const start = Date.now();
    const result = await write();
    const end = Date.now();
    const added = (await events()).slice(before.length);
    expect(added.map((event) => event.action)).toEqual([action]);
    const [event] = added;
    expect(event.targetKind).toBe(targetKind);
    expect(event.targetId).toMatch(/^\d+$/);
    // Stored to the second on MariaDB's DATETIME: allow the truncation.
    expect(event.occurredAt.getTime()).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000);
    expect(event.occurredAt.getTime()).toBeLessThanOrEqual(end + 1000);
    if (who === 'cli') {
      expect(event).toMatchObject({ tokenId: null, actorRole: 'cli', organisationId: null });
      expect(event.actorName).toMatch(/^cli/);
    } else {
      expect(event).toMatchObject({ tokenId: who.tokenId, actorName: who.name, actorRole: who.role, organisationId: who.organisationId });
    }
    if (event.detail !== null) expect(() => JSON.parse(event.detail!)).not.toThrow();
    return { result, event };
  }

  /** Runs `write`, which must fail, and checks that no audit row appeared. */
  async function none(write: () => Promise<unknown>): Promise<void> {
    const before = await eventCount();
    await write();
    expect(await eventCount()).toBe(before);
  }

  async function gql(query: string, variables: Record<string, unknown>, who: Actor | undefined) {
    const { body } = await api.graphql(query, variables, who?.secret);
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  async function gqlRefused(query: string, variables: Record<string, unknown>, who: Actor | undefined): Promise<string> {
    const { body } = await api.graphql(query, variables, who?.secret);
    expect(body.errors?.length).toBeGreaterThan(0);
    return body.errors![0].extensions.code;
  }

  async function upload(file: string, source: string, dryRun: boolean, who: Actor) {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(fixturePath(file))]), file);
    form.append('kind', 'annex3');
    form.append('source', source);
    form.append('dryRun', String(dryRun));
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${who.secret}` } });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function post(path: string, who: Actor) {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${who.secret}` } });
    return { status: response.status, body: (await response.json()) as any };
  }

  /** The CLI prints to stdout: kept quiet here. */
  async function quietly<T>(work: () => Promise<T>): Promise<T> {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return await work();
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    const bdt = await dataSource.getRepository(Organisation).findOneByOrFail({ name: 'Banque des Territoires' });
    admin = await actor('Sous-préfecture', Role.ADMIN, null);
    editor = await actor('BdT finances', Role.EDITOR, bdt.id);
    reader = await actor('Power BI', Role.READER, null);
  }, 60000);
  afterAll(async () => api?.close());

  describe('GraphQL mutations', () => {
    it('records each edit once, with who and when', async () => {
      await exactlyOne(() => gql(CREATE_ACTION, { input: { contract: CONTRACT, code: 'AUD-1', title: 'Action auditée', lead: DOUAISIS_AGGLO } }, admin), 'ACTION_CREATE', admin, 'action');
      await exactlyOne(() => gql(UPDATE_ACTION, { code: 'AUD-1', input: { title: 'Action auditée (2)' } }, admin), 'ACTION_UPDATE', admin, 'action');
      await exactlyOne(() => gql(CREATE_INDICATOR, { input: { contract: CONTRACT, code: 'AUD-IND', name: 'Longueur', unit: 'km', action: 'AUD-1' } }, admin), 'INDICATOR_CREATE', admin, 'indicator');
      await exactlyOne(() => gql(UPDATE_INDICATOR, { code: 'AUD-IND', input: { name: 'Longueur de voie' } }, admin), 'INDICATOR_UPDATE', admin, 'indicator');
      const value = { contract: CONTRACT, indicator: 'AUD-IND', year: 2024, stage: 'ACTUAL' };
      const { event } = await exactlyOne(() => gql(SET_VALUE, { input: { ...value, value: '3.5' } }, admin), 'INDICATOR_VALUE_SET', admin, 'indicator');
      expect(JSON.parse(event.detail!)).toMatchObject({ code: 'AUD-IND', year: 2024, stage: 'ACTUAL', value: '3.5' });
      await exactlyOne(() => gql(DELETE_VALUE, { input: value }, admin), 'INDICATOR_VALUE_DELETE', admin, 'indicator');
      await exactlyOne(() => gql(SAVE_REPORT, { name: 'audit-r', query: '{ contracts { code } }' }, editor), 'REPORT_SAVE', editor, 'saved_report');
      await exactlyOne(() => gql(SAVE_REPORT, { name: 'audit-r', query: '{ contracts { code name } }' }, editor), 'REPORT_SAVE', editor, 'saved_report');
      await exactlyOne(() => gql(DELETE_REPORT, { name: 'audit-r' }, editor), 'REPORT_DELETE', editor, 'saved_report');
    });

    it('records nothing for a refused or failed write, nor for a write that changed nothing', async () => {
      await none(async () => expect(await gqlRefused(CREATE_ACTION, { input: { contract: 'NOPE', code: 'AUD-X', title: 'x', lead: null } }, admin)).toBe('BAD_USER_INPUT'));
      await none(async () => expect(await gqlRefused(CREATE_ACTION, { input: { contract: CONTRACT, code: 'AUD-1', title: 'doublon', lead: null } }, admin)).toBe('BAD_USER_INPUT'));
      await none(async () => expect(await gqlRefused(UPDATE_ACTION, { code: 'AUD-1', input: { title: 'x' } }, reader)).toBe('FORBIDDEN'));
      await none(async () => expect(await gqlRefused(UPDATE_ACTION, { code: 'AUD-1', input: { title: 'x' } }, editor)).toBe('FORBIDDEN'));
      await none(async () => expect(await gqlRefused(UPDATE_ACTION, { code: 'AUD-1', input: { title: 'x' } }, undefined)).toBe('UNAUTHENTICATED'));
      await none(async () => expect(await gqlRefused(SET_VALUE, { input: { contract: CONTRACT, indicator: 'AUD-IND', year: 2024, stage: 'ACTUAL', value: 'abc' } }, admin)).toBe('BAD_USER_INPUT'));
      await none(async () => expect(await gqlRefused(SAVE_REPORT, { name: 'bad name!', query: '{ contracts { code } }' }, admin)).toBe('BAD_USER_INPUT'));
      await none(async () => expect((await gql(DELETE_VALUE, { input: { contract: CONTRACT, indicator: 'AUD-IND', year: 1999, stage: 'ACTUAL' } }, admin)).deleteIndicatorValue).toBe(false));
      await none(async () => expect((await gql(DELETE_REPORT, { name: 'never-saved' }, admin)).deleteReport).toBe(false));
    });

    it('writes the audit row in the write’s transaction: one fails, both are gone', async () => {
      const actions = () => dataSource.query(`SELECT COUNT(*) AS n FROM action WHERE code = 'AUD-TX'`).then((rows) => Number(rows[0].n));
      const identity = { tokenId: admin.tokenId, name: admin.name, role: Role.ADMIN, organisationId: null };
      const input = { contract: CONTRACT, code: 'AUD-TX', title: 'Transaction', lead: DOUAISIS_AGGLO } as any;
      // The audit row is written, then the transaction fails: neither the action nor the row remains.
      await none(async () => {
        await expect(
          createAction({ dataSource, identity }, input, async (manager, action) => {
            await recordAudit(manager, identity, { action: 'ACTION_CREATE', target: { kind: 'action', id: action.id } });
            throw new Error('panne après l’audit');
          }),
        ).rejects.toThrow('panne après l’audit');
      });
      expect(await actions()).toBe(0);
      // The audit fails (no author): the action is not created either.
      await none(() => expect(createAction({ dataSource, identity }, input, (manager, action) => recordAudit(manager, null, { action: 'ACTION_CREATE', target: { kind: 'action', id: action.id } }))).rejects.toThrow(/sans auteur/));
      expect(await actions()).toBe(0);
    });
  });

  describe('imports over HTTP and GraphQL', () => {
    it('records preview, apply, rollback and abandon, each once, in the caller’s name', async () => {
      const { result: previewed } = await exactlyOne(() => upload(BDT_FILE, 'Banque des Territoires', true, editor), 'IMPORT_PREVIEW', editor, 'import_batch');
      expect(previewed.status).toBe(200);
      const id = previewed.body.batchId;
      const { result: applied, event } = await exactlyOne(() => post(`/api/imports/${id}/apply`, editor), 'IMPORT_APPLY', editor, 'import_batch');
      expect(applied.status).toBe(200);
      expect(event.targetId).toBe(String(id));
      expect(JSON.parse(event.detail!)).toMatchObject({ status: 'APPLIED', lines: 10 });
      await exactlyOne(() => post(`/api/imports/${id}/rollback`, editor), 'IMPORT_ROLLBACK', editor, 'import_batch');

      // Import and apply in one go, then GraphQL's rollback and apply.
      const { result: direct } = await exactlyOne(() => upload(BDT_FILE, 'Banque des Territoires', false, editor), 'IMPORT_APPLY', editor, 'import_batch');
      expect(direct.body.status).toBe('APPLIED');
      await exactlyOne(() => gql(ROLLBACK, { id: String(direct.body.batchId) }, admin), 'IMPORT_ROLLBACK', admin, 'import_batch');
      const { result: second } = await exactlyOne(() => upload(BDT_FILE, 'Banque des Territoires', true, admin), 'IMPORT_PREVIEW', admin, 'import_batch');
      const appliedByGraphQL = await exactlyOne(() => gql(APPLY, { id: String(second.body.batchId) }, admin), 'IMPORT_APPLY', admin, 'import_batch');
      expect(appliedByGraphQL.result.applyImport.status).toBe('APPLIED');

      const { result: third } = await exactlyOne(() => upload(BDT_FILE, 'Banque des Territoires', true, editor), 'IMPORT_PREVIEW', editor, 'import_batch');
      await exactlyOne(() => post(`/api/imports/${third.body.batchId}/abandon`, editor), 'IMPORT_ABANDON', editor, 'import_batch');
    });

    it('records nothing for a refused apply, rollback or abandon', async () => {
      const preview = await upload(BDT_FILE, 'Banque des Territoires', true, admin);
      const id = preview.body.batchId;
      await none(async () => expect((await post(`/api/imports/${id}/rollback`, admin)).status).toBe(409));
      await none(async () => expect(await gqlRefused(ROLLBACK, { id: String(id) }, admin)).toBe('CONFLICT'));
      await none(async () => expect((await post(`/api/imports/${id}/apply`, reader)).status).toBe(403));
      await post(`/api/imports/${id}/abandon`, admin);
      await none(async () => expect((await post(`/api/imports/${id}/abandon`, admin)).status).toBe(409));
      await none(async () => expect((await post(`/api/imports/${id}/apply`, admin)).status).toBe(409));
      // An editor uploading in another organisation's name: refused before anything is stored.
      await none(async () => expect((await upload(ADEME_FILE, 'ADEME', true, editor)).status).toBe(403));
    });
  });

  describe('command line', () => {
    it('records import, apply, rollback and token changes as the command line', async () => {
      const file = fixturePath(ADEME_FILE);
      await exactlyOne(() => quietly(() => runImportCommand(dataSource, [file, '--kind', 'annex3', '--source', 'ADEME', '--dry-run'])), 'IMPORT_PREVIEW', 'cli', 'import_batch');
      const previewId = (await dataSource.getRepository(ImportBatch).find({ order: { id: 'DESC' }, take: 1 }))[0].id;
      await exactlyOne(() => quietly(() => runApplyCommand(dataSource, [String(previewId)])), 'IMPORT_APPLY', 'cli', 'import_batch');
      await exactlyOne(() => quietly(() => runRollbackCommand(dataSource, [String(previewId)])), 'IMPORT_ROLLBACK', 'cli', 'import_batch');
      await exactlyOne(() => quietly(() => runImportCommand(dataSource, [file, '--kind', 'annex3', '--source', 'ADEME'])), 'IMPORT_APPLY', 'cli', 'import_batch');

      const silent = { out: () => undefined, err: () => undefined };
      const { event } = await exactlyOne(() => runTokenCommand(dataSource, ['create', '--role', 'reader', '--name', 'Jeton audité'], silent), 'TOKEN_CREATE', 'cli', 'api_token');
      expect(JSON.parse(event.detail!)).toEqual({ name: 'Jeton audité', role: 'reader', organisationId: null });
      expect(event.detail).not.toMatch(/crte_/);
      await exactlyOne(() => runTokenCommand(dataSource, ['revoke', event.targetId!], silent), 'TOKEN_REVOKE', 'cli', 'api_token');
      // Revoking again changes nothing and records nothing; a failed rollback neither.
      await none(() => runTokenCommand(dataSource, ['revoke', event.targetId!], silent));
      await none(() => expect(quietly(() => runRollbackCommand(dataSource, [String(previewId)]))).rejects.toThrow(/annulé/));
    });

    it('records a token revoked through GraphQL by an admin', async () => {
      const victim = await actor('À révoquer', Role.EDITOR, editor.organisationId);
      await exactlyOne(() => gql(REVOKE, { id: String(victim.tokenId) }, admin), 'TOKEN_REVOKE', admin, 'api_token');
    });
  });

  describe('auditEvents', () => {
    it('lists the trail to an admin, newest first, filtered and page after page', async () => {
      const all = await gql(AUDIT, { first: 500 }, admin);
      const total = await eventCount();
      expect(all.auditEvents.totalCount).toBe(total);
      const ids = all.auditEvents.nodes.map((node: { id: string }) => Number(node.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(all.auditEvents.nodes[0]).toMatchObject({ actorName: expect.any(String), actorRole: expect.any(String), occurredAt: expect.any(String) });

      const applies = await gql(AUDIT, { filter: { action: ['IMPORT_APPLY'] }, first: 2 }, admin);
      expect(applies.auditEvents.nodes).toHaveLength(2);
      expect(applies.auditEvents.pageInfo.hasNextPage).toBe(true);
      const next = await gql(AUDIT, { filter: { action: ['IMPORT_APPLY'] }, first: 500, after: applies.auditEvents.pageInfo.endCursor }, admin);
      expect(applies.auditEvents.totalCount).toBe(2 + next.auditEvents.nodes.length);
      expect(next.auditEvents.nodes.every((node: { action: string }) => node.action === 'IMPORT_APPLY')).toBe(true);

      const byEditor = await gql(AUDIT, { filter: { tokenId: editor.tokenId }, first: 500 }, admin);
      expect(byEditor.auditEvents.totalCount).toBeGreaterThan(0);
      expect(byEditor.auditEvents.nodes.every((node: { actorName: string }) => node.actorName === editor.name)).toBe(true);
      const future = await gql(AUDIT, { filter: { since: new Date(Date.now() + 3_600_000).toISOString() } }, admin);
      expect(future.auditEvents.totalCount).toBe(0);
    });

    it('refuses readers, editors and anonymous callers', async () => {
      expect(await gqlRefused(AUDIT, {}, reader)).toBe('FORBIDDEN');
      expect(await gqlRefused(AUDIT, {}, editor)).toBe('FORBIDDEN');
      expect(await gqlRefused(AUDIT, {}, undefined)).toBe('UNAUTHENTICATED');
    });
  });
});
