import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { Role } from '../../src/auth/role.enum';
import { createToken } from '../../src/auth/token.service';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

/**
 * Issue 13, point 2: an import writes only what its sender may write. Who leads an existing action is the
 * contract's (the database's), never the file's « Maître d'ouvrage » cell; an editor declares lines only on
 * the actions its organisation leads (any funder) or as the funder itself (any action). The attacks are
 * replayed through the real HTTP server with Douaisis Agglo's editor token.
 */
const HEADER = "N° action;Intitulé de l'action;Maître d'ouvrage;Orientation CRTE;Statut;Coût total HT;Financeur;Année;Montant demandé";
const STAGES_HEADER = "N° action;Intitulé de l'action;Maître d'ouvrage;Orientation CRTE;Statut;Coût total HT;Financeur;Année;Montant attribué;Montant payé";
const csv = (header: string, ...rows: string[]) => Buffer.from(`${header}\r\n${rows.join('\r\n')}\r\n`, 'utf8');

/** The contract before the attacks: CCCO-99 led by Cœur d'Ostrevent, DA-99 by Douaisis Agglo (sent by an admin). */
const SETUP = csv(
  HEADER,
  "CCCO-99;Médiathèque de Somain;Cœur d'Ostrevent;3.2;En cours;2000000;Cœur d'Ostrevent;2025;500000",
  'DA-99;Piscine de Douai;Douaisis Agglo;2.2;En cours;3000000;Douaisis Agglo;2025;1000000',
);
/** Attack 1, as the issue quotes it: the file says Douaisis Agglo leads CCCO-99, and rewrites it. */
const REWRITE = csv(HEADER, 'CCCO-99;PIRATÉ;Douaisis Agglo;1.1;Abandonné;1;ADEME;2025;1');
/** Attack 1 without a refused line: only Douaisis Agglo's own euro, so the file passes and the fields must still stay. */
const REWRITE_OWN_LINE = csv(HEADER, 'CCCO-99;PIRATÉ;Douaisis Agglo;1.1;Abandonné;1;Douaisis Agglo;2025;1');
/** Attack 2: 9 M€ granted and paid by the State on a CCCO action. */
const STATE_MILLIONS = csv(STAGES_HEADER, "CCCO-99;Médiathèque de Somain;Cœur d'Ostrevent;3.2;En cours;2000000;État;2025;9000000;9000000");
/** Attack 3: 7 M€ for the Banque des Territoires on an invented action. */
const INVENTED = csv(HEADER, "CCCO-INV;Projet inventé;Cœur d'Ostrevent;2.2;En cours;7000000;Banque des Territoires;2025;7000000");

