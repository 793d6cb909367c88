import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import express from 'express';
import * as XLSX from 'xlsx';
import { Action } from '../../src/action/action.entity';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { formatCents, parseCents } from '../../src/kernel/money';
import { createExportRouter } from '../../src/export/export.routes';
import { EXPORT_PAGE_SIZE, FUNDING_EXPORT_COLUMNS } from '../../src/export/fundings-export';
import { Funding } from '../../src/funding/funding.entity';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { buildLargeContract } from '../support/builders';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { QueryCounter } from '../support/query-counter';
import { startTestServer, TestServer } from '../support/server';
import { parseCsv } from '../support/csv';

const DOUAISIS = 'CRTE-DOUAISIS';
const LABELS = FUNDING_EXPORT_COLUMNS.map((column) => column.label);

/** CSV rows as objects keyed by column key. */
function csvRecords(text: string, separator: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text, separator);
  expect(header).toEqual(LABELS);
  return rows.map((row) => {
    expect(row).toHaveLength(LABELS.length);
    return Object.fromEntries(FUNDING_EXPORT_COLUMNS.map((column, i) => [column.key, row[i]]));
  });
}

const sumOf = (amounts: string[]) => formatCents(amounts.reduce((sum, amount) => sum + parseCents(amount), 0n));

