import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { runCrte } from '../support/cli';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';

/**
 * Issue 16, point 2: a new CRTE gets its tree and its money from one file. An empty contract (createContract),
 * then the Territoires en Transitions action plan imported as kind `plan` over POST /api/imports and once by
 * `crte import`. Figures from test/fixtures/action-plans/README.md and build-action-plans.ts (the rows).
 */
const DIR = join(__dirname, '..', 'fixtures', 'action-plans');
const DOUAISIS_AGGLO = '200044618';
const CREATE = `mutation ($input: ContractInput!) { createContract(input: $input) { code } }`;

describe(`a plan imported into a new contract on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;
  let base: string;
  let admin: string;
  let editor: string;

  const sql = <T = Record<string, unknown>>(query: string, parameters: unknown[] = []): Promise<T[]> => db.dataSource.query(query, parameters);
  const contractId = async (code: string) => Number((await sql<{ id: unknown }>('SELECT id FROM contract WHERE code = ?', [code]))[0].id);

  async function upload(file: string, fields: Record<string, string>, token = admin) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([readFileSync(join(DIR, file))]), file);
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  }
  async function post(path: string) {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    return { status: response.status, body: (await response.json()) as any };
  }

  /** The contract's tree and money, as the database holds them. */
  async function tree(code: string) {
    const id = await contractId(code);
    const axes = await sql<{ code: string; title: string }>('SELECT code, title FROM axis WHERE contract_id = ? ORDER BY number', [id]);
    const orientations = await sql<{ code: string; title: string; axis: string; parent: string | null }>(
      `SELECT o.code, o.title, a.code AS axis, p.code AS parent FROM orientation o JOIN axis a ON a.id = o.axis_id LEFT JOIN orientation p ON p.id = o.parent_id
        WHERE o.contract_id = ? ORDER BY o.code`,
      [id],
    );
    const actions = await sql<{ title: string; orientation: string | null; total_cost: unknown; status: string; start_date: unknown; lead: string | null }>(
      `SELECT a.title, o.code AS orientation, a.total_cost, a.status, a.start_date, l.name AS lead FROM action a
        LEFT JOIN orientation o ON o.id = a.orientation_id LEFT JOIN organisation l ON l.id = a.lead_id WHERE a.contract_id = ?`,
      [id],
    );
    const [money] = await sql<{ n: unknown; amount: unknown }>('SELECT COUNT(*) AS n, SUM(amount) AS amount FROM funding WHERE contract_id = ? AND superseded_at IS NULL', [id]);
    return {
      axes: axes.map((axis) => `${axis.code} ${axis.title}`),
      orientations: orientations.map((o) => `${o.code} ${o.title} (axe ${o.axis}${o.parent ? `, sous ${o.parent}` : ''})`),
      actions: actions.map((a) => [a.title, a.orientation, a.total_cost === null ? null : Number(a.total_cost).toFixed(2), a.status, a.lead]).sort((a, b) => a[0]!.localeCompare(b[0]!)),
      lines: Number(money.n),
      amount: money.amount === null ? null : Number(money.amount).toFixed(2),
    };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    admin = (await createToken(db.dataSource, { name: 'équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
    const douaisisAgglo = (await sql<{ id: unknown }>('SELECT id FROM organisation WHERE siren = ?', [DOUAISIS_AGGLO]))[0];
    editor = (await createToken(db.dataSource, { name: 'DA', role: Role.EDITOR, organisationId: Number(douaisisAgglo.id) })).secret;
    api = await startTestServer({ db });
    base = api.server.url.replace(/\/graphql$/, '');
    for (const code of ['CRTE-PLAN', 'CRTE-PLAN-2']) {
      const { body } = await api.graphql(CREATE, { input: { code, name: `Contrat ${code}`, fromYear: 2021, toYear: 2026, epcis: [DOUAISIS_AGGLO] } }, admin);
      expect(body.errors).toBeUndefined();
    }
  }, 60000);
  afterAll(async () => api?.close());

  it('refuses a plan from an editor, in French, before reading it: the structure is the contract team’s', async () => {
    const refused = await upload('plan-action-tet-v1-ht.xlsx', { kind: 'plan', contract: 'CRTE-PLAN', source: 'Douaisis Agglo', year: '2024' }, editor);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain("seule l'équipe du contrat (un jeton administrateur) peut le déposer");
    expect(await tree('CRTE-PLAN')).toMatchObject({ axes: [], orientations: [], actions: [], lines: 0 });
  });

  it('v1 (xlsx, € HT): previewed (3 axes, 5 orientations, 5 fiches, 2 640 000 € of budget), applied, the same file again UNCHANGED, the CLI again: nothing doubled; rolled back: empty', async () => {
    const preview = await upload('plan-action-tet-v1-ht.xlsx', { kind: 'plan', contract: 'CRTE-PLAN', source: 'Douaisis Agglo', year: '2024', dryRun: 'true' });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      status: 'PREVIEWED',
      layout: 'action-plan',
      total: '1605000.00',
      // 1 200 000 + 850 000 + 90 000 + 500 000 (the last fiche gives none)
      budget: '2640000.00',
      counts: { lines: 8, errors: 0, axes: 3, newAxes: 3, orientations: 5, newOrientations: 5, renamed: 0, actions: 5, newActions: 5 },
    });
    // The fiche with an axis only waits to be classified.
    expect(preview.body.issues.filter((i: any) => i.code === 'ORIENTATION_TO_CLASSIFY').map((i: any) => i.cell)).toEqual(['A11']);
    expect((await tree('CRTE-PLAN')).axes).toEqual([]);

    const applied = await post(`/api/imports/${preview.body.batchId}/apply`);
    expect(applied.body).toMatchObject({ status: 'APPLIED', applied: { inserted: 8, createdActions: 5, createdAxes: 3, createdOrientations: 5 } });
    const after = await tree('CRTE-PLAN');
    expect(after).toEqual({
      axes: ['1 Transition écologique', '2 Compétitivité', '3 Cohésion territoriale'],
      orientations: [
        '1.2 Étendre les mobilités durables (axe 1)',
        '1.2.1 Vélo du quotidien (axe 1, sous 1.2)',
        '1.3 Planifier la transition énergétique (axe 1)',
        '1.3.2 Éclairage public (axe 1, sous 1.3)',
        '2.9 Économie circulaire (axe 2)',
      ],
      // Lead from « Structure pilote », status from « Statut » (En cours, A venir, Réalisé, En pause, none), orientation the deepest level.
      actions: [
        ['Éclairage public LED', '1.3.2', '90000.00', 'DONE', 'Douai'],
        ['Maison de santé pluriprofessionnelle', null, null, 'PLANNED', 'Douai'],
        ["Pépinière d'entreprises du réemploi", '2.9', '500000.00', 'PAUSED', 'CA Douaisis Agglo'],
        ['Rénovation thermique des écoles', '1.3', '850000.00', 'PLANNED', 'Douai'],
        ['Voie verte de la Scarpe', '1.2.1', '1200000.00', 'UNDERWAY', 'CA Douaisis Agglo'],
      ],
      lines: 8,
      amount: '1605000.00',
    });

    // The same file, the same token: nothing to do.
    const again = await upload('plan-action-tet-v1-ht.xlsx', { kind: 'plan', contract: 'CRTE-PLAN', source: 'Douaisis Agglo', year: '2024' });
    expect(again.body.status).toBe('UNCHANGED');
    expect(await tree('CRTE-PLAN')).toEqual(after);

    // The command line (another sender): read again and applied, the tree matched by code, the fiches by title.
    const cli = await runCrte(['import', join(DIR, 'plan-action-tet-v1-ht.xlsx'), '--kind', 'plan', '--contract', 'CRTE-PLAN', '--source', 'Douaisis Agglo', '--year', '2024', '--json'], db.url);
    expect(cli.json).toMatchObject({ status: 'APPLIED', counts: { axes: 3, newAxes: 0, orientations: 5, newOrientations: 0, newActions: 0 }, applied: { createdAxes: 0, createdOrientations: 0, createdActions: 0 } });
    expect(await tree('CRTE-PLAN')).toEqual(after);

    // Rolled back, the later batch first: nothing of the plan is left.
    expect((await runCrte(['rollback', String(cli.json.batchId)], db.url)).code).toBe(0);
    expect(await tree('CRTE-PLAN')).toEqual(after);
    const rolledBack = await post(`/api/imports/${preview.body.batchId}/rollback`);
    expect(rolledBack.body).toMatchObject({ status: 'ROLLED_BACK', removedActions: 5, removedAxes: 3, removedOrientations: 5 });
    expect(await tree('CRTE-PLAN')).toEqual({ axes: [], orientations: [], actions: [], lines: 0, amount: null });
  }, 60000);

  it('v2 (ods, € TTC, « Axe 1 : … », « Sous-axe 2 »): 2 axes, 3 orientations, 3 fiches, 7 lines, 2 277 000,00 €; v1 over it renames 1.2 and adds the rest, rolled back to v2', async () => {
    const applied = await upload('plan-action-tet-v2-ttc.ods', { kind: 'plan', contract: 'CRTE-PLAN-2', source: 'Douaisis Agglo', year: '2025' });
    expect(applied.body).toMatchObject({
      status: 'APPLIED',
      total: '2277000.00',
      budget: '3000000.00',
      counts: { lines: 7, errors: 0, axes: 2, orientations: 3, actions: 3 },
    });
    const after = await tree('CRTE-PLAN-2');
    expect(after.axes).toEqual(['1 Transition écologique', '4 COHESION SOCIALE']);
    expect(after.orientations).toEqual(['1.1 Préserver la biodiversité (axe 1)', '1.2 Mobilités (axe 1)', '4.5 Reduire les ecarts de sante (axe 4)']);
    expect(after.actions.map((a) => [a[0], a[1]])).toEqual([
      ['Centre de santé de Sin-le-Noble', '4.5'],
      ["Pôle d'échanges de la gare", '1.2'],
      ['Renaturation du parc de la Tour', '1.1'],
    ]);
    expect(after).toMatchObject({ lines: 7, amount: '2277000.00' });

    // v1 (2024) over it: axis 1 and orientation 1.2 are matched by code (1.2 renamed, said at B6), the rest added; rolled back, v2's tree is back as it was.
    const v1 = await upload('plan-action-tet-v1-ht.xlsx', { kind: 'plan', contract: 'CRTE-PLAN-2', source: 'Douaisis Agglo', year: '2024' });
    expect(v1.body).toMatchObject({ status: 'APPLIED', counts: { axes: 3, newAxes: 2, orientations: 5, newOrientations: 4, renamed: 1 }, applied: { createdAxes: 2, createdOrientations: 4 } });
    expect(v1.body.issues.filter((i: any) => i.code === 'PLAN_TITLE_CHANGED').map((i: any) => i.cell)).toEqual(['B6']);
    expect((await tree('CRTE-PLAN-2')).orientations).toContain('1.2 Étendre les mobilités durables (axe 1)');
    expect((await post(`/api/imports/${v1.body.batchId}/rollback`)).body).toMatchObject({ status: 'ROLLED_BACK', removedAxes: 2, removedOrientations: 4, removedActions: 5 });
    expect(await tree('CRTE-PLAN-2')).toEqual(after);
  }, 60000);
});
