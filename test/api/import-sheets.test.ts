/**
 * Issue 15, points 2, 3 and 9, through the real path: each fixture of test/fixtures/sheets posted to
 * POST /api/imports, its answer checked against the figures its design gives (build-sheets.ts), the
 * ones that go in applied for real, their totals per year read back through GraphQL, then rolled back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';
import { importOnDataSource } from '../support/cli';
import { SHEETS_DIR, SHEETS_EXPECTED, SheetsExpectation } from '../fixtures/sheets/build-sheets';

describe(`workbooks with one sheet per year, documentation sheets, files with nothing to read, on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let base: string;
  let token = '';

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    base = api.server.url.replace(/\/graphql$/, '');
    token = (await createToken(api.db.dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
  }, 120_000);
  afterAll(async () => api?.close());

  async function post(path: string, form?: FormData) {
    const response = await fetch(`${base}${path}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  }

  function upload(entry: SheetsExpectation, dryRun: boolean) {
    const form = new FormData();
    form.append('kind', entry.kind);
    form.append('source', entry.source);
    form.append('dryRun', String(dryRun));
    if (entry.year) form.append('year', String(entry.year));
    form.append('file', new Blob([readFileSync(join(SHEETS_DIR, entry.file))]), entry.file);
    return post('/api/imports', form);
  }

  async function totalsByYear(): Promise<Record<number, string>> {
    const { body } = await api.graphql('{ fundingTotals(groupBy: [YEAR], filter: { contract: "CRTE-DOUAISIS" }) { year amount } }');
    expect(body.errors).toBeUndefined();
    return Object.fromEntries(body.data.fundingTotals.map((row: { year: number; amount: string }) => [row.year, row.amount]));
  }

  const sorted = (list: string[]) => [...list].sort();

  it.each(SHEETS_EXPECTED.map((entry) => [entry.file, entry] as const))('%s', async (_file, entry) => {
    const applyIt = entry.status === 'PREVIEWED';
    const { status, body } = await upload(entry, !applyIt);
    expect(status).toBe(applyIt ? 200 : 422);
    expect(body.status).toBe(applyIt ? 'APPLIED' : 'REJECTED');
    expect(sorted(body.issues.map((issue: { severity: string; code: string }) => `${issue.severity} ${issue.code}`))).toEqual(sorted(entry.issues));
    expect(body.counts).toMatchObject({ lines: entry.lines, notes: entry.issues.filter((i) => i.startsWith('NOTE')).length });
    expect(body.total).toBe(entry.total);
    // Every message is French and short enough to read: no list of every synonym.
    for (const issue of body.issues) expect(issue.message.length).toBeLessThan(450);
    if (!applyIt) return;
    expect(await totalsByYear()).toEqual(entry.byYear);
    expect((await post(`/api/imports/${body.batchId}/rollback`)).status).toBe(200);
    expect(await totalsByYear()).toEqual({});
  }, 60_000);

  it('says which sheet gave the year, which sheet is documentation, and what the closest layout lacks', async () => {
    const byCode = async (file: string) => {
      const entry = SHEETS_EXPECTED.find((e) => e.file === file)!;
      const { body } = await upload(entry, true);
      return (code: string) => body.issues.filter((issue: { code: string }) => issue.code === code).map((issue: { sheet: string | null; message: string }) => `${issue.sheet}: ${issue.message}`);
    };
    const byYear = await byCode('annexe3-une-feuille-par-annee.xlsx');
    expect(byYear('YEAR_FROM_SHEET_NAME')).toContain("2023: Les 2 lignes sans année de la feuille « 2023 » sont comptées en 2023, l'année du nom de la feuille.");
    expect(byYear('SHEET_DOCUMENTATION')).toEqual([
      "LISEZ MOI : La feuille « LISEZ MOI » est de la documentation (son nom le dit) : elle n'est pas lue.",
      "Listes déroulantes: La feuille « Listes déroulantes » est de la documentation (son nom le dit) : elle n'est pas lue.",
    ]);
    const near = await byCode('annexe3-financeur-mal-ecrit.xlsx');
    expect(near('LAYOUT_UNKNOWN')[0]).toContain("La colonne « Finnanceur 1 » (C1) n'a pas été reconnue : écrivez-la « Financeur 1 ».");
    const outside = await byCode('dgcl-2019-hors-perimetre.csv');
    expect(outside('NOTHING_IN_PERIMETER')[0]).toMatch(/^null: 0 ligne dans le périmètre du contrat, 5 hors périmètre/);
    const empty = await byCode('modele-annexe3-vide.xlsx');
    expect(empty('NO_DATA')[0]).toMatch(/^Annexe 3: Le fichier ne contient aucune donnée/);
  }, 60_000);

  it('the command line gives the same answers: one sheet per year, METADONNEES without --allow-partial, nothing in the perimeter', async () => {
    for (const file of ['annexe3-une-feuille-par-annee.xlsx', 'dgcl-2018-avec-metadonnees.xlsx', 'dgcl-2019-hors-perimetre.csv']) {
      const entry = SHEETS_EXPECTED.find((e) => e.file === file)!;
      const args = [join(SHEETS_DIR, file), '--kind', entry.kind, '--source', entry.source, '--dry-run', ...(entry.year ? ['--year', String(entry.year)] : [])];
      const { code, json } = await importOnDataSource(api.db.dataSource, args);
      expect([file, code, json.status, json.total, json.counts.lines]).toEqual([file, 0, 'PREVIEWED', entry.total, entry.lines]);
      expect(sorted(json.issues.map((issue: { severity: string; code: string }) => `${issue.severity} ${issue.code}`))).toEqual(sorted(entry.issues));
    }
  }, 60_000);
});
