/**
 * The recovery plan visible (issue 17, point 1): the State's own annex 2 previewed and applied over HTTP as
 * /depot does, leaving out the rows of its three cells in error (recorded on the batch), then its measures,
 * volets and amounts in `relanceMeasures`, totals per volet, instrument and kind in `relanceTotals`, the
 * export and the BI view v_relance_amount — volet VI adding up to its own TOTAL row, read here from the file.
 */
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { createToken } from '../../src/auth/token.service';
import { Role } from '../../src/kernel/role.enum';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const FILE = 'annexe2-bilan-plan-de-relance-douaisis.xlsx';

describe(`the recovery plan's measures in GraphQL on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let measuresRead: number;
  let base: string;
  let admin: string;
  let preview: any;
  let applied: any;
  const sheet = () => XLSX.read(readFileSync(fixturePath(FILE))).Sheets['Annexe 2'];
  const volet6Total = () => (sheet().C59.v as number).toFixed(2);
  const rowOf = (cell: string) => Number(/\d+$/.exec(cell)![0]);
  const centsText = (cents: bigint) => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;

  beforeAll(async () => {
    api = await startTestServer({ prepare: async ({ dataSource }) => void (await seedReferenceData(dataSource)) });
    base = api.server.url.replace(/\/graphql$/, '');
    admin = (await createToken(api.db.dataSource, { name: 'Préfecture', role: Role.ADMIN, organisationId: null })).secret;
    // What /depot does: the preview, then « Appliquer sans les lignes en erreur ».
    const form = new FormData();
    for (const [name, value] of Object.entries({ kind: 'annex2', source: 'Etat', dryRun: 'true' })) form.append(name, value);
    form.append('file', new Blob([readFileSync(fixturePath(FILE))]), FILE);
    const previewed = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } });
    expect(previewed.status).toBe(422);
    preview = await previewed.json();
    const response = await fetch(`${base}/api/imports/${preview.batchId}/apply?allowPartial=true`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    applied = await response.json();
    expect(applied.status).toBe('APPLIED');
    measuresRead = applied.applied.measures;
  }, 60_000);
  afterAll(async () => api?.close());

  it('leaves out exactly the rows of the three cells in error (C10, C16, D16), and the batch says so', async () => {
    const errors = preview.issues.filter((issue: any) => issue.severity === 'ERROR');
    expect(errors.map((issue: any) => `${issue.sheet}!${issue.cell} ${issue.code}`)).toEqual(['Annexe 2!C10 AMOUNT_AMBIGUOUS', 'Annexe 2!C16 AMOUNT_INVALID', 'Annexe 2!D16 AMOUNT_ABSURD']);
    // The three texts are the file's own.
    expect(String(sheet().C10.v)).toContain('1,050 000 €');
    expect(String(sheet().C16.v)).toContain('5275 002 €');
    expect(String(sheet().D16.v)).toContain('21 835 845 M€');
    expect(applied.applied.rowsLeftOut).toBe(2);
    const { body } = await api.graphql(`query ($id: ID!) { importBatch(id: $id) { status appliedPartially rowsLeftOut errorCount } }`, { id: String(preview.batchId) });
    expect(body.data.importBatch).toEqual({ status: 'APPLIED', appliedPartially: true, rowsLeftOut: 2, errorCount: 3 });
    // Every amount the preview read went in, except those of rows 10 and 16 (D10's 6 353 000 €).
    const written: Array<{ source_cell: string }> = await api.db.dataSource.query('SELECT source_cell FROM relance_amount');
    const expected = preview.lines.map((line: any) => line.cell).filter((cell: string) => rowOf(cell) !== 10 && rowOf(cell) !== 16);
    expect(written.map((row) => row.source_cell).sort()).toEqual(expected.sort());
    expect(preview.lines.filter((line: any) => rowOf(line.cell) === 10 || rowOf(line.cell) === 16).map((line: any) => `${line.cell} ${line.amount}`)).toEqual(['D10 6353000.00']);
  });

  it('exports the amounts (csv, French csv, xlsx) and the BI view v_relance_amount gives the same volet VI total', async () => {
    const json = await (await fetch(`${base}/api/export/relance.json?contract=CRTE-DOUAISIS`)).json();
    const rows = json as Array<{ voletNumber: string; kind: string; amount: string; instrument: string; cell: string; rawValue: string }>;
    expect(rows.length).toBe(preview.lines.length - 1);
    const volet6 = rows.filter((row) => row.voletNumber === 'VI' && row.kind === 'AID').reduce((sum, row) => sum + BigInt(row.amount.replace('.', '')), 0n);
    expect(centsText(volet6)).toBe(volet6Total());
    const french = await fetch(`${base}/api/export/relance.csv?contract=CRTE-DOUAISIS&format=fr`);
    expect(french.status).toBe(200);
    const lines = (await french.text()).replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines[0]).toBe('Volet;Intitulé du volet;Mesure;Instrument;Nature du montant;Année;Montant (€);Montant approximatif;Texte de la cellule;Feuille;Cellule;Lot n°;Fichier');
    expect(lines.some((line) => /;Subvention;Aide;/.test(line))).toBe(true);
    const xlsx = XLSX.read(Buffer.from(await (await fetch(`${base}/api/export/relance.xlsx?contract=CRTE-DOUAISIS`)).arrayBuffer()));
    expect(XLSX.utils.sheet_to_json(xlsx.Sheets[xlsx.SheetNames[0]]).length).toBe(rows.length);
    // Scoped like every read of a contract: the token of an organisation outside it is refused.
    const elsewhere = await api.db.dataSource.getRepository(Organisation).save({ name: 'Commune hors contrat', shortName: null, kind: OrganisationKind.COMMUNE, siren: null, inseeCode: null, parentId: null, createdByBatchId: null, createdAt: new Date(), updatedAt: new Date() });
    const outsider = (await createToken(api.db.dataSource, { name: 'Hors contrat', role: Role.READER, organisationId: elsewhere.id })).secret;
    expect((await fetch(`${base}/api/export/relance.csv?contract=CRTE-DOUAISIS`, { headers: { authorization: `Bearer ${outsider}` } })).status).toBe(403);
    const [view] = await api.db.dataSource.query(`SELECT SUM(amount_cents) AS cents, COUNT(*) AS n FROM v_relance_amount WHERE contract_code = 'CRTE-DOUAISIS' AND volet_number = 'VI' AND kind = 'AID'`);
    expect(centsText(BigInt(view.cents))).toBe(volet6Total());
  });

  it('lists the measures in force with their volet and amounts (instrument, year, approximate, text read)', async () => {
    const { body } = await api.graphql(`{ relanceMeasures(contract: "CRTE-DOUAISIS") { name volet { number title } amounts { kind amount year instrument approximate rawValue } } }`);
    expect(body.errors).toBeUndefined();
    const measures = body.data.relanceMeasures as Array<{ name: string; volet: { number: string; title: string }; amounts: Array<{ amount: string; rawValue: string | null }> }>;
    // The file's 44 measures, less those named on a row left out with no amount left to them.
    expect(measures.length).toBe(measuresRead);
    expect(measures.length).toBeGreaterThan(40);
    expect(measures.length).toBeLessThan(44);
    expect(new Set(measures.map((measure) => measure.volet.number))).toEqual(new Set(['I', 'II', 'III', 'IV', 'V', 'VI', 'VII']));
    expect(measures.find((measure) => measure.volet.number === 'VI')!.volet.title).toBe('Soutien aux collectivités locales');
    for (const measure of measures) for (const amount of measure.amounts) expect(amount.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('totals each volet per instrument and kind exactly; volet VI is its TOTAL row (C59)', async () => {
    const volet6Total = (sheet().C59.v as number).toFixed(2);
    expect(volet6Total).toBe('11058241.43');
    const { body } = await api.graphql(`{ relanceTotals(contract: "CRTE-DOUAISIS") { volet { number } instrument kind amount measures } }`);
    expect(body.errors).toBeUndefined();
    const totals = body.data.relanceTotals as Array<{ volet: { number: string }; instrument: string; kind: string; amount: string; measures: number }>;
    const volet6Aid = totals.filter((total) => total.volet.number === 'VI' && total.kind === 'AID');
    const cents = volet6Aid.reduce((sum, total) => sum + BigInt(total.amount.replace('.', '')), 0n);
    expect(`${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`).toBe(volet6Total);
    expect(volet6Aid.reduce((sum, total) => sum + total.measures, 0)).toBeGreaterThanOrEqual(4);
    // Aid and investment are never added: one total per kind.
    expect(new Set(totals.map((total) => total.kind))).toEqual(new Set(['AID', 'INVESTMENT']));
  });

  it('names the contract it does not know, in French', async () => {
    const { body } = await api.graphql(`{ relanceMeasures(contract: "CRTE-INCONNU") { name } }`);
    expect(body.errors?.[0]).toMatchObject({ message: 'Contrat (contract) : le contrat « CRTE-INCONNU » n’existe pas.', extensions: { code: 'BAD_USER_INPUT', field: 'contract' } });
  });

  it('corrects a doubtful cell in a preview (sender or admin, before applying): the check runs again, the apply reads the correction, the lineage keeps the file’s text and who', async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries({ kind: 'annex2', source: 'Etat', dryRun: 'true' })) form.append(name, value);
    form.append('file', new Blob([readFileSync(fixturePath(FILE))]), FILE);
    const again = (await (await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } })).json()) as any;
    expect(again.counts.errors).toBe(3);
    const correct = (token: string, body: Record<string, string>) =>
      fetch(`${base}/api/imports/${again.batchId}/corrections`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const c10 = { sheet: 'Annexe 2', cell: 'C10', value: '1 050 000 €' };

    // Another editor of the State (not the file's sender) may not.
    const [state] = await api.db.dataSource.query(`SELECT id FROM organisation WHERE name = 'État'`);
    const stateEditor = (await createToken(api.db.dataSource, { name: 'DDT du Nord', role: Role.EDITOR, organisationId: Number(state.id) })).secret;
    const refused = await correct(stateEditor, c10);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).error).toBe('Seul l’expéditeur du fichier (« Préfecture ») ou un administrateur peut corriger l’aperçu n° ' + again.batchId + '.');

    const corrected = await correct(admin, c10);
    expect(corrected.status).toBe(200);
    const preview = (await corrected.json()) as any;
    expect(preview.issues.filter((issue: any) => issue.severity === 'ERROR').map((issue: any) => issue.cell)).toEqual(['C16', 'D16']);
    expect(preview.lines.find((line: any) => line.cell === 'C10')).toMatchObject({ amount: '1050000.00', rawValue: '1 050 000 €', measureAmountKind: 'AID' });
    expect(preview.corrections).toEqual([{ sheet: 'Annexe 2', cell: 'C10', rawValue: '1,050 000 €', correctedValue: '1 050 000 €', correctedBy: 'Préfecture', correctedAt: expect.any(String) }]);

    // Applied without row 16 only: C10 goes in as read by the person.
    const response = await fetch(`${base}/api/imports/${again.batchId}/apply?allowPartial=true`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).applied.rowsLeftOut).toBe(1);
    expect((await correct(admin, { ...c10, value: '1 050 001 €' })).status).toBe(409);

    const { body } = await api.graphql(`{ relanceMeasures(contract: "CRTE-DOUAISIS") { amounts { amount rawValue sourceCell correction { rawValue correctedValue correctedBy } } } }`);
    expect(body.errors).toBeUndefined();
    const amounts = (body.data.relanceMeasures as Array<{ amounts: any[] }>).flatMap((measure) => measure.amounts);
    expect(amounts.filter((amount) => amount.correction)).toEqual([
      { amount: '1050000.00', rawValue: '1 050 000 €', sourceCell: 'C10', correction: { rawValue: '1,050 000 €', correctedValue: '1 050 000 €', correctedBy: 'Préfecture' } },
    ]);
    expect(amounts.some((amount) => amount.sourceCell === 'D10')).toBe(true);
  });

  it('keeps the correction of an annex 3 cell on its funding line (Funding.correction), as for the annex 2', async () => {
    // A partner's programmation with one doubtful amount, as Douaisis Agglo would send it.
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(
      book,
      XLSX.utils.aoa_to_sheet([
        ['N° action', 'Intitulé', 'Orientation', "Maître d'ouvrage", 2022, 2023],
        ['DA-01', 'Quartier d’affaires EuraDouai', '2.1', 'Douaisis Agglo', '1,050 000 €', 1000],
      ]),
      'Prog',
    );
    const form = new FormData();
    for (const [name, value] of Object.entries({ kind: 'annex3', source: 'Douaisis Agglo', contract: 'CRTE-DOUAISIS', dryRun: 'true' })) form.append(name, value);
    form.append('file', new Blob([XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer]), 'programmation-da.xlsx');
    const previewed = (await (await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } })).json()) as any;
    expect(previewed.issues.filter((issue: any) => issue.severity === 'ERROR').map((issue: any) => `${issue.sheet}!${issue.cell} ${issue.code}`)).toEqual(['Prog!E2 AMOUNT_AMBIGUOUS']);
    const corrected = await fetch(`${base}/api/imports/${previewed.batchId}/corrections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sheet: 'Prog', cell: 'E2', value: '1050000' }),
    });
    expect(corrected.status).toBe(200);
    const applied = await fetch(`${base}/api/imports/${previewed.batchId}/apply`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect(((await applied.json()) as any).status).toBe('APPLIED');

    const { body } = await api.graphql(`{ fundings(filter: { contract: "CRTE-DOUAISIS" }, first: 500) { nodes { amount year source { sheet cell rawValue } correction { sheet cell rawValue correctedValue correctedBy correctedAt } } } }`);
    expect(body.errors).toBeUndefined();
    const lines = body.data.fundings.nodes as any[];
    expect(lines.filter((line) => line.correction)).toEqual([
      {
        amount: '1050000.00',
        year: 2022,
        source: { sheet: 'Prog', cell: 'E2', rawValue: '1050000' },
        correction: { sheet: 'Prog', cell: 'E2', rawValue: '1,050 000 €', correctedValue: '1050000', correctedBy: 'Préfecture', correctedAt: expect.any(String) },
      },
    ]);
    // The cell read as written keeps no correction.
    expect(lines.find((line) => line.source.cell === 'F2')).toMatchObject({ amount: '1000.00', correction: null });
  });
});
