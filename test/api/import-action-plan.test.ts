import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, Like } from 'typeorm';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { Action } from '../../src/action/action.entity';
import { Funding } from '../../src/funding/funding.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { importOnDataSource } from '../support/cli';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';

/**
 * Territoires en Transitions action plans (issue 15, point 1) through the real path: POST /api/imports
 * (preview), then /apply, on the Douaisis contract; the figures of test/fixtures/action-plans/README.md.
 */
const DIR = join(__dirname, '..', 'fixtures', 'action-plans');

describe(`Territoires en Transitions action plans through POST /api/imports on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  let admin: string;

  async function upload(file: string, fields: Record<string, string>) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([readFileSync(join(DIR, file))]), file);
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } });
    return { status: response.status, body: (await response.json()) as any };
  }
  async function apply(batchId: number, allowPartial = false) {
    const response = await fetch(`${base}/api/imports/${batchId}/apply${allowPartial ? '?allowPartial=true' : ''}`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    return { status: response.status, body: (await response.json()) as any };
  }
  /** Current lines of a batch: [cell, funder, amount, cost base], in cell order. */
  async function linesOf(batchId: number) {
    const rows = await dataSource.getRepository(Funding).find({ where: { batchId }, relations: { funder: true } });
    return rows.map((row) => [row.sourceCell, row.funder.name, row.amount, row.costBase, row.year, row.stage]).sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true }));
  }
  const cli = (args: string[]) => importOnDataSource(dataSource, args);
  const codes = (issues: any[], severity: string) => issues.filter((issue) => issue.severity === severity).map((issue) => `${issue.code} ${issue.cell ?? ''}`.trim());

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
  });
  afterAll(async () => api?.close());

  it('generation 1 (xlsx, € HT): previewed, then applied: 8 lines, 1 605 000,00 € HT in 2024, 5 new actions, 2 of them to classify', async () => {
    const preview = await upload('plan-action-tet-v1-ht.xlsx', { kind: 'annex3', source: 'Douaisis Agglo', year: '2024', dryRun: 'true' });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ status: 'PREVIEWED', layout: 'action-plan', total: '1605000.00', counts: { lines: 8, errors: 0 } });
    expect(codes(preview.body.issues, 'WARNING').sort()).toEqual(
      ['ACTION_UNKNOWN D6', 'ACTION_UNKNOWN D7', 'ACTION_UNKNOWN D8', 'ACTION_UNKNOWN D9', 'ACTION_UNKNOWN D11', 'ORIENTATION_TO_CLASSIFY B9', 'ORIENTATION_TO_CLASSIFY A11'].sort(),
    );
    expect(await dataSource.getRepository(Funding).count()).toBe(0);

    const applied = await apply(preview.body.batchId);
    expect(applied.status).toBe(200);
    expect(applied.body.status).toBe('APPLIED');
    expect(await linesOf(preview.body.batchId)).toEqual([
      ['N6', 'Agence de la transition écologique', '300000.00', 'HT', 2024, 'PLANNED'],
      ['N7', 'État', '240000.00', 'HT', 2024, 'PLANNED'],
      ['N8', 'Banque des Territoires', '45000.00', 'HT', 2024, 'PLANNED'],
      ['N9', 'Région Hauts-de-France', '100000.00', 'HT', 2024, 'PLANNED'],
      ['N11', "Agence de l'eau Artois-Picardie", '60000.00', 'HT', 2024, 'PLANNED'],
      ['P6', 'Région Hauts-de-France', '250000.00', 'HT', 2024, 'PLANNED'],
      ['P7', 'Département du Nord', '125000.50', 'HT', 2024, 'PLANNED'],
      ['R7', 'Douai', '484999.50', 'HT', 2024, 'PLANNED'],
    ]);
    const actions = await dataSource.getRepository(Action).find({ where: { code: Like('PA-%') }, relations: { orientation: true } });
    const created = actions.filter((action) => action.code.startsWith('PA-')).map((action) => [action.title, action.orientation?.code ?? null]).sort();
    expect(created).toEqual(
      [
        ['Voie verte de la Scarpe', '1.2'],
        ['Rénovation thermique des écoles', '1.3'],
        ['Éclairage public LED', '1.3'],
        ["Pépinière d'entreprises du réemploi", null],
        ['Maison de santé pluriprofessionnelle', null],
      ].sort(),
    );

    // The same plan again: its fiches are found by title, nothing changes.
    const again = await upload('plan-action-tet-v1-ht.xlsx', { kind: 'annex3', source: 'Douaisis Agglo', year: '2024' });
    expect(again.body.status).toBe('UNCHANGED');
  });

  it('generation 2 (ods, € TTC, an example sheet): 7 lines, 2 277 000,00 € TTC in 2025, the example not read', async () => {
    const preview = await upload('plan-action-tet-v2-ttc.ods', { kind: 'annex3', source: 'Douaisis Agglo', year: '2025', dryRun: 'true' });
    expect(preview.body).toMatchObject({ status: 'PREVIEWED', layout: 'action-plan', total: '2277000.00', counts: { lines: 7, errors: 0 } });
    expect(codes(preview.body.issues, 'WARNING')).toContain('SHEET_EXAMPLE_SKIPPED');
    expect(codes(preview.body.issues, 'WARNING').filter((code) => code.startsWith('ORIENTATION_TO_CLASSIFY'))).toEqual([]);
    const applied = await apply(preview.body.batchId);
    expect(applied.body.status).toBe('APPLIED');
    const lines = await linesOf(preview.body.batchId);
    expect(lines.map((line) => [line[0], line[1], line[2], line[3]])).toEqual([
      ['M5', "Agence de l'eau Artois-Picardie", '180000.00', 'TTC'],
      ['M6', 'Banque des Territoires', '1250000.00', 'TTC'],
      ['M8', 'Agence de la transition écologique', '15000.75', 'TTC'],
      ['O5', 'Département du Nord', '72000.00', 'TTC'],
      ['O6', 'Région Hauts-de-France', '400000.00', 'TTC'],
      ['O8', 'CA Douaisis Agglo', '9999.25', 'TTC'],
      ['Q6', 'État', '350000.00', 'TTC'],
    ]);
  });

  it('two funders in one cell, a range: rejected with an error at each cell; one funder under two of its names is that funder; with allowPartial the rest goes in (253 000,00 €)', async () => {
    const preview = await upload('plan-action-tet-erreurs.xlsx', { kind: 'annex3', source: 'Douaisis Agglo', year: '2024', dryRun: 'true' });
    expect(preview.body.status).toBe('REJECTED');
    expect(codes(preview.body.issues, 'ERROR')).toEqual(['FUNDERS_IN_ONE_CELL M4', 'AMOUNT_INVALID P4', 'FUNDERS_IN_ONE_CELL Q4', 'FUNDERS_IN_ONE_CELL M7', 'FUNDERS_IN_ONE_CELL O7']);
    // « ADEME / Région Hauts-de-France »: two organisations of the database, named as such.
    expect(preview.body.issues.find((issue: any) => issue.cell === 'M7').message).toContain('« ADEME » (Agence de la transition écologique), « Région Hauts-de-France »');
    expect(preview.body.total).toBe('253000.00');
    expect(preview.body.counts.newOrganisations).toBe(0);
    const applied = await apply(preview.body.batchId, true);
    expect(applied.body.status).toBe('APPLIED');
    expect((await linesOf(preview.body.batchId)).map((line) => [line[0], line[1], line[2]])).toEqual([
      ['N5', 'Banque des Territoires', '50000.00'],
      ['N6', 'Banque des Territoires', '120000.00'],
      ['P5', 'Agence de la transition écologique', '3000.00'],
      ['P8', 'Banque des Territoires', '80000.00'],
    ]);
  });

  it('one sheet per year (« 2024 » € HT, « Année 2025 » € TTC), no year at upload, funders with their scheme: 7 lines, 1 103 000,00 € — the CLI with --year 2025 keeps « 2024 » in 2024 and says so', async () => {
    const file = join(DIR, 'plan-action-tet-par-annee.ods');
    const dry = await cli([file, '--kind', 'annex3', '--source', 'Douaisis Agglo', '--year', '2025', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.json).toMatchObject({ status: 'PREVIEWED', layout: 'action-plan', total: '1103000.00', counts: { lines: 7, errors: 0, notes: 4 } });
    expect(dry.json.issues.filter((issue: any) => issue.code === 'YEAR_UPLOAD_DIFFERS').map((issue: any) => issue.sheet)).toEqual(['2024']);

    const preview = await upload('plan-action-tet-par-annee.ods', { kind: 'annex3', source: 'Douaisis Agglo' });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ status: 'APPLIED', layout: 'action-plan', total: '1103000.00', counts: { lines: 7, errors: 0 } });
    // A funder written with its scheme is that funder, the scheme the line's programme; never a new organisation.
    expect(codes(preview.body.issues, 'WARNING').filter((code) => !code.startsWith('ACTION_UNKNOWN'))).toEqual([]);
    expect(codes(preview.body.issues, 'NOTE').sort()).toEqual(['SHEET_DOCUMENTATION', 'SHEET_DOCUMENTATION', 'YEAR_FROM_SHEET_NAME', 'YEAR_FROM_SHEET_NAME']);
    const rows = await dataSource.getRepository(Funding).find({ where: { batchId: preview.body.batchId }, relations: { funder: true, programme: true } });
    const lines = rows.map((row) => [row.sourceCell, row.funder.name, row.programme?.code ?? null, row.amount, row.costBase, row.year]).sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true }));
    expect(lines).toEqual([
      ['N4', 'Agence de la transition écologique', null, '300000.00', 'HT', 2024],
      ['N5', 'État', 'DETR', '125000.50', 'TTC', 2025],
      ['N6', 'Union européenne', 'FEDER', '400000.00', 'TTC', 2025],
      ['P4', 'Région Hauts-de-France', null, '3000.00', 'HT', 2024],
      ['P5', 'Département du Nord', null, '74999.50', 'TTC', 2025],
      ['R4', 'État', 'DSIL', '150000.00', 'HT', 2024],
      ['R5', 'État', 'FONDS_VERT', '50000.00', 'TTC', 2025],
    ]);
  });

  it('the empty template: refused with NO_DATA at its header, through HTTP and the CLI (exit code 1), not a preview of 0 lines', async () => {
    const refused = await upload('modele-plan-action-tet-vide.xlsx', { kind: 'annex3', source: 'Douaisis Agglo', dryRun: 'true' });
    expect(refused.status).toBe(422);
    expect(codes(refused.body.issues, 'ERROR')).toEqual(["NO_DATA A2"]);
    expect(refused.body.issues.find((issue: any) => issue.code === 'NO_DATA').message).toMatch(/^Le fichier ne contient aucune donnée : le tableau de la feuille « Plan d'action »/);
    const byCli = await cli([join(DIR, 'modele-plan-action-tet-vide.xlsx'), '--kind', 'annex3', '--source', 'Douaisis Agglo', '--year', '2024', '--dry-run']);
    expect(byCli.code).toBe(1);
    expect(codes(byCli.json.issues, 'ERROR')).toEqual(['NO_DATA A2']);
  });
});
