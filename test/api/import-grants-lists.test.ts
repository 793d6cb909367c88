import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Role } from '../../src/kernel/role.enum';
import { runImportCommand } from '../../src/cli/import.command';
import { createToken } from '../../src/auth/token.service';
import { Action } from '../../src/action/action.entity';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';
import { importOnDataSource } from '../support/cli';

// Issue 15, points 4 to 6: the DGCL list since 2020 and the Fonds vert list, built by
// test/fixtures/grants/build-grants-fixtures.ts; the figures are those of test/fixtures/grants/README.md.
const FIXTURES = join(__dirname, '..', 'fixtures', 'grants');
const DGCL_2021 = readFileSync(join(FIXTURES, 'dgcl-2021.csv'));
const FONDS_VERT_2023 = readFileSync(join(FIXTURES, 'fonds-vert-2023.csv'));

describe(`national grant lists since 2020 through POST /api/imports on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  let admin: string;

  async function upload(fields: Record<string, string>, bytes: Uint8Array, name: string) {
    const form = new FormData();
    for (const [field, value] of Object.entries(fields)) form.append(field, value);
    form.append('file', new Blob([bytes]), name);
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } });
    return { status: response.status, body: (await response.json()) as any };
  }

  /** fundingTotals of one year grouped by one dimension: the group's name (or code) → amount. */
  async function totals(dimension: 'BENEFICIARY' | 'TERRITORY' | 'PROGRAMME', year: number): Promise<Record<string, string>> {
    const field = dimension === 'PROGRAMME' ? 'programme { code }' : `${dimension.toLowerCase()} { name }`;
    const { body } = await api.graphql(`{ fundingTotals(groupBy: [${dimension}], filter: { contract: "CRTE-DOUAISIS", yearFrom: ${year}, yearTo: ${year} }) { ${field} amount } }`);
    expect(body.errors).toBeUndefined();
    return Object.fromEntries(
      body.data.fundingTotals.map((group: any) => [dimension === 'PROGRAMME' ? group.programme.code : (group[dimension.toLowerCase()]?.name ?? '(aucun)'), group.amount]),
    );
  }

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
  });
  afterAll(async () => api?.close());

  it('the command line previews the DGCL list of 2021 with the figures HTTP applies below: 5 lines, 1 670 000,75 €', async () => {
    const { code, json } = await importOnDataSource(dataSource, [join(FIXTURES, 'dgcl-2021.csv'), '--kind', 'grants', '--source', 'État', '--dry-run']);
    expect([code, json.status, json.total, json.counts.lines, json.counts.errors]).toEqual([0, 'PREVIEWED', '1670000.75', 5, 0]);
  });

  it('reads the DGCL list of 2021 (Windows-1252): five grants inside, each to its beneficiary, the budget programme kept apart', async () => {
    const { status, body } = await upload({ kind: 'grants', source: 'État' }, DGCL_2021, 'dgcl-2021.csv');
    expect(body.issues.filter((issue: any) => issue.severity === 'ERROR')).toEqual([]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'APPLIED', total: '1670000.75' });
    expect(await totals('BENEFICIARY', 2021)).toEqual({
      Douai: '480000.00',
      'CA Douaisis Agglo': '600000.50',
      'Syndicat mixte des transports du Douaisis': '350000.00',
      'SYNDICAT INTERCOMMUNAL D’ASSAINISSEMENT DE LA SCARPE AVAL': '150000.25',
      Aniche: '90000.00',
    });
    expect(await totals('TERRITORY', 2021)).toEqual({ 'CA Douaisis Agglo': '1230000.75', "CA Coeur d'Ostrevent": '440000.00' });
    expect(await totals('PROGRAMME', 2021)).toEqual({ DETR: '690000.50', DSIL_RELANCE: '630000.25', DSIL_RENOVATION_THERMIQUE: '350000.00' });

    // The syndicate met for the first time: created with its SIREN, name and kind.
    const created = await dataSource.getRepository(Organisation).findOneByOrFail({ siren: '255900222' });
    expect(created).toMatchObject({ name: 'SYNDICAT INTERCOMMUNAL D’ASSAINISSEMENT DE LA SCARPE AVAL', kind: 'OTHER' });

    // Douaisis Agglo's project: led by the EPCI, its place Douai; the budget programme and the spelling kept.
    const douaisisAgglo = await dataSource.getRepository(Organisation).findOneByOrFail({ siren: '200044618' });
    const action = await dataSource.getRepository(Action).findOneByOrFail({ title: 'Aménagement du parc d’activités du Luc à Douai' });
    expect(action.leadId).toBe(douaisisAgglo.id);
    expect(action.description).toBe('Dispositif : D.E.T.R.\nProgramme budgétaire : 119');
    const places = await dataSource.query('SELECT o.name AS name FROM action_commune l JOIN organisation o ON o.id = l.organisation_id WHERE l.action_id = ?', [action.id]);
    expect(places.map((place: { name: string }) => place.name)).toEqual(['Douai']);

    // Aniche's project stands in Douai: the grant is Aniche's, its territory Aniche's EPCI (Cœur d'Ostrevent), not Douai's.
    const aniche = await dataSource.getRepository(Action).findOneByOrFail({ title: 'Participation d’Aniche au bassin nordique de Douai' });
    const anicheLines = (await api.graphql(`{ action(contract: "CRTE-DOUAISIS", code: "${aniche.code}") { fundings { amount beneficiary { name } territory { name } } } }`)).body;
    expect(anicheLines.data.action.fundings).toEqual([{ amount: '90000.00', beneficiary: { name: 'Aniche' }, territory: { name: "CA Coeur d'Ostrevent" } }]);

    // The SMTD's line: its territory is its project's commune's EPCI (Pecquencourt → Cœur d'Ostrevent), line by line too.
    const smtdAction = await dataSource.getRepository(Action).findOneByOrFail({ title: 'Pôle d’échanges de Pecquencourt : rénovation thermique' });
    const lines = (await api.graphql(`{ action(contract: "CRTE-DOUAISIS", code: "${smtdAction.code}") { fundings { amount beneficiary { name } territory { name } } } }`)).body;
    expect(lines.errors).toBeUndefined();
    expect(lines.data.action.fundings).toEqual([{ amount: '350000.00', beneficiary: { name: 'Syndicat mixte des transports du Douaisis' }, territory: { name: "CA Coeur d'Ostrevent" } }]);
  });

  it('reads the Fonds vert list: the programme known from its measures, the year given at upload, the brownfield grant to Douaisis Agglo', async () => {
    const { status, body } = await upload({ kind: 'grants', source: 'État', year: '2023' }, FONDS_VERT_2023, 'fonds-vert-2023.csv');
    expect(body.issues.filter((issue: any) => issue.severity === 'ERROR')).toEqual([]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'APPLIED', total: '4845000.50' });
    expect(await totals('BENEFICIARY', 2023)).toEqual({
      'CA Douaisis Agglo': '3900000.00',
      'Syndicat mixte des transports du Douaisis': '620000.00',
      'Sin-le-Noble': '250000.50',
      'SEM ENERGIES OSTREVENT': '75000.00',
    });
    expect(await totals('TERRITORY', 2023)).toEqual({ 'CA Douaisis Agglo': '4150000.50', "CA Coeur d'Ostrevent": '695000.00' });
    expect(await totals('PROGRAMME', 2023)).toEqual({ FONDS_VERT: '4845000.50' });
    const sem = await dataSource.getRepository(Organisation).findOneByOrFail({ siren: '888777666' });
    expect(sem.kind).toBe('OTHER');
    const brownfield = await dataSource.getRepository(Action).findOneByOrFail({ title: 'Reconversion de la friche industrielle du Raquet' });
    expect(brownfield.description).toBe('Mesure : Recyclage des friches\nDossier : 11000001');
  });

  it('asks for the programme when neither a column, the upload nor the measures give it, and takes it from the upload (HTTP and CLI)', async () => {
    const text = FONDS_VERT_2023.toString('utf8').replace(/;7100\d;[^;]*;/g, ';71009;Appel à projets local;').replace(/;70000;[^;]*;/g, ';70000;Appel à projets local;');
    const bytes = Buffer.from(text, 'utf8');
    const refused = await upload({ kind: 'grants', source: 'État', year: '2024', dryRun: 'true' }, bytes, 'liste.csv');
    expect(refused.status).toBe(422);
    expect(refused.body.issues.filter((issue: any) => issue.severity === 'ERROR').map((issue: any) => [issue.code, issue.cell])).toEqual([['FUNDER_MISSING', 'M1']]);
    expect(refused.body.issues.find((issue: any) => issue.code === 'FUNDER_MISSING').message).toMatch(/--programme "Fonds vert"/);

    const unknown = await upload({ kind: 'grants', source: 'État', year: '2024', dryRun: 'true', programme: 'Fonds bleu' }, bytes, 'liste.csv');
    expect(unknown.status).toBe(422);
    expect(unknown.body.issues.map((issue: any) => issue.code)).toContain('VALUE_INVALID');

    const given = await upload({ kind: 'grants', source: 'État', year: '2024', dryRun: 'true', programme: 'Fonds vert' }, bytes, 'liste.csv');
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ status: 'PREVIEWED', total: '4845000.50' });
    const batch = await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: given.body.batchId });
    expect(batch.programme).toBe('Fonds vert');
    // Applying the stored preview reads the file again with the programme given at upload.
    const applied = await fetch(`${base}/api/imports/${given.body.batchId}/apply`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect(applied.status).toBe(200);
    expect(await totals('PROGRAMME', 2024)).toEqual({ FONDS_VERT: '4845000.50' });

    // The CLI, in process: --programme.
    const file = join(mkdtempSync(join(tmpdir(), 'crte-grants-')), 'liste.csv');
    writeFileSync(file, bytes);
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await runImportCommand(dataSource, [file, '--kind', 'grants', '--source', 'État', '--year', '2025', '--programme', 'Fonds vert', '--json']);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    expect(JSON.parse(written.join(''))).toMatchObject({ status: 'APPLIED', total: '4845000.50' });
    expect(await totals('PROGRAMME', 2025)).toEqual({ FONDS_VERT: '4845000.50' });
    expect(await totals('TERRITORY', 2025)).toEqual({ 'CA Douaisis Agglo': '4150000.50', "CA Coeur d'Ostrevent": '695000.00' });
  });

  it('rolls the lists back, latest first: their actions, their places and the organisations they created go', async () => {
    const batches = await dataSource.getRepository(ImportBatch).find({ where: { status: 'APPLIED' as never }, order: { id: 'DESC' } });
    expect(batches.map((batch) => batch.year)).toEqual([2025, 2024, 2023, null]);
    for (const batch of batches) {
      const response = await fetch(`${base}/api/imports/${batch.id}/rollback`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
      expect(response.status).toBe(200);
    }
    for (const year of [2021, 2023, 2024, 2025]) expect(await totals('BENEFICIARY', year)).toEqual({});
    expect(await dataSource.getRepository(Organisation).findOneBy({ siren: '255900222' })).toBeNull();
    expect(await dataSource.getRepository(Organisation).findOneBy({ siren: '888777666' })).toBeNull();
    const orphans = await dataSource.query('SELECT COUNT(*) AS n FROM action_commune l LEFT JOIN action a ON a.id = l.action_id WHERE a.id IS NULL');
    expect(Number(orphans[0].n)).toBe(0);
  });
});
