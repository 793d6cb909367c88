import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as XLSX from 'xlsx';
import { createToken } from '../../src/auth/token.service';
import { Role } from '../../src/kernel/role.enum';
import { ANNEX3_SHEET, LINES_SHEET } from '../../src/export/annex3-export';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';

/** The downloaded annex read back as a reader would: rows of cached values, located by their labels. */
interface Annex {
  rows: unknown[][];
  header: string[];
  lines: Record<string, unknown>[];
  /** Amount of a row (found by its first cell) in a column (found by its header), as a decimal string. */
  amount(rowLabel: string, column: string): string | undefined;
}

/** Cents of the « Lignes » sheet's amounts (each a number written from an exact decimal). */
function sumLines(lines: Record<string, unknown>[]): bigint {
  return lines.reduce((total, line) => total + BigInt(Math.round(Number(line['Montant (€)']) * 100)), 0n);
}

function euros(value: unknown): string | undefined {
  return typeof value === 'number' ? value.toFixed(2) : undefined;
}

function readAnnex(buffer: Buffer): Annex {
  const workbook = XLSX.read(buffer, { type: 'buffer' });
  const rows = XLSX.utils.sheet_to_json<unknown[]>(workbook.Sheets[ANNEX3_SHEET], { header: 1, raw: true, defval: null });
  const headerIndex = rows.findIndex((row) => row[0] === 'Code');
  const header = rows[headerIndex].map((value) => String(value ?? ''));
  const lines = XLSX.utils.sheet_to_json<Record<string, unknown>>(workbook.Sheets[LINES_SHEET]);
  return {
    rows,
    header,
    lines,
    amount(rowLabel, column) {
      const row = rows.slice(headerIndex + 1).find((candidate) => candidate[0] === rowLabel);
      const index = header.indexOf(column);
      if (!row) throw new Error(`no row « ${rowLabel} »`);
      if (index < 0) throw new Error(`no column « ${column} » in ${header.join(' | ')}`);
      return euros(row[index]) ?? (row[index] === null ? '0.00' : String(row[index]));
    },
  };
}