describe(`an import writes only what its sender may write, on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  const tokens = { admin: '', editorDa: '', editorAdeme: '' };

  async function upload(file: Buffer, source: string, token: string, fields: Record<string, string> = {}, name = 'tableau.csv') {
    const form = new FormData();
    form.append('file', new Blob([file]), name);
    form.append('kind', 'annex3');
    form.append('source', source);
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  }

  /** What an attack could change: actions, current lines and their sums, organisations. */
  async function snapshot() {
    const actions = await dataSource.query('SELECT code, title, status, total_cost, orientation_id, lead_id FROM action ORDER BY code');
    const [fundings] = await dataSource.query(
      'SELECT COUNT(*) AS n, COALESCE(SUM(CAST(ROUND(amount * 100) AS SIGNED)), 0) AS cents FROM funding WHERE superseded_at IS NULL'.replace('SIGNED', TEST_DATABASE_TYPE === 'sqlite' ? 'INTEGER' : 'SIGNED'),
    );
    const [organisations] = await dataSource.query('SELECT COUNT(*) AS n FROM organisation');
    return {
      actions: actions.map((a: any) => ({ ...a, total_cost: a.total_cost === null ? null : Number(a.total_cost).toFixed(2) })),
      fundings: [Number(fundings.n), String(fundings.cents)],
      organisations: Number(organisations.n),
    };
  }

  /** The report lists issues errors first, then by sheet and cell. */
  const issuesOf = (body: any, code: string) => body.issues.filter((issue: any) => issue.code === code).map((issue: any) => [issue.severity, issue.cell]);
  const action = async (code: string) => (await dataSource.query('SELECT code, title, status, total_cost, orientation_id, lead_id FROM action WHERE code = ?', [code]))[0];

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    const organisations = dataSource.getRepository(Organisation);
    const da = await organisations.findOneByOrFail({ siren: '200044618' });
    const ademe = await organisations.findOneByOrFail({ shortName: 'ADEME' });
    tokens.admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.admin, organisationId: null })).secret;
    tokens.editorDa = (await createToken(dataSource, { name: 'Service finances DA', role: Role.editor, organisationId: da.id })).secret;
    tokens.editorAdeme = (await createToken(dataSource, { name: 'ADEME HDF', role: Role.editor, organisationId: ademe.id })).secret;
    // The contract's two actions, each led by its EPCI (an admin imports for the contract's team).
    const setup = await upload(SETUP, 'Douaisis Agglo', tokens.admin);
    expect(setup.body.issues.filter((i: any) => i.severity === 'ERROR')).toEqual([]);
    expect(setup.body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 } });
  });
  afterAll(async () => api?.close());

  describe('the attacks of Douaisis Agglo’s editor change nothing, and each issue names its cell', () => {
    it('attack 1: rewriting the CCCO action’s title, status, cost and orientation through the file’s « Maître d’ouvrage »', async () => {
      const before = await snapshot();
      const { status, body } = await upload(REWRITE, 'Douaisis Agglo', tokens.editorDa);
      expect(status).toBe(422);
      expect(body.status).toBe('REJECTED');
      // ADEME's euro on a CCCO action is not Douaisis Agglo's to declare.
      expect(issuesOf(body, 'FUNDING_NOT_ALLOWED')).toEqual([['ERROR', 'I2']]);
      // Each field the file would change, at its cell, and the lead it claims.
      expect(issuesOf(body, 'ACTION_DIFFERS')).toEqual([
        ['WARNING', 'B2'],
        ['WARNING', 'C2'],
        ['WARNING', 'D2'],
        ['WARNING', 'E2'],
        ['WARNING', 'F2'],
      ]);
      expect(await snapshot()).toEqual(before);

      // Without the refused line the file passes, and the action is still CCCO's as it was.
      const own = await upload(REWRITE_OWN_LINE, 'Douaisis Agglo', tokens.editorDa);
      expect(own.body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 } });
      expect(issuesOf(own.body, 'ACTION_DIFFERS')).toHaveLength(5);
      expect((await snapshot()).actions).toEqual(before.actions);
    });

    it('attack 2: 9 M€ granted and paid by the State on a CCCO action', async () => {
      const before = await snapshot();
      const { status, body } = await upload(STATE_MILLIONS, 'Douaisis Agglo', tokens.editorDa);
      expect(status).toBe(422);
      expect(issuesOf(body, 'FUNDING_NOT_ALLOWED')).toEqual([
        ['ERROR', 'I2'],
        ['ERROR', 'J2'],
      ]);
      expect(body.issues.find((issue: any) => issue.cell === 'I2').message).toMatch(/^Douaisis Agglo ne peut pas déclarer ce montant \(financeur : État\) sur l'action CCCO-99, dont le maître d'ouvrage est Coeur d'Ostrevent/);
      expect(await snapshot()).toEqual(before);
    });

    it('attack 3: 7 M€ for the Banque des Territoires on an invented action said to be CCCO’s', async () => {
      const before = await snapshot();
      const { status, body } = await upload(INVENTED, 'Douaisis Agglo', tokens.editorDa);
      expect(status).toBe(422);
      expect(issuesOf(body, 'ACTION_LEAD_REFUSED')).toEqual([['WARNING', 'C2']]);
      expect(issuesOf(body, 'FUNDING_NOT_ALLOWED')).toEqual([['ERROR', 'I2']]);
      expect(await snapshot()).toEqual(before);
    });

    it('a stored preview is applied with its sender’s rights, even partially and by an admin', async () => {
      const before = await snapshot();
      const preview = await upload(STATE_MILLIONS, 'Douaisis Agglo', tokens.editorDa, { dryRun: 'true' });
      expect(preview.body.status).toBe('REJECTED');
      for (const token of [tokens.editorDa, tokens.admin]) {
        const response = await fetch(`${base}/api/imports/${preview.body.batchId}/apply?allowPartial=true`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
        const body = (await response.json()) as any;
        if (response.status === 200) {
          // The refused row is left out: nothing of it is written.
          expect(body.applied).toMatchObject({ inserted: 0, updatedActions: 0, createdActions: 0 });
        } else {
          // Applied already by the first request.
          expect([400, 409]).toContain(response.status);
        }
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('what a sender may do still passes', () => {
    it('Douaisis Agglo’s editor, on its own action, for any funder: the State, the Banque des Territoires; its fields too', async () => {
      const { status, body } = await upload(
        csv(STAGES_HEADER, 'DA-99;Piscine Beuvry-Douai;Douaisis Agglo;2.2;En cours;3200000;État;2025;900000;450000', 'DA-99;Piscine Beuvry-Douai;Douaisis Agglo;2.2;En cours;3200000;Banque des Territoires;2025;700000;'),
        'Douaisis Agglo',
        tokens.editorDa,
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'APPLIED', counts: { errors: 0, lines: 3 }, applied: { inserted: 3, updatedActions: 1 } });
      expect(await action('DA-99')).toMatchObject({ title: 'Piscine Beuvry-Douai' });
    });

    it('ADEME’s editor, as the funder, on a CCCO action: its line counts, the action stays as CCCO declared it', async () => {
      const before = await action('CCCO-99');
      const { status, body } = await upload(csv(HEADER, 'CCCO-99;Médiathèque (ADEME);Ademe;3.2;En cours;2000000;ADEME;2025;250000'), 'ADEME', tokens.editorAdeme);
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 }, applied: { inserted: 1, updatedActions: 0 } });
      expect(issuesOf(body, 'ACTION_DIFFERS')).toEqual([
        ['WARNING', 'B2'],
        ['WARNING', 'C2'],
      ]);
      expect(await action('CCCO-99')).toEqual(before);
    });

    it('Douaisis Agglo’s own annex 3: its editor declares its actions; the Ville de Douai’s actions are for Douai or the contract’s team', async () => {
      const file = readFileSync(fixturePath('annexe3-douaisis-agglo-2022.xlsx'));
      const asEditor = await upload(file, 'Douaisis Agglo', tokens.editorDa, { dryRun: 'true' }, 'da.xlsx');
      expect(asEditor.body.status).toBe('REJECTED');
      // DOU-03, DOU-05 and DA-22 are said to be led by the Ville de Douai: not Douaisis Agglo's to create
      // (row 3, 4, 5), nor to fund with anybody else's money; DA-01, DA-30 and DA-31 are its own.
      expect(issuesOf(asEditor.body, 'ACTION_LEAD_REFUSED')).toEqual([
        ['WARNING', 'D3'],
        ['WARNING', 'D4'],
        ['WARNING', 'D5'],
      ]);
      expect(issuesOf(asEditor.body, 'FUNDING_NOT_ALLOWED')).toEqual([
        ['ERROR', 'I3'],
        ['ERROR', 'M3'],
        ['ERROR', 'J4'],
        ['ERROR', 'K4'],
        ['ERROR', 'M4'],
        ['ERROR', 'O4'],
        ['ERROR', 'O5'],
      ]);
      expect(asEditor.body.counts).toMatchObject({ errors: 7, lines: 7 });
      expect(asEditor.body.total).toBe('16000000.00');
      // The same file sent by the contract's team: every line, as the fixture's README says.
      const asAdmin = await upload(file, 'Douaisis Agglo', tokens.admin, { dryRun: 'true' }, 'da.xlsx');
      expect(asAdmin.body).toMatchObject({ status: 'PREVIEWED', total: '19650000.00', counts: { errors: 0, lines: 14 } });
    });

    it('an admin, importing for the contract’s team, may declare every line; the fields still follow the action’s lead', async () => {
      const ccco = await action('CCCO-99');
      for (const file of [REWRITE, STATE_MILLIONS, INVENTED]) {
        const { status, body } = await upload(file, 'Douaisis Agglo', tokens.admin);
        expect(status).toBe(200);
        expect(body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 } });
      }
      expect(await action('CCCO-99')).toEqual(ccco);
      const invented = await action('CCCO-INV');
      expect(Number(invented.lead_id)).toBe(Number(ccco.lead_id));
    });
  });
});
