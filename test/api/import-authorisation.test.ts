import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { Role } from '../../src/kernel/role.enum';
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
  const tokens = { admin: '', editorDa: '', editorAdeme: '', editorState: '' };

  async function upload(file: Buffer, source: string, token: string, fields: Record<string, string> = {}, name = 'tableau.csv') {
    const form = new FormData();
    form.append('file', new Blob([file]), name);
    if (!('kind' in fields)) form.append('kind', 'annex3');
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

  /** The preview lists issues errors first, then by sheet and cell. */
  const issuesOf = (body: any, code: string) => body.issues.filter((issue: any) => issue.code === code).map((issue: any) => [issue.severity, issue.cell]);
  const action = async (code: string) => (await dataSource.query('SELECT code, title, status, total_cost, orientation_id, lead_id FROM action WHERE code = ?', [code]))[0];

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    const organisations = dataSource.getRepository(Organisation);
    const da = await organisations.findOneByOrFail({ siren: '200044618' });
    const ademe = await organisations.findOneByOrFail({ shortName: 'ADEME' });
    const state = await organisations.findOneByOrFail({ name: 'État' });
    tokens.admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    tokens.editorDa = (await createToken(dataSource, { name: 'Service finances DA', role: Role.EDITOR, organisationId: da.id })).secret;
    tokens.editorAdeme = (await createToken(dataSource, { name: 'ADEME HDF', role: Role.EDITOR, organisationId: ademe.id })).secret;
    tokens.editorState = (await createToken(dataSource, { name: 'Préfecture, bureau du financement', role: Role.EDITOR, organisationId: state.id })).secret;
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

  describe('indicators: an editor sets only the indicators of the actions its organisation leads, as setIndicatorValue', () => {
    const INDICATORS = 'Code action;Orientation;Code indicateur;Indicateur;Unité;Année;Valeur';
    const values = async () =>
      (
        await dataSource.query(
          'SELECT i.code, i.name, i.action_id, i.orientation_id, v.year, v.stage, v.value FROM indicator i LEFT JOIN indicator_value v ON v.indicator_id = i.id ORDER BY i.code, v.year, v.stage',
        )
      ).map((row: any) => ({ ...row, value: row.value === null ? null : Number(row.value).toString() }));
    const indicators = (file: Buffer, source: string, token: string, fields: Record<string, string> = {}) => upload(file, source, token, { kind: 'indicators', ...fields });

    beforeAll(async () => {
      // One indicator per owner: a CCCO action's, a DA action's, an orientation's (sent by an admin).
      const setup = await indicators(
        csv(
          INDICATORS,
          'CCCO-99;;CCCO-99-VISITES;Visiteurs de la médiathèque;visiteurs;2024;1000',
          'DA-99;;DA-99-ENTREES;Entrées à la piscine;entrées;2024;5000',
          ';3.2;OR-32-LIEUX;Lieux culturels ouverts;lieux;2024;3',
        ),
        'Douaisis Agglo',
        tokens.admin,
      );
      expect(setup.body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 } });
    });

    it('Douaisis Agglo’s editor cannot set values on a CCCO action’s indicator, even by naming its own action, nor on an orientation’s, nor create one on a CCCO action', async () => {
      const before = await values();
      const { status, body } = await indicators(
        csv(
          INDICATORS,
          'CCCO-99;;CCCO-99-VISITES;Visiteurs;visiteurs;2024;999999',
          // The file says DA-99, the contract says CCCO-99: the contract's owner decides.
          'DA-99;;CCCO-99-VISITES;Visiteurs;visiteurs;2025;999999',
          ';3.2;OR-32-LIEUX;Lieux culturels ouverts;lieux;2024;0',
          'CCCO-99;;CCCO-99-NOUVEAU;Prêts de livres;prêts;2024;1',
        ),
        'Douaisis Agglo',
        tokens.editorDa,
      );
      expect(status).toBe(422);
      expect(issuesOf(body, 'INDICATOR_NOT_ALLOWED')).toEqual([
        ['ERROR', 'D2'],
        ['ERROR', 'D4'],
        ['ERROR', 'D5'],
      ]);
      expect(body.issues.find((issue: any) => issue.cell === 'D2').message).toMatch(
        /^Douaisis Agglo ne peut pas renseigner l'indicateur CCCO-99-VISITES : il suit l'action CCCO-99, dont le maître d'ouvrage est Coeur d'Ostrevent\./,
      );
      expect(body.issues.find((issue: any) => issue.cell === 'D4').message).toContain("il suit l'orientation 3.2");
      expect(await values()).toEqual(before);
      // Applied partially, the refused indicators are left out whole.
      const partial = await indicators(csv(INDICATORS, 'CCCO-99;;CCCO-99-VISITES;Visiteurs;visiteurs;2024;999999'), 'Douaisis Agglo', tokens.editorDa, { allowPartial: 'true' });
      expect(partial.body).toMatchObject({ status: 'APPLIED', applied: { indicators: 0, indicatorValues: 0 } });
      expect(await values()).toEqual(before);
    });

    it('its own action’s indicators pass; an admin sets any', async () => {
      const own = await indicators(csv(INDICATORS, 'DA-99;;DA-99-ENTREES;Entrées à la piscine;entrées;2025;5200'), 'Douaisis Agglo', tokens.editorDa);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 }, applied: { indicators: 1, indicatorValues: 1 } });
      const admin = await indicators(
        csv(INDICATORS, 'CCCO-99;;CCCO-99-VISITES;Visiteurs de la médiathèque;visiteurs;2025;1100', ';3.2;OR-32-LIEUX;Lieux culturels ouverts;lieux;2025;4'),
        'Douaisis Agglo',
        tokens.admin,
      );
      expect(admin.body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 }, applied: { indicators: 2, indicatorValues: 2 } });
      const after = await values();
      expect(after.filter((row: any) => row.year === 2025).map((row: any) => [row.code, row.value])).toEqual([
        ['CCCO-99-VISITES', '1100'],
        ['DA-99-ENTREES', '5200'],
        ['OR-32-LIEUX', '4'],
      ]);
    });
  });

  describe('the State’s figures (annex 2, dotations, grants lists): the contract’s team or the State itself', () => {
    const fixture = (name: string) => readFileSync(fixturePath(name));
    const batches = async () => Number((await dataSource.query('SELECT COUNT(*) AS n FROM import_batch'))[0].n);
    const measures = async () => Number((await dataSource.query('SELECT COUNT(*) AS n FROM relance_measure'))[0].n);
    /** A State grants list of two projects in the perimeter (Douai, Somain). */
    const GRANTS = csv('annee;dotation;id_terr;nom_terr;objet;cout_total;montant_sub', '2022;DETR;59178;Douai;Rénovation de la salle des sports;400000;120000', '2022;DSIL;59574;Somain;Toiture de l’école;200000;80000');

    it('Douaisis Agglo’s editor is refused at upload, in French, whatever the file: nothing is stored', async () => {
      const before = { snapshot: await snapshot(), batches: await batches(), measures: await measures() };
      for (const [kind, file, name] of [
        ['annex2', fixture('annexe2-bilan-plan-de-relance-douaisis.xlsx'), 'annexe2.xlsx'],
        ['dotations', fixture('dotations-detr-dsil-fnadt-2017-2021.xlsx'), 'dotations.xlsx'],
        ['grants', GRANTS, 'subventions.csv'],
      ] as const) {
        const { status, body } = await upload(file, 'Douaisis Agglo', tokens.editorDa, { kind }, name);
        expect([kind, status]).toEqual([kind, 403]);
        expect(body.field).toBe('kind');
        expect(body.error).toMatch(/donne des chiffres de l'État : seuls l'équipe du contrat \(un jeton administrateur\) et l'État lui-même peuvent déposer ce fichier, pas le jeton « Service finances DA » de Douaisis Agglo\./);
      }
      expect({ snapshot: await snapshot(), batches: await batches(), measures: await measures() }).toEqual(before);
    });

    it('the State’s editor and an admin read the same reports of the State’s files', async () => {
      for (const [kind, file, name] of [
        ['annex2', fixture('annexe2-bilan-plan-de-relance-douaisis.xlsx'), 'annexe2.xlsx'],
        ['dotations', fixture('dotations-detr-dsil-fnadt-2017-2021.xlsx'), 'dotations.xlsx'],
        ['grants', GRANTS, 'subventions.csv'],
      ] as const) {
        const reports = [];
        for (const token of [tokens.editorState, tokens.admin]) {
          const { status, body } = await upload(file, 'État', token, { kind, dryRun: 'true' }, name);
          expect([kind, status]).toEqual([kind, body.status === 'PREVIEWED' ? 200 : 422]);
          // A grants list names each project's beneficiary as its lead: the State's editor cannot give an
          // action to a commune (as createAction), so its projects are created to classify (a warning each).
          const codes = body.issues.map((issue: any) => issue.code).filter((code: string) => code !== 'ACTION_LEAD_REFUSED');
          reports.push({ status: body.status, counts: { ...body.counts, warnings: body.counts.warnings - (body.issues.length - codes.length) }, total: body.total, codes });
          if (kind === 'grants') expect(issuesOf(body, 'ACTION_LEAD_REFUSED')).toEqual(token === tokens.admin ? [] : [['WARNING', 'C2'], ['WARNING', 'C3']]);
        }
        expect(reports[0]).toEqual(reports[1]);
        if (kind === 'dotations') expect(reports[0]).toMatchObject({ status: 'PREVIEWED', total: '22794044.74', counts: { lines: 30, errors: 0 } });
      }
    });

    it('a dotations line is the funder’s: the State’s editor cannot declare the Région’s FEDER (at the cell), an admin may', async () => {
      const file = csv('Année;Dispositif;Territoire de Douaisis Agglo;Territoire de Coeur d’Ostrevent', '2021;DETR;100000;50000', '2021;FEDER;20000;');
      const state = await upload(file, 'État', tokens.editorState, { kind: 'dotations', dryRun: 'true' });
      expect(state.status).toBe(422);
      expect(issuesOf(state.body, 'FUNDING_NOT_ALLOWED')).toEqual([['ERROR', 'C3']]);
      expect(state.body.issues.find((issue: any) => issue.code === 'FUNDING_NOT_ALLOWED').message).toMatch(/^État ne peut pas déclarer ce montant \(financeur : Région Hauts-de-France\) hors de toute action/);
      const admin = await upload(file, 'État', tokens.admin, { kind: 'dotations', dryRun: 'true' });
      expect(admin.body).toMatchObject({ status: 'PREVIEWED', total: '170000.00', counts: { errors: 0, lines: 3 } });
    });
  });

  describe('an existing action without a lead (to classify): an admin’s file classifies it, an editor’s does not claim it', () => {
    const CLASSIFY = csv(HEADER, 'CLASS-01;Friche Dorignies;Douaisis Agglo;2.2;En cours;500000;Douaisis Agglo;2025;1000');

    beforeAll(async () => {
      // Sent by an admin for the State, with no lead: created to classify.
      const setup = await upload(csv(HEADER, 'CLASS-01;Friche;;;;;État;2025;100000'), 'État', tokens.admin);
      expect(setup.body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 }, applied: { createdActions: 1 } });
      expect(await action('CLASS-01')).toMatchObject({ title: 'Friche', lead_id: null, orientation_id: null });
    });

    it('Douaisis Agglo’s editor naming itself as lead: a warning at the lead’s cell, the action stays to classify', async () => {
      const before = await action('CLASS-01');
      const { status, body } = await upload(CLASSIFY, 'Douaisis Agglo', tokens.editorDa);
      // Its own 1 000 € as funder still counts.
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 }, applied: { inserted: 1, updatedActions: 0 } });
      expect(issuesOf(body, 'ACTION_LEAD_REFUSED')).toEqual([['WARNING', 'C2']]);
      expect(issuesOf(body, 'ACTION_DIFFERS')).toEqual([
        ['WARNING', 'B2'],
        ['WARNING', 'D2'],
        ['WARNING', 'E2'],
        ['WARNING', 'F2'],
      ]);
      expect(await action('CLASS-01')).toEqual(before);
    });

    it('an admin’s file naming its lead sets it and its fields; a rollback makes it to classify again', async () => {
      const before = await action('CLASS-01');
      // Not the editor's file byte for byte (that would be UNCHANGED for this source and kind).
      const { status, body } = await upload(csv(HEADER, 'CLASS-01;Friche Dorignies;Douaisis Agglo;2.2;En cours;500000;Douaisis Agglo;2025;2000'), 'Douaisis Agglo', tokens.admin);
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 }, applied: { updatedActions: 1 } });
      expect(issuesOf(body, 'ACTION_DIFFERS')).toEqual([]);
      const da = await dataSource.getRepository(Organisation).findOneByOrFail({ siren: '200044618' });
      const classified = await action('CLASS-01');
      expect({ ...classified, lead_id: Number(classified.lead_id) }).toMatchObject({ title: 'Friche Dorignies', status: 'UNDERWAY', total_cost: expect.anything(), lead_id: da.id });
      expect(Number(classified.total_cost)).toBe(500000);
      expect(classified.orientation_id).not.toBeNull();
      // From now on the action is Douaisis Agglo's: its editor changes its fields.
      const rollback = await fetch(`${base}/api/imports/${body.batchId}/rollback`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}` } });
      expect(rollback.status).toBe(200);
      expect(await action('CLASS-01')).toEqual(before);
    });
  });

  it('the file an editor applied with rows left out, sent again by an admin, is applied whole (not UNCHANGED)', async () => {
    // DA's own line on DA-99 passes; the State's money on CCCO-99 is not DA's to declare.
    const mixed = csv(HEADER, 'DA-99;Piscine de Douai;Douaisis Agglo;2.2;En cours;3000000;Douaisis Agglo;2026;250000.50', "CCCO-99;Médiathèque de Somain;Cœur d'Ostrevent;3.2;En cours;2000000;État;2026;800000");
    const current2026 = async () =>
      (await dataSource.query('SELECT a.code, f.amount FROM funding f JOIN action a ON a.id = f.action_id WHERE f.year = 2026 AND f.superseded_at IS NULL ORDER BY a.code'))
        .map((row: any) => [row.code, Number(row.amount).toFixed(2)]);
    const partial = await upload(mixed, 'Douaisis Agglo', tokens.editorDa, { allowPartial: 'true' });
    expect(partial.body).toMatchObject({ status: 'APPLIED', counts: { errors: 1 } });
    expect(await current2026()).toEqual([['DA-99', '250000.50']]);
    // The same bytes from the contract's team: the row left out now counts too.
    const whole = await upload(mixed, 'Douaisis Agglo', tokens.admin);
    expect(whole.body).toMatchObject({ status: 'APPLIED', counts: { errors: 0 } });
    expect(await current2026()).toEqual([
      ['CCCO-99', '800000.00'],
      ['DA-99', '250000.50'],
    ]);
    // Sent once more by the same admin: nothing to do, and it says so.
    const again = await upload(mixed, 'Douaisis Agglo', tokens.admin);
    expect(again.body.status).toBe('UNCHANGED');
  });
});