describe(`GET /api/export/annex3.xlsx on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    const imports: Array<[string, ImportKind, string]> = [
      ['annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires'],
      ['annexe3-douaisis-agglo-2022.xlsx', ImportKind.ANNEX3, 'Douaisis Agglo'],
      ['annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME'],
      ['dotations-detr-dsil-fnadt-2017-2021.xlsx', ImportKind.DOTATIONS, 'Etat'],
    ];
    for (const [file, kind, source] of imports) {
      const path = fixturePath(file);
      const result = await importFile(db.dataSource, { buffer: readFileSync(path), fileName: basename(path), kind, source, contract: CONTRACT });
      expect(result.status).toBe('APPLIED');
    }
    api = await startTestServer({ db });
    base = `http://localhost:${api.server.port}`;
  }, 180000);
  afterAll(async () => api?.close());

  async function download(query: string): Promise<{ response: Response; annex: Annex }> {
    const response = await fetch(`${base}/api/export/annex3.xlsx${query}`);
    expect(response.status).toBe(200);
    return { response, annex: readAnnex(Buffer.from(await response.arrayBuffer())) };
  }

  /** fundingTotals for the contract at a stage, grouped by one dimension, keyed by `key`. */
  async function totals(dimension: string, selection: string, stage: string, key: (total: any) => string | null): Promise<Map<string, { amount: string; lines: number }>> {
    const { body } = await api.graphql(
      `query ($filter: FundingFilter) { fundingTotals(groupBy: [${dimension}], filter: $filter) { ${selection} amount lines } }`,
      { filter: { contract: CONTRACT, stage: [stage] } },
    );
    expect(body.errors).toBeUndefined();
    const result = new Map<string, { amount: string; lines: number }>();
    for (const total of body.data.fundingTotals) {
      const name = key(total);
      if (name !== null) result.set(name, { amount: total.amount, lines: total.lines });
    }
    return result;
  }

  /** Every figure of the workbook against fundingTotals: grand total, funders, years, actions, orientations, axes. */
  async function expectAgreesWithFundingTotals(annex: Annex, stage: string): Promise<void> {
    const [contract] = [...(await totals('CONTRACT', 'contract { code }', stage, (t) => t.contract.code)).values()];
    expect(annex.amount('TOTAL GÉNÉRAL', 'Total')).toBe(contract?.amount ?? '0.00');
    expect(annex.lines).toHaveLength(contract?.lines ?? 0);

    const byFunder = await totals('FUNDER', 'funder { name }', stage, (t) => t.funder.name);
    const funderColumns = annex.header.slice(6, annex.header.findIndex((label) => /^\d{4}/.test(label)));
    expect(new Set(funderColumns)).toEqual(new Set(byFunder.keys()));
    for (const [funder, { amount }] of byFunder) expect([funder, annex.amount('TOTAL GÉNÉRAL', funder)]).toEqual([funder, amount]);

    const byYear = await totals('YEAR', 'year', stage, (t) => String(t.year));
    for (const [year, { amount }] of byYear) {
      const column = annex.header.find((label) => label === year || label === `${year} (hors période)`)!;
      expect([year, annex.amount('TOTAL GÉNÉRAL', column)]).toEqual([year, amount]);
    }

    const byAction = await totals('ACTION', 'action { code }', stage, (t) => t.action?.code ?? null);
    for (const [code, { amount }] of byAction) expect([code, annex.amount(code, 'Total')]).toEqual([code, amount]);

    const byOrientation = await totals('ORIENTATION', 'orientation { code }', stage, (t) => t.orientation?.code ?? null);
    for (const [code, { amount }] of byOrientation) expect([code, annex.amount(`Sous-total orientation ${code}`, 'Total')]).toEqual([code, amount]);

    const byAxis = await totals('AXIS', 'axis { number }', stage, (t) => (t.axis ? String(t.axis.number) : null));
    for (const [axis, { amount }] of byAxis) expect([axis, annex.amount(`Sous-total axe ${axis}`, 'Total')]).toEqual([axis, amount]);
  }

  it('builds the PLANNED annex of the contract: every figure is the one fundingTotals gives, and the fixtures’ figures', async () => {
    const { response, annex } = await download(`?contract=${CONTRACT}`);
    expect(response.headers.get('content-type')).toContain('spreadsheetml');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?annexe3-CRTE-DOUAISIS-PLANNED\.xlsx"?$/);
    expect(annex.rows[0][0]).toBe('Annexe 3 – Tableau récapitulatif des investissements des partenaires sur la période 2021-2026');
    expect(String(annex.rows[2][0])).toContain('montants prévus');
    expect(String(annex.rows[2][0])).not.toContain('PLANNED');

    await expectAgreesWithFundingTotals(annex, 'PLANNED');

    // test/fixtures/partners/README.md: Banque des Territoires 10 lines, 20 100 000 €; Douaisis Agglo 14 lines, 19 650 000 € in 2022.
    expect(annex.amount('TOTAL GÉNÉRAL', 'Total')).toBe('39750000.00');
    expect(annex.amount('TOTAL GÉNÉRAL', 'Banque des Territoires')).toBe('20100000.00');
    expect(annex.lines.filter((line) => line.Financeur === 'Banque des Territoires')).toHaveLength(10);
    const fromDouaisisAgglo = annex.lines.filter((line) => line.Fichier === 'annexe3-douaisis-agglo-2022.xlsx');
    expect(fromDouaisisAgglo).toHaveLength(14);
    expect(new Set(fromDouaisisAgglo.map((line) => line.Année))).toEqual(new Set([2022]));
    expect(sumLines(fromDouaisisAgglo)).toBe(1965000000n);
    expect(sumLines(annex.lines.filter((line) => line.Financeur === 'Banque des Territoires'))).toBe(2010000000n);
    // DA-01: Banque des Territoires 12 500 000 € (2023–2025), and from Douaisis Agglo DSIL 1 500 000, Région 2 500 000, EPCI 8 000 000.
    expect(annex.amount('DA-01', 'Banque des Territoires')).toBe('12500000.00');
    expect(annex.amount('DA-01', 'Total')).toBe('24500000.00');
    expect(annex.amount('DA-01', 'Région Hauts-de-France')).toBe('2500000.00');
    // Every line keeps its cell.
    expect(annex.lines.every((line) => typeof line.Cellule === 'string' && line.Fichier)).toBe(true);
    // No envelope is planned: the title block says so.
    expect(String(annex.rows[7][0])).toBe('Total général : 39\u202f750\u202f000,00 €, entièrement rattachés à des actions (aucune enveloppe sans action à cette étape).');
    // All 16 orientations of the contract are there, funded or not.
    expect(annex.rows.filter((row) => String(row[0]).startsWith('Sous-total orientation '))).toHaveLength(16);
  });

  it('builds the GRANTED annex (ADEME: 1 046 000,50 €) with the contract found alone', async () => {
    const { response, annex } = await download('?stage=granted');
    expect(response.headers.get('content-disposition')).toContain('annexe3-CRTE-DOUAISIS-GRANTED.xlsx');
    await expectAgreesWithFundingTotals(annex, 'GRANTED');
    expect(annex.amount('TOTAL GÉNÉRAL', 'Agence de la transition écologique')).toBe('1046000.50');
  });

  it('puts the paid dotations in « Enveloppes sans action » and still agrees with fundingTotals', async () => {
    const { annex } = await download(`?contract=${CONTRACT}&stage=PAID`);
    await expectAgreesWithFundingTotals(annex, 'PAID');
    // The dotations table: Douaisis Agglo 16 546 179,90 €, Cœur d'Ostrevent 6 247 864,84 €.
    expect(annex.amount('Sous-total enveloppes sans action', 'Total')).toBe('22794044.74');
    const paidByActions = BigInt(annex.amount('Total des actions', 'Total')!.replace('.', ''));
    expect(paidByActions + 2279404474n).toBe(BigInt(annex.amount('TOTAL GÉNÉRAL', 'Total')!.replace('.', '')));
    expect(annex.rows.some((row) => String(row[1]).startsWith('Enveloppe DETR – '))).toBe(true);
  });

  it('answers an unknown contract with 404 and a bad stage with 400, in French', async () => {
    const unknown = await fetch(`${base}/api/export/annex3.xlsx?contract=CRTE-NULLE-PART`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'Le contrat « CRTE-NULLE-PART » n’existe pas.', field: 'contract' });
    const bad = await fetch(`${base}/api/export/annex3.xlsx?contract=${CONTRACT}&stage=VOTED`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'Le paramètre « stage » doit valoir PLANNED, REQUESTED, GRANTED, PAID (reçu « VOTED »).', field: 'stage' });
  });

  it('asks for a valid token when reads require one', async () => {
    const guarded = await startTestServer({ db, config: { readRequiresToken: true } });
    try {
      const url = `http://localhost:${guarded.server.port}/api/export/annex3.xlsx`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      const { secret } = await createToken(db.dataSource, { name: 'COPIL', role: Role.READER, organisationId: null });
      expect((await fetch(url, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    } finally {
      await guarded.server.close();
    }
  });
});
