import { DataSource } from 'typeorm';
import { Role } from '../../src/kernel/role.enum';
import { createToken, hashToken } from '../../src/auth/token.service';
import { UsageError } from '../../src/cli/main';
import { runTokenCommand } from '../../src/cli/token.command';
import { Organisation } from '../../src/organisation/organisation.entity';
import { OrganisationAlias } from '../../src/organisation/organisation-alias.entity';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';
const DOUAISIS_AGGLO = '200044618';
const CCCO = '245901152';

const CREATE_ACTION = `mutation ($input: CreateActionInput!) { createAction(input: $input) { code lead { siren } } }`;
const UPDATE_ACTION = `mutation ($code: String!, $input: UpdateActionInput!) { updateAction(contract: "${CONTRACT}", code: $code, input: $input) { code title lead { siren } } }`;
const CREATE_INDICATOR = `mutation ($input: CreateIndicatorInput!) { createIndicator(input: $input) { code } }`;
const SET_VALUE = `mutation ($input: SetIndicatorValueInput!) { setIndicatorValue(input: $input) { code values { year value } } }`;
const READ = `{ contract(code: "${CONTRACT}") { code } }`;

/** Runs `crte token …` as the CLI does, capturing what it prints. */
async function tokenCommand(dataSource: DataSource, ...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCommand(dataSource, args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/** `crte token create …`: stdout holds the secret alone, on one line. */
async function cliToken(dataSource: DataSource, ...args: string[]): Promise<string> {
  const { code, out, err } = await tokenCommand(dataSource, 'create', ...args);
  expect(code).toBe(0);
  expect(out).toHaveLength(1);
  expect(out[0]).toMatch(/^crte_[A-Za-z0-9_-]{32}$/);
  expect(err.join('\n')).not.toContain(out[0]);
  return out[0];
}

describe(`tokens and authorisation on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  const secrets: Record<'admin' | 'editorDa' | 'editorCcco' | 'reader', string> = { admin: '', editorDa: '', editorCcco: '', reader: '' };

  const count = async (table: string) => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const actionInput = (code: string, lead: string | null, extra: Record<string, unknown> = {}) => ({ contract: CONTRACT, code, title: `Action ${code}`, lead, ...extra });

  async function allowed(query: string, variables: Record<string, unknown>, token: string | undefined) {
    const { status, body } = await api.graphql(query, variables, token);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data;
  }

  /** Refused with `code`, and nothing in the written tables changed. */
  async function refused(query: string, variables: Record<string, unknown>, token: string | undefined, code: string, message?: RegExp) {
    const before = await Promise.all(['action', 'action_commune', 'indicator', 'indicator_value'].map(count));
    const { body } = await api.graphql(query, variables, token);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions.code).toBe(code);
    if (message) expect(body.errors![0].message).toMatch(message);
    expect(await Promise.all(['action', 'action_commune', 'indicator', 'indicator_value'].map(count))).toEqual(before);
    return body.errors![0];
  }

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
  });
  afterAll(async () => api?.close());

  describe('crte token', () => {
    it('creates tokens, resolving the organisation by short name, SIREN, name or alias', async () => {
      secrets.admin = await cliToken(dataSource, '--role', 'admin', '--name', 'Sous-préfecture');
      secrets.editorDa = await cliToken(dataSource, '--role=editor', '--organisation', 'Douaisis Agglo');
      secrets.editorCcco = await cliToken(dataSource, '--role', 'editor', '--organisation', 'ccco');
      secrets.reader = await cliToken(dataSource, '--role', 'reader', '--organisation', DOUAISIS_AGGLO, '--name', 'Power BI');
      const rows = await dataSource.query(
        `SELECT t.name, t.role, o.siren FROM api_token t LEFT JOIN organisation o ON o.id = t.organisation_id ORDER BY t.id`,
      );
      expect(rows.map((row: Record<string, unknown>) => ({ ...row }))).toEqual([
        { name: 'Sous-préfecture', role: 'admin', siren: null },
        { name: 'jeton editor – Douaisis Agglo', role: 'editor', siren: DOUAISIS_AGGLO },
        { name: expect.stringMatching(/^jeton editor – /), role: 'editor', siren: CCCO },
        { name: 'Power BI', role: 'reader', siren: DOUAISIS_AGGLO },
      ]);
      const { out } = await tokenCommand(dataSource, 'create', '--role', 'reader', '--organisation', 'CA Douaisis Agglo');
      expect(out).toHaveLength(1);
    });

    it('refuses an unknown or ambiguous organisation and an editor without one, creating nothing', async () => {
      const before = await count('api_token');
      await expect(tokenCommand(dataSource, 'create', '--role', 'editor', '--organisation', 'Mairie de Nulle-Part')).rejects.toThrow(
        /Organisation inconnue : « Mairie de Nulle-Part »/,
      );
      await expect(tokenCommand(dataSource, 'create', '--role', 'editor')).rejects.toBeInstanceOf(UsageError);
      await expect(tokenCommand(dataSource, 'create', '--role', 'superuser')).rejects.toBeInstanceOf(UsageError);
      // Two organisations known by one spelling: the command names both rather than guess.
      const now = new Date();
      const other = await dataSource.getRepository(Organisation).save({ name: 'Centre culturel du Cœur d’Ostrevent', kind: OrganisationKind.ASSOCIATION, createdAt: now, updatedAt: now });
      await dataSource.getRepository(OrganisationAlias).save({ organisationId: other.id, contractId: null, alias: 'CCCO', normalised: 'ccco' });
      await expect(tokenCommand(dataSource, 'create', '--role', 'editor', '--organisation', 'CCCO')).rejects.toThrow(
        /« CCCO » désigne plusieurs organisations : .*SIREN 245901152.*Centre culturel/,
      );
      expect(await count('api_token')).toBe(before);
    });

    it('lists tokens without their hash nor secret, and revokes one', async () => {
      const { code, out } = await tokenCommand(dataSource, 'list');
      expect(code).toBe(0);
      expect(out[0]).toMatch(/^ID\s+NOM\s+RÔLE\s+ORGANISATION\s+PRÉFIXE\s+CRÉÉ LE/);
      expect(out).toHaveLength(6);
      expect(out[2]).toMatch(/^2\s+jeton editor – Douaisis Agglo\s+editor\s+Douaisis Agglo\s+crte_\S+…\s+\d{4}-\d{2}-\d{2} /);
      const hashes = (await dataSource.query(`SELECT token_hash FROM api_token`)).map((row: { token_hash: string }) => row.token_hash);
      for (const text of [...hashes, ...Object.values(secrets)]) expect(out.join('\n')).not.toContain(text);

      const revoked = await cliToken(dataSource, '--role', 'admin', '--name', 'à révoquer');
      expect((await api.graphql(READ, {}, revoked)).status).toBe(200);
      const [{ id }] = await dataSource.query(`SELECT id FROM api_token WHERE name = ?`, ['à révoquer']);
      const result = await tokenCommand(dataSource, 'revoke', String(id));
      expect(result).toMatchObject({ code: 0, out: [] });
      expect(result.err[0]).toMatch(/révoqué/);
      const after = await api.graphql(CREATE_ACTION, { input: actionInput('REV-1', DOUAISIS_AGGLO) }, revoked);
      expect(after.status).toBe(401);
      expect(after.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      expect((await tokenCommand(dataSource, 'list')).out.find((line) => line.includes('à révoquer'))).toMatch(/\d{2}:\d{2}:\d{2} UTC\s*$/);
      await expect(tokenCommand(dataSource, 'revoke', '9999')).rejects.toThrow(/Aucun jeton n° 9999/);
    });

    it('stores only the hash: no row of api_token contains a secret', async () => {
      const rows: Record<string, unknown>[] = await dataSource.query(`SELECT * FROM api_token`);
      expect(rows.length).toBeGreaterThanOrEqual(5);
      const cells = rows.flatMap((row) => Object.values(row).map((value) => (value instanceof Date ? value.toISOString() : String(value))));
      for (const secret of Object.values(secrets)) {
        expect(cells.some((cell) => cell.includes(secret))).toBe(false);
        expect(cells.filter((cell) => cell === hashToken(secret))).toHaveLength(1);
      }
    });
  });

  describe('writes', () => {
    it('refuses an anonymous write, a bad token and a reader', async () => {
      await refused(CREATE_ACTION, { input: actionInput('ANON-1', DOUAISIS_AGGLO) }, undefined, 'UNAUTHENTICATED', /Un jeton d'accès est requis pour modifier les données/);
      const bad = await api.graphql(CREATE_ACTION, { input: actionInput('BAD-1', DOUAISIS_AGGLO) }, 'crte_not-a-real-token');
      expect(bad.status).toBe(401);
      expect(bad.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      await refused(CREATE_ACTION, { input: actionInput('READ-1', DOUAISIS_AGGLO) }, secrets.reader, 'FORBIDDEN', /lecture seule/);
      // Reads stay open to anonymous users by default.
      await allowed(READ, {}, undefined);
    });

    it('lets an editor create and update only the actions its organisation leads', async () => {
      const created = await allowed(CREATE_ACTION, { input: actionInput('DA-70', DOUAISIS_AGGLO) }, secrets.editorDa);
      expect(created.createAction).toEqual({ code: 'DA-70', lead: { siren: DOUAISIS_AGGLO } });
      await allowed(UPDATE_ACTION, { code: 'DA-70', input: { title: 'Voie verte de la Scarpe' } }, secrets.editorDa);

      await refused(CREATE_ACTION, { input: actionInput('CCCO-70', CCCO) }, secrets.editorDa, 'FORBIDDEN', /maître d.ouvrage indiqué \(lead\) est Coeur d'Ostrevent/);
      await refused(CREATE_ACTION, { input: actionInput('NONE-70', null) }, secrets.editorDa, 'FORBIDDEN', /indiquez votre organisation/);

      await allowed(CREATE_ACTION, { input: actionInput('CCCO-70', CCCO) }, secrets.editorCcco);
      await refused(UPDATE_ACTION, { code: 'CCCO-70', input: { title: 'Repris par DA' } }, secrets.editorDa, 'FORBIDDEN', /l’action CCCO-70 a pour maître d’ouvrage/);
      // Even a bad input to someone else's action is answered FORBIDDEN, not with details.
      await refused(UPDATE_ACTION, { code: 'CCCO-70', input: { totalCost: '-1' } }, secrets.editorDa, 'FORBIDDEN');
      await refused(UPDATE_ACTION, { code: 'DA-70', input: { lead: CCCO } }, secrets.editorDa, 'FORBIDDEN', /ne peut pas être confiée à un autre maître d’ouvrage/);
      await refused(UPDATE_ACTION, { code: 'DA-70', input: { lead: null } }, secrets.editorDa, 'FORBIDDEN');
      await refused(UPDATE_ACTION, { code: 'DA-70', input: { lead: 'x' } }, secrets.reader, 'FORBIDDEN');

      const [row] = await dataSource.query(`SELECT a.title, o.siren FROM action a JOIN organisation o ON o.id = a.lead_id WHERE a.code = ?`, ['DA-70']);
      expect({ ...row }).toEqual({ title: 'Voie verte de la Scarpe', siren: DOUAISIS_AGGLO });
    });

    it('lets an editor manage the indicators of its own actions only; orientation indicators are for admins', async () => {
      const indicator = (code: string, owner: Record<string, unknown>) => ({ input: { contract: CONTRACT, code, name: 'Longueur', unit: 'km', ...owner } });
      await allowed(CREATE_INDICATOR, indicator('IND-DA', { action: 'DA-70' }), secrets.editorDa);
      await allowed(SET_VALUE, { input: { contract: CONTRACT, indicator: 'IND-DA', year: 2024, stage: 'ACTUAL', value: '3.5' } }, secrets.editorDa);
      await refused(CREATE_INDICATOR, indicator('IND-CC', { action: 'CCCO-70' }), secrets.editorDa, 'FORBIDDEN', /l’indicateur suivrait l’action CCCO-70/);
      await refused(CREATE_INDICATOR, indicator('IND-OR', { orientation: '1.2' }), secrets.editorDa, 'FORBIDDEN', /Réservé aux administrateurs/);
      await allowed(CREATE_INDICATOR, indicator('IND-CC', { action: 'CCCO-70' }), secrets.editorCcco);
      await refused(SET_VALUE, { input: { contract: CONTRACT, indicator: 'IND-CC', year: 2024, stage: 'ACTUAL', value: '1' } }, secrets.editorDa, 'FORBIDDEN');
      await refused(
        `mutation { updateIndicator(contract: "${CONTRACT}", code: "IND-DA", input: { action: "CCCO-70" }) { code } }`,
        {},
        secrets.editorDa,
        'FORBIDDEN',
      );
      await refused(SET_VALUE, { input: { contract: CONTRACT, indicator: 'IND-DA', year: 2024, stage: 'ACTUAL', value: '9' } }, undefined, 'UNAUTHENTICATED');
      await refused(SET_VALUE, { input: { contract: CONTRACT, indicator: 'IND-DA', year: 2024, stage: 'ACTUAL', value: '9' } }, secrets.reader, 'FORBIDDEN');
    });

    it('lets an admin do anything', async () => {
      await allowed(CREATE_ACTION, { input: actionInput('ADM-1', null) }, secrets.admin);
      const moved = await allowed(UPDATE_ACTION, { code: 'DA-70', input: { lead: CCCO } }, secrets.admin);
      expect(moved.updateAction.lead).toEqual({ siren: CCCO });
      await allowed(UPDATE_ACTION, { code: 'CCCO-70', input: { title: 'Repris' } }, secrets.admin);
      await allowed(CREATE_INDICATOR, { input: { contract: CONTRACT, code: 'IND-OR', name: 'Part modale vélo', unit: '%', orientation: '1.2' } }, secrets.admin);
      await allowed(SET_VALUE, { input: { contract: CONTRACT, indicator: 'IND-OR', year: 2026, stage: 'TARGET', value: '8' } }, secrets.admin);
      // Its lead moved to CCCO: Douaisis Agglo's editor has lost the action.
      await refused(UPDATE_ACTION, { code: 'DA-70', input: { title: 'x' } }, secrets.editorDa, 'FORBIDDEN');
      await allowed(UPDATE_ACTION, { code: 'DA-70', input: { title: 'Voie verte (CCCO)' } }, secrets.editorCcco);
    });
  });

  describe('READ_REQUIRES_TOKEN=true', () => {
    let closed: TestServer;
    let reader: string;

    beforeAll(async () => {
      closed = await startTestServer({
        config: { readRequiresToken: true },
        prepare: async (db) => {
          await seedReferenceData(db.dataSource);
          reader = (await createToken(db.dataSource, { name: 'BI', role: Role.READER, organisationId: null })).secret;
        },
      });
    });
    afterAll(async () => closed?.close());

    it('refuses an anonymous query and accepts a reader token', async () => {
      const anonymous = await closed.graphql(READ);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(anonymous.body.data ?? null).toBeNull();
      const read = await closed.graphql(READ, {}, reader);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ data: { contract: { code: CONTRACT } } });
      // Reading is not writing.
      const write = await closed.graphql(CREATE_ACTION, { input: actionInput('R-1', null) }, reader);
      expect(write.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
    });
  });
});