describe(`funding exports on ${TEST_DATABASE_TYPE}`, () => {
  const counter = new QueryCounter();
  let db: TestDatabase;
  let api: TestServer;
  let base: string;
  let largeCents: bigint[];
  let readerToken: string;

  beforeAll(async () => {
    db = await createTestDatabase({ logger: counter });
    await seedReferenceData(db.dataSource);
    const imports: Array<[string, ImportKind, string]> = [
      ['annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires'],
      ['annexe3-douaisis-agglo-2022.xlsx', ImportKind.ANNEX3, 'Douaisis Agglo'],
      ['annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME'],
      ['dotations-detr-dsil-fnadt-2017-2021.xlsx', ImportKind.DOTATIONS, 'Etat'],
    ];
    for (const [file, kind, source] of imports) {
      const result = await importFile(db.dataSource, { buffer: readFileSync(fixturePath(file)), fileName: file, kind, source, contract: DOUAISIS });
      expect(result.status).toBe('APPLIED');
    }

    // A contract whose labels are hostile to spreadsheets, with a negative amount.
    await buildLargeContract(db.dataSource, { code: 'CRTE-HOSTILE', actions: 4, fundingsPerAction: 1 });
    const hostileActions = await db.dataSource.getRepository(Action).find({ where: { code: 'ACT-0000' }, relations: { contract: true } });
    const hostile = hostileActions.filter((action) => action.contract.code === 'CRTE-HOSTILE');
    const titles = ['=HYPERLINK("http://x","clic")', '@SUM(1)', '-2+3', 'Voirie, réseaux ; "divers"\nsuite'];
    const actions = await db.dataSource.getRepository(Action).find({ where: { contractId: hostile[0].contractId }, order: { id: 'ASC' } });
    for (const [i, action] of actions.entries()) await db.dataSource.getRepository(Action).update(action.id, { title: titles[i] });
    const first = await db.dataSource.getRepository(Funding).findOneOrFail({ where: { actionId: actions[0].id } });
    await db.dataSource.getRepository(Funding).update(first.id, { amount: '-1500.25', approximate: true, rawValue: '+1500,25 €' });
    await db.dataSource.getRepository(Organisation).update({ id: first.funderId }, { name: '+33 tab\tfinanceur' });

    // More lines than one keyset page.
    largeCents = (await buildLargeContract(db.dataSource, { code: 'CRTE-LARGE', actions: 500, fundingsPerAction: 10 })).fundingCents;
    expect(largeCents.length).toBeGreaterThan(2 * EXPORT_PAGE_SIZE);

    readerToken = (await createToken(db.dataSource, { name: 'Lecteur', role: Role.READER, organisationId: null })).secret;
    api = await startTestServer({ db });
    base = `http://localhost:${api.server.port}`;
  }, 180000);
  afterAll(async () => api?.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(base + path, { headers });

  async function csv(query: string): Promise<Array<Record<string, string>>> {
    const response = await get(`/api/export/fundings.csv?${query}`);
    expect(response.status).toBe(200);
    return csvRecords(await response.text(), ',');
  }

  /** fundingTotals through GraphQL, grouped by contract: the figure the export must agree with. */
  async function graphqlTotal(filter: Record<string, unknown>): Promise<{ amount: string; lines: number }> {
    const { body } = await api.graphql('query ($filter: FundingFilter) { fundingTotals(groupBy: [CONTRACT], filter: $filter) { amount lines } }', { filter });
    expect(body.errors).toBeUndefined();
    const totals: Array<{ amount: string; lines: number }> = body.data.fundingTotals;
    return { amount: sumOf(totals.map((total) => total.amount)), lines: totals.reduce((sum, total) => sum + total.lines, 0) };
  }

  it('CSV: one row per current line, the fixtures’ figures, with labels and lineage', async () => {
    const response = await get(`/api/export/fundings.csv?contract=${DOUAISIS}&funder=Banque%20des%20Territoires`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?financements-CRTE-DOUAISIS-\d{4}-\d{2}-\d{2}\.csv"?$/);
    const text = await response.text();
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const rows = csvRecords(text, ',');
    expect(rows).toHaveLength(10);
    expect(sumOf(rows.map((row) => row.amount))).toBe('20100000.00');
    expect(sumOf(rows.filter((row) => row.actionCode === 'DA-01').map((row) => row.amount))).toBe('12500000.00');
    for (const row of rows) {
      expect(row.contractCode).toBe(DOUAISIS);
      expect(row.funder).toBe('Banque des Territoires');
      expect(row.stage).toBe('PLANNED');
      expect(row.fileName).toBe('annexe3-banque-des-territoires-2023.xlsx');
      expect(row.declaredBy).toBe('Banque des Territoires');
      expect(row.importKind).toBe('annex3');
      expect(row.batchId).toMatch(/^\d+$/);
      expect(row.sheet).not.toBe('');
      expect(row.cell).toMatch(/^[A-Z]+\d+$/);
      expect(row.uploadedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(row.actionTitle).not.toBe('');
      expect(row.orientationCode).toMatch(/^\d\.\d$/);
      expect(row.axisNumber).toBe(row.orientationCode[0]);
      expect(row.amount).toMatch(/^\d+\.\d{2}$/);
    }

    const agglo = await csv(`contract=${DOUAISIS}&source=Douaisis%20Agglo&kind=annex3`);
    expect(agglo).toHaveLength(14);
    expect(sumOf(agglo.map((row) => row.amount))).toBe('19650000.00');
    expect(new Set(agglo.map((row) => row.declaredBy))).toEqual(new Set(['CA Douaisis Agglo']));
    expect(new Set(agglo.map((row) => row.year))).toEqual(new Set(['2022']));

    expect(sumOf((await csv('funder=ADEME&stage=REQUESTED')).map((row) => row.amount))).toBe('1762000.00');
    expect(sumOf((await csv('funder=ADEME&stage=granted')).map((row) => row.amount))).toBe('1046000.50');
    expect(sumOf((await csv('funder=ADEME&stage=PAID')).map((row) => row.amount))).toBe('83200.00');

    const dotations = await csv('kind=dotations');
    expect(dotations).toHaveLength(30);
    const paidTo = (territory: string) => sumOf(dotations.filter((row) => row.territory === territory).map((row) => row.amount));
    const territories = [...new Set(dotations.map((row) => row.territory))].sort();
    expect(territories).toHaveLength(2);
    const agglomeration = territories.find((name) => /Douaisis/.test(name))!;
    const ostrevent = territories.find((name) => /Ostrevent/.test(name))!;
    expect(paidTo(agglomeration)).toBe('16546179.90');
    expect(paidTo(ostrevent)).toBe('6247864.84');
    expect(sumOf((await csv('kind=dotations&beneficiary=200044618')).map((row) => row.amount))).toBe('16546179.90');
    expect(dotations.every((row) => row.actionCode === '' && row.stage === 'PAID' && row.programmeCode !== '')).toBe(true);
  });

  it('French CSV: BOM, « ; », decimal comma — the same cents as the plain CSV', async () => {
    const plain = await csv(`contract=${DOUAISIS}`);
    const response = await get(`/api/export/fundings.csv?contract=${DOUAISIS}&format=fr`);
    expect(response.status).toBe(200);
    const buffer = Buffer.from(await response.arrayBuffer());
    expect([...buffer.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buffer.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe(LABELS.join(';'));
    const french = csvRecords(text, ';');
    expect(french).toHaveLength(plain.length);
    french.forEach((row, i) => {
      expect(row.amount).toMatch(/^-?\d+,\d{2}$/);
      expect(parseCents(row.amount.replace(',', '.'))).toBe(parseCents(plain[i].amount));
      expect(row.year).toBe(plain[i].year);
      expect(row.actionTitle).toBe(plain[i].actionTitle);
    });
    const total = await graphqlTotal({ contract: DOUAISIS });
    expect(french).toHaveLength(total.lines);
    expect(sumOf(french.map((row) => row.amount.replace(',', '.')))).toBe(total.amount);
    // Accents survive, in UTF-8.
    expect(french.some((row) => row.funder === 'Région Hauts-de-France')).toBe(true);
  });

  it('xlsx: typed cells — amounts are numbers formatted #,##0.00, years integers, dates dates', async () => {
    const response = await get(`/api/export/fundings.xlsx?contract=${DOUAISIS}&funder=ADEME`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers.get('content-disposition')).toMatch(/filename="?financements-CRTE-DOUAISIS-[\d-]+\.xlsx"?$/);
    const workbook = XLSX.read(Buffer.from(await response.arrayBuffer()), { type: 'buffer', cellNF: true });
    expect(workbook.SheetNames).toEqual(['Financements']);
    const sheet = workbook.Sheets.Financements;
    const header = XLSX.utils.sheet_to_json<string[]>(sheet, { header: 1 })[0];
    expect(header).toEqual(LABELS);
    const column = (key: string) => XLSX.utils.encode_col(FUNDING_EXPORT_COLUMNS.findIndex((c) => c.key === key));
    const range = XLSX.utils.decode_range(sheet['!ref']!);
    expect(range.e.r).toBe(13); // 13 ADEME lines under the header
    let granted = 0n;
    for (let r = 2; r <= range.e.r + 1; r++) {
      const amount = sheet[`${column('amount')}${r}`];
      expect(amount.t).toBe('n');
      expect(amount.z).toBe('#,##0.00');
      const year = sheet[`${column('year')}${r}`];
      expect(year.t).toBe('n');
      expect(Number.isInteger(year.v)).toBe(true);
      expect(sheet[`${column('uploadedAt')}${r}`].t).toBe('n');
      expect(sheet[`${column('approximate')}${r}`].t).toBe('b');
      expect(sheet[`${column('funder')}${r}`]).toMatchObject({ t: 's', v: 'Agence de la transition écologique' });
      if (sheet[`${column('stage')}${r}`].v === 'Attribué') granted += BigInt(Math.round(amount.v * 100));
    }
    expect(formatCents(granted)).toBe('1046000.50');
  });

  describe('closed sets: French labels in the files people open, codes for BI tools', () => {
    // Written out here, not read from the code under test: what a person reads in the file.
    const STAGES: Record<string, string> = { PLANNED: 'Prévu', REQUESTED: 'Demandé', GRANTED: 'Attribué', PAID: 'Payé' };
    const INSTRUMENTS: Record<string, string> = { SUBSIDY: 'Subvention', LOAN: 'Prêt', ENGINEERING: 'Ingénierie', OWN_FUNDS: 'Fonds propres', TAX_RELIEF: 'Avantage fiscal', OTHER: 'Autre' };
    const KINDS: Record<string, string> = { STATE: 'État', STATE_OPERATOR: 'Opérateur de l’État', EPCI: 'EPCI', REGION: 'Région', DEPARTMENT: 'Département', COMMUNE: 'Commune', EU: 'Union européenne' };
    const FILES: Record<string, string> = { annex3: 'Annexe 3 — investissements', dotations: 'Dotations de l’État (DETR, DSIL, FNADT)' };
    const CLOSED = ['stage', 'instrument', 'funderKind', 'importKind'] as const;
    // « EPCI » is both the code and the French word.
    const ENGLISH = /^(PLANNED|REQUESTED|GRANTED|PAID|SUBSIDY|LOAN|ENGINEERING|OWN_FUNDS|TAX_RELIEF|OTHER|STATE|STATE_OPERATOR|REGION|DEPARTMENT|COMMUNE|EU|annex3|annex2|dotations|grants|manual)$/;

    function expectFrench(plain: Array<Record<string, string>>, people: Array<Record<string, unknown>>): void {
      expect(people).toHaveLength(plain.length);
      people.forEach((row, i) => {
        expect(row.stage).toBe(STAGES[plain[i].stage]);
        expect(row.instrument).toBe(INSTRUMENTS[plain[i].instrument]);
        expect(row.funderKind).toBe(KINDS[plain[i].funderKind]);
        expect(row.importKind).toBe(FILES[plain[i].importKind]);
        for (const key of CLOSED) expect(String(row[key])).not.toMatch(ENGLISH);
      });
    }

    it('plain CSV keeps the codes: PLANNED, LOAN, STATE_OPERATOR, annex3', async () => {
      const plain = await csv(`contract=${DOUAISIS}`);
      const seen = (key: string) => new Set(plain.map((row) => row[key]));
      expect(seen('stage')).toEqual(new Set(['PLANNED', 'REQUESTED', 'GRANTED', 'PAID']));
      expect([...seen('instrument')]).toEqual(expect.arrayContaining(['SUBSIDY', 'LOAN']));
      expect([...seen('funderKind')]).toEqual(expect.arrayContaining(['STATE', 'STATE_OPERATOR']));
      expect(seen('importKind')).toEqual(new Set(['annex3', 'dotations']));
    });

    it('French CSV: « Prévu », « Prêt », « Opérateur de l’État », « Annexe 3 — investissements », never the codes', async () => {
      const plain = await csv(`contract=${DOUAISIS}`);
      const text = Buffer.from(await (await get(`/api/export/fundings.csv?contract=${DOUAISIS}&format=fr`)).arrayBuffer()).toString('utf8').slice(1);
      const french = csvRecords(text, ';');
      expectFrench(plain, french);
      const seen = (key: string) => new Set(french.map((row) => row[key]));
      expect(seen('stage')).toEqual(new Set(['Prévu', 'Demandé', 'Attribué', 'Payé']));
      expect([...seen('instrument')]).toEqual(expect.arrayContaining(['Subvention', 'Prêt']));
      expect([...seen('funderKind')]).toEqual(expect.arrayContaining(['État', 'Opérateur de l’État']));
      // The same lines, the same cents.
      expect(sumOf(french.map((row) => row.amount.replace(',', '.')))).toBe(sumOf(plain.map((row) => row.amount)));
    });

    it('xlsx: the same French labels as text cells', async () => {
      const plain = await csv(`contract=${DOUAISIS}`);
      const workbook = XLSX.read(Buffer.from(await (await get(`/api/export/fundings.xlsx?contract=${DOUAISIS}`)).arrayBuffer()), { type: 'buffer' });
      const [header, ...rows] = XLSX.utils.sheet_to_json<unknown[]>(workbook.Sheets.Financements, { header: 1, defval: null });
      expect(header).toEqual(LABELS);
      const records = rows.map((row) => Object.fromEntries(FUNDING_EXPORT_COLUMNS.map((column, i) => [column.key, row[i]])));
      expectFrench(plain, records);
      expect(records.filter((row) => row.instrument === 'Prêt').length).toBe(plain.filter((row) => row.instrument === 'LOAN').length);
    });

    it('JSON keeps the codes', async () => {
      const rows = (await (await get(`/api/export/fundings.json?contract=${DOUAISIS}&stage=PLANNED`)).json()) as Array<Record<string, unknown>>;
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((row) => row.stage))).toEqual(new Set(['PLANNED']));
      expect(rows.every((row) => row.importKind === 'annex3')).toBe(true);
    });
  });

  it('JSON: amounts are exact decimal strings, years numbers, dates ISO', async () => {
    const response = await get(`/api/export/fundings.json?contract=${DOUAISIS}&funder=ADEME&stage=GRANTED`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const rows: any[] = await response.json() as any[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(FUNDING_EXPORT_COLUMNS.map((c) => c.key));
      expect(typeof row.amount).toBe('string');
      expect(row.amount).toMatch(/^-?\d+\.\d{2}$/);
      expect(typeof row.year).toBe('number');
      expect(typeof row.id).toBe('number');
      expect(typeof row.approximate).toBe('boolean');
      expect(new Date(row.uploadedAt).toISOString()).toBe(row.uploadedAt);
    }
    expect(sumOf(rows.map((row) => row.amount))).toBe('1046000.50');
    expect(rows.some((row) => row.amount === '950000.50')).toBe(true);
    const empty = await get(`/api/export/fundings.json?contract=${DOUAISIS}&yearFrom=1990&yearTo=1990`);
    expect(await empty.json()).toEqual([]);
  });

  it('filters agree with GraphQL fundingTotals', async () => {
    const filters: Array<[string, Record<string, unknown>]> = [
      [`contract=${DOUAISIS}`, { contract: DOUAISIS }],
      [`contract=${DOUAISIS}&stage=GRANTED,PAID`, { contract: DOUAISIS, stage: ['GRANTED', 'PAID'] }],
      [`contract=${DOUAISIS}&stage=REQUESTED&stage=PLANNED`, { contract: DOUAISIS, stage: ['REQUESTED', 'PLANNED'] }],
      [`contract=${DOUAISIS}&yearFrom=2022&yearTo=2023`, { contract: DOUAISIS, yearFrom: 2022, yearTo: 2023 }],
      ['yearFrom=2021&yearTo=2021&kind=dotations', { yearFrom: 2021, yearTo: 2021, kind: ['DOTATIONS'] }],
      ['funder=ADEME', { funder: 'ADEME' }],
      ['funder=Banque%20des%20Territoires&instrument=LOAN', { funder: 'Banque des Territoires', instrument: ['LOAN'] }],
      [`contract=${DOUAISIS}&kind=annex3&programme=DSIL`, { contract: DOUAISIS, kind: ['ANNEX3'], programme: 'DSIL' }],
      [`contract=${DOUAISIS}&axis=1`, { contract: DOUAISIS, axis: 1 }],
      [`contract=${DOUAISIS}&orientation=1.2`, { contract: DOUAISIS, orientation: '1.2' }],
      ['action=DA-01', { action: 'DA-01' }],
      ['source=Etat&beneficiary=245901152', { source: 'Etat', beneficiary: '245901152' }],
      [`contract=${DOUAISIS}&asOf=2000-01-01`, { contract: DOUAISIS }],
    ];
    for (const [query, filter] of filters) {
      const rows = await csv(query);
      const total = query.includes('asOf') ? { amount: '0.00', lines: 0 } : await graphqlTotal(filter);
      expect({ query, lines: rows.length, amount: sumOf(rows.map((row) => row.amount)) }).toEqual({ query, ...total });
    }
    const douaisis = await graphqlTotal({ contract: DOUAISIS });
    expect(douaisis.lines).toBeGreaterThan(60);
  });

  it('neutralises formulas in both CSVs, keeps text as text in xlsx and JSON, and a negative amount stays a number', async () => {
    const plain = await csv('contract=CRTE-HOSTILE');
    const titles = plain.map((row) => row.actionTitle);
    expect(titles).toEqual(['\'=HYPERLINK("http://x","clic")', "'@SUM(1)", "'-2+3", 'Voirie, réseaux ; "divers"\nsuite']);
    const negative = plain.find((row) => row.amount.startsWith('-'))!;
    expect(negative.amount).toBe('-1500.25');
    expect(negative.funder).toBe("'+33 tab\tfinanceur");
    expect(negative.rawValue).toBe("'+1500,25 €");
    expect(negative.approximate).toBe('true');

    // fetch's text() would drop the BOM: decode the bytes as they came.
    const frenchBytes = Buffer.from(await (await get('/api/export/fundings.csv?contract=CRTE-HOSTILE&format=fr')).arrayBuffer());
    expect(frenchBytes.toString('utf8').charCodeAt(0)).toBe(0xfeff);
    const frenchText = frenchBytes.toString('utf8').slice(1);
    const french = csvRecords(frenchText, ';');
    expect(french.map((row) => row.actionTitle)).toEqual(titles);
    expect(french.find((row) => row.amount.startsWith('-'))!.amount).toBe('-1500,25');
    expect(french.find((row) => row.amount.startsWith('-'))!.approximate).toBe('oui');
    expect(frenchText).toContain(';-1500,25;');

    const rows: any[] = await (await get('/api/export/fundings.json?contract=CRTE-HOSTILE')).json() as any[];
    expect(rows.map((row) => row.actionTitle)).toEqual(['=HYPERLINK("http://x","clic")', '@SUM(1)', '-2+3', 'Voirie, réseaux ; "divers"\nsuite']);
    expect(rows[0].amount).toBe('-1500.25');

    const workbook = XLSX.read(Buffer.from(await (await get('/api/export/fundings.xlsx?contract=CRTE-HOSTILE')).arrayBuffer()), { type: 'buffer' });
    const sheet = workbook.Sheets.Financements;
    const column = (key: string) => XLSX.utils.encode_col(FUNDING_EXPORT_COLUMNS.findIndex((c) => c.key === key));
    expect(sheet[`${column('actionTitle')}2`]).toMatchObject({ t: 's', v: '=HYPERLINK("http://x","clic")' });
    expect(sheet[`${column('actionTitle')}2`].f).toBeUndefined();
    expect(sheet[`${column('amount')}2`]).toMatchObject({ t: 'n', v: -1500.25 });
  });

  it(`streams ${5000} lines in keyset pages of ${EXPORT_PAGE_SIZE}, CSV and JSON`, async () => {
    counter.reset();
    const rows = await csv('contract=CRTE-LARGE');
    const pages = counter.statements.filter((sql) => /\bLIMIT\b/i.test(sql) && /funding/.test(sql));
    expect(rows).toHaveLength(largeCents.length);
    expect(sumOf(rows.map((row) => row.amount))).toBe(formatCents(largeCents.reduce((a, b) => a + b, 0n)));
    expect(pages).toHaveLength(Math.floor(largeCents.length / EXPORT_PAGE_SIZE) + 1);
    // Keyset, not offset: each page starts after the last id, and ids come out strictly increasing.
    expect(pages.every((sql) => !/OFFSET/i.test(sql))).toBe(true);
    const ids = rows.map((row) => Number(row.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);

    const json: any[] = await (await get('/api/export/fundings.json?contract=CRTE-LARGE')).json() as any[];
    expect(json).toHaveLength(largeCents.length);
    expect(sumOf(json.map((row) => row.amount))).toBe(formatCents(largeCents.reduce((a, b) => a + b, 0n)));
    expect(await graphqlTotal({ contract: 'CRTE-LARGE' })).toEqual({ amount: sumOf(json.map((row) => row.amount)), lines: json.length });
  });

  it('refuses bad parameters with a French message naming the parameter', async () => {
    const cases: Array<[string, number, string, RegExp]> = [
      ['fundings.csv?stage=BOGUS', 400, 'stage', /Étape inconnue « BOGUS »/],
      ['fundings.csv?stage=PAID,NOPE', 400, 'stage', /« NOPE »/],
      ['fundings.csv?instrument=GIFT', 400, 'instrument', /Nature de financement inconnue « GIFT »/],
      ['fundings.csv?kind=annex9', 400, 'kind', /Type de fichier inconnu « annex9 »/],
      ['fundings.json?yearFrom=2O22', 400, 'yearFrom', /« 2O22 » n’est pas un nombre entier/],
      ['fundings.json?yearTo=2022.5', 400, 'yearTo', /nombre entier/],
      ['fundings.json?yearFrom=2024&yearTo=2022', 400, 'yearFrom', /après/],
      ['fundings.xlsx?axis=un', 400, 'axis', /nombre entier/],
      ['fundings.csv?asOf=31/01/2026', 400, 'asOf', /n’est pas une date ISO 8601/],
      ['fundings.csv?asOf=2026-02-31', 400, 'asOf', /date ISO 8601/],
      ['fundings.csv?contract=A&contract=B', 400, 'contract', /ne prend qu’une valeur/],
      ['fundings.csv?yearfrom=2022', 400, 'yearfrom', /Paramètre inconnu « yearfrom »/],
      ['fundings.csv?format=excel', 400, 'format', /Variante « excel » inconnue/],
      ['fundings.pdf', 404, 'format', /Format « pdf » inconnu/],
    ];
    for (const [path, status, field, message] of cases) {
      const response = await get(`/api/export/${path}`);
      const body = (await response.json()) as any;
      expect({ path, status: response.status, field: body.field }).toEqual({ path, status, field });
      expect(body.error).toMatch(message);
    }
  });

  it('asks for a token when reads require one, and always refuses a bad one', async () => {
    const bad = await get('/api/export/fundings.csv', { authorization: 'Bearer crte_nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');

    const closed = await startTestServer({ db, config: { readRequiresToken: true } });
    try {
      const url = `http://localhost:${closed.server.port}/api/export/fundings.json?funder=ADEME&stage=PAID`;
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as any).error).toMatch(/jeton d’accès est requis/);
      const reader = await fetch(url, { headers: { authorization: `Bearer ${readerToken}` } });
      expect(reader.status).toBe(200);
      expect(sumOf(((await reader.json()) as any[]).map((row) => row.amount))).toBe('83200.00');
    } finally {
      await closed.server.close();
      closed.server.httpServer.close();
    }
  });

  describe('with small pages and a small xlsx cap', () => {
    let server: Server;
    let small: string;
    beforeAll(async () => {
      const app = express();
      app.use(createExportRouter(db.dataSource, { readRequiresToken: false }, { pageSize: 7, maxXlsxRows: 100 }));
      server = createServer(app);
      await new Promise<void>((resolve) => server.listen(0, resolve));
      small = `http://localhost:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('pages of 7 lines give the same rows as one big page', async () => {
      const paged: any[] = await (await fetch(`${small}/api/export/fundings.json?contract=${DOUAISIS}`)).json() as any[];
      const whole: any[] = await (await get(`/api/export/fundings.json?contract=${DOUAISIS}`)).json() as any[];
      expect(paged.length % 7).not.toBe(0);
      expect(paged).toEqual(whole);
    });

    it('refuses an xlsx over the cap, in French, suggesting CSV; under the cap it is served', async () => {
      const refused = await fetch(`${small}/api/export/fundings.xlsx?contract=CRTE-LARGE`);
      expect(refused.status).toBe(413);
      const body = (await refused.json()) as any;
      expect(body.error).toMatch(/dépasse 100 lignes.*CSV/);
      const ok = await fetch(`${small}/api/export/fundings.xlsx?contract=${DOUAISIS}&funder=ADEME`);
      expect(ok.status).toBe(200);
    });
  });
});
