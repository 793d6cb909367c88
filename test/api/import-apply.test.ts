import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import * as XLSX from 'xlsx';
import { loadFile } from '../../src/import-batch/store-preview';
import { formatCents } from '../../src/kernel/money';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { runCrte } from '../support/cli';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { editWorkbook } from '../support/workbook-edit';

const ROOT = join(__dirname, '..', '..');
const BDT = fixturePath('annexe3-banque-des-territoires-2023.xlsx');

/** `crte ARGS --json`, run in this process (test/support/cli.ts). */
const crte = (args: string[], databaseUrl: string) => runCrte([...args, '--json'], databaseUrl);

/** Every current funding line, read back through GraphQL, summed exactly per key. */
async function totals(api: TestServer, by: (line: any) => string): Promise<Record<string, string>> {
  const cents = new Map<string, bigint>();
  let after: string | null = null;
  do {
    const { body }: any = await api.graphql(
      `query ($after: String) { fundings(filter: { contract: "CRTE-DOUAISIS" }, first: 500, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { amount year stage funder { name } action { code } source { cell batch { id } } } } }`,
      { after },
    );
    expect(body.errors).toBeUndefined();
    for (const line of body.data.fundings.nodes) cents.set(by(line), (cents.get(by(line)) ?? 0n) + BigInt(line.amount.replace('.', '')));
    after = body.data.fundings.pageInfo.hasNextPage ? body.data.fundings.pageInfo.endCursor : null;
  } while (after);
  return Object.fromEntries([...cents].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [key, formatCents(value)]));
}

const byAction = (line: any) => `${line.funder.name} ${line.action?.code ?? '-'}`;
const byYearStage = (line: any) => `${line.year} ${line.stage}`;

describe(`applying imports on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = db.dataSource;
    await seedReferenceData(dataSource);
    api = await startTestServer({ db });
  });
  afterAll(async () => api?.close());

  it('applies the Banque des Territoires file once, says UNCHANGED the second time, replaces it with a corrected copy, and rolls both back', async () => {
    const empty = await totals(api, byAction);
    expect(empty).toEqual({});

    const first = await crte(['import', BDT, '--kind', 'annex3', '--source', 'Banque des Territoires'], db.url);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ status: 'APPLIED', total: '20100000.00', applied: { inserted: 10, createdActions: 5 } });
    const afterFirst = await totals(api, byAction);
    expect(afterFirst).toEqual({
      'Banque des Territoires CCCO-03': '2000000.00',
      'Banque des Territoires CCCO-07': '5000000.00',
      'Banque des Territoires DA-01': '12500000.00',
      'Banque des Territoires DA-02': '500000.00',
      'Banque des Territoires DA-15': '100000.00',
    });
    const firstByYear = await totals(api, byYearStage);

    const again = await crte(['import', BDT, '--kind', 'annex3', '--source', 'BdT'], db.url);
    expect(again.code).toBe(0);
    expect(again.json.status).toBe('UNCHANGED');
    expect(await totals(api, byAction)).toEqual(afterFirst);

    // A corrected copy: I6 changed (2 500 000 → 3 000 000), J8 removed, K7 added (100 000).
    const corrected = join(db.config.type === 'sqlite' ? join(db.config.path, '..') : '/tmp', `bdt-corrected-${Date.now()}.xlsx`);
    writeFileSync(corrected, editWorkbook(readFileSync(BDT), 'Programmation 2023', { I6: 3_000_000, J8: null, K7: 100_000 }));
    const second = await crte(['import', corrected, '--kind', 'annex3', '--source', 'Banque des Territoires'], db.url);
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ status: 'APPLIED', total: '18700000.00', counts: { errors: 0 }, applied: { inserted: 10, superseded: 10 } });
    expect(await totals(api, byAction)).toEqual({
      'Banque des Territoires CCCO-07': '5000000.00',
      'Banque des Territoires DA-01': '13000000.00',
      'Banque des Territoires DA-02': '600000.00',
      'Banque des Territoires DA-15': '100000.00',
    });
    // The replaced lines stay in the database, marked with the batch that replaced them.
    const [{ n }] = await dataSource.query('SELECT COUNT(*) AS n FROM funding WHERE superseded_by_batch_id = ?', [second.json.batchId]);
    expect(Number(n)).toBe(10);

    const undoSecond = await crte(['rollback', String(second.json.batchId)], db.url);
    expect(undoSecond.code).toBe(0);
    expect(await totals(api, byAction)).toEqual(afterFirst);
    expect(await totals(api, byYearStage)).toEqual(firstByYear);

    const undoFirst = await crte(['rollback', String(first.json.batchId)], db.url);
    expect(undoFirst.code).toBe(0);
    expect(undoFirst.json).toMatchObject({ status: 'ROLLED_BACK', withdrawn: 10, removedActions: 5 });
    expect(await totals(api, byAction)).toEqual({});
    const [{ actions }] = await dataSource.query('SELECT COUNT(*) AS actions FROM action');
    expect(Number(actions)).toBe(0);
  });

  it('applies a stored preview with crte apply, and refuses to apply it twice', async () => {
    const preview = await crte(['import', fixturePath('dotations-detr-dsil-fnadt-2017-2021.xlsx'), '--kind', 'dotations', '--source', 'Etat', '--dry-run'], db.url);
    expect(preview.json.status).toBe('PREVIEWED');
    const before = await totals(api, byAction);
    const applied = await crte(['apply', String(preview.json.batchId)], db.url);
    expect(applied.code).toBe(0);
    expect(applied.json).toMatchObject({ status: 'APPLIED', applied: { inserted: 30 } });
    const after = await totals(api, (line) => `${line.funder.name} ${line.action?.code ?? '-'}`);
    expect(after).toEqual({ ...before, 'État -': '22794044.74' });
    const twice = await crte(['apply', String(preview.json.batchId)], db.url);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('déjà appliqué');
    await crte(['rollback', String(preview.json.batchId)], db.url);
  });

  it('keeps the file of a preview byte for byte, gzipped when that saves space, and applies it from there', async () => {
    const fixture = fixturePath('dotations-detr-dsil-fnadt-2017-2021.xlsx');
    // The same workbook written without compression, as SheetJS and some exports do: stored gzipped.
    const stored = join(mkdtempSync(join(tmpdir(), 'crte-stored-')), 'dotations-non-compresse.xlsx');
    writeFileSync(stored, XLSX.write(XLSX.read(readFileSync(fixture)), { type: 'buffer', bookType: 'xlsx', compression: false }));
    for (const [file, encoding] of [[fixture, null], [stored, 'gzip']] as const) {
      const preview = await crte(['import', file, '--kind', 'dotations', '--source', 'Etat', '--dry-run'], db.url);
      expect(preview.json.status).toBe('PREVIEWED');
      const [row] = await dataSource.query('SELECT file_encoding AS encoding, size_bytes AS size FROM import_batch WHERE id = ?', [preview.json.batchId]);
      expect(row.encoding).toBe(encoding);
      expect(Number(row.size)).toBe(readFileSync(file).length);
      expect((await loadFile(dataSource.manager, preview.json.batchId)).equals(readFileSync(file))).toBe(true);
      const before = await totals(api, byAction);
      const applied = await crte(['apply', String(preview.json.batchId)], db.url);
      expect(applied.json).toMatchObject({ status: 'APPLIED', applied: { inserted: 30 } });
      expect(await totals(api, byAction)).toEqual({ ...before, 'État -': '22794044.74' });
      await crte(['rollback', String(preview.json.batchId)], db.url);
    }
  });

  it('writes nothing for a file with an error, and with --allow-partial applies the valid rows only', async () => {
    const file = join(db.config.type === 'sqlite' ? join(db.config.path, '..') : '/tmp', `partial-${Date.now()}.xlsx`);
    writeFileSync(file, editWorkbook(readFileSync(BDT), 'Programmation 2023', { H7: -150_000 }));
    const strict = await crte(['import', file, '--kind', 'annex3', '--source', 'BdT'], db.url);
    expect(strict.code).toBe(1);
    expect(strict.json.status).toBe('REJECTED');
    expect(await totals(api, byAction)).toEqual({});
    const partial = await crte(['import', file, '--kind', 'annex3', '--source', 'BdT', '--allow-partial'], db.url);
    expect(partial.code).toBe(0);
    // Row 7 (DA-02) holds the error: its other amount (I7) is left out with it; the other rows are applied.
    expect(partial.json).toMatchObject({ status: 'APPLIED', applied: { inserted: 8, skipped: 1 } });
    const applied = await totals(api, byAction);
    expect(applied['Banque des Territoires DA-02']).toBeUndefined();
    expect(applied['Banque des Territoires DA-01']).toBe('12500000.00');
    await crte(['rollback', String(partial.json.batchId)], db.url);
  });

  it('counts the Région’s own figure when the Douaisis Agglo file disagrees, and lists the conflict with both cells', async () => {
    const agglo = await crte(['import', fixturePath('annexe3-douaisis-agglo-2022.xlsx'), '--kind', 'annex3', '--source', 'Douaisis Agglo'], db.url);
    expect(agglo.json).toMatchObject({ status: 'APPLIED', total: '19650000.00', applied: { inserted: 14 } });
    const regionOnly = (line: any) => (line.funder.name === 'Région Hauts-de-France' ? `${line.action.code} ${line.year}` : 'other');
    expect(await totals(api, regionOnly)).toMatchObject({ 'DA-01 2022': '2500000.00', 'DOU-05 2022': '300000.00' });

    // The Région's own file says 2 000 000 € for DA-01 in 2022.
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(
      book,
      XLSX.utils.aoa_to_sheet([
        ['N° action', "Intitulé de l'action", 2022, 2023],
        ['DA-01', 'Quartier d’affaires EuraDouai', 2_000_000, null],
      ]),
      'Région 2022',
    );
    const file = join(db.config.type === 'sqlite' ? join(db.config.path, '..') : '/tmp', `region-${Date.now()}.xlsx`);
    writeFileSync(file, XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }));
    const region = await crte(['import', file, '--kind', 'annex3', '--source', 'Région Hauts-de-France'], db.url);
    expect(region.json).toMatchObject({ status: 'APPLIED', applied: { inserted: 1 } });

    // Counted once, with the Région's figure; never the two added.
    expect(await totals(api, regionOnly)).toMatchObject({ 'DA-01 2022': '2000000.00', 'DOU-05 2022': '300000.00' });
    const { body } = await api.graphql(`{ fundingConflicts(contract: "CRTE-DOUAISIS") {
      action { code } funder { name } year stage difference
      counted { amount source { reference declaredBy { name } } }
      notCounted { amount source { reference declaredBy { name } } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.fundingConflicts).toEqual([
      {
        action: { code: 'DA-01' },
        funder: { name: 'Région Hauts-de-France' },
        year: 2022,
        stage: 'PLANNED',
        difference: '500000.00',
        counted: { amount: '2000000.00', source: { reference: "'Région 2022'!C2", declaredBy: { name: 'Région Hauts-de-France' } } },
        notCounted: { amount: '2500000.00', source: { reference: "'Tableau financier 2022'!J2", declaredBy: { name: 'CA Douaisis Agglo' } } },
      },
    ]);

    // Without the Région's file, the Agglo's figure counts again.
    await crte(['rollback', String(region.json.batchId)], db.url);
    expect(await totals(api, regionOnly)).toMatchObject({ 'DA-01 2022': '2500000.00' });
    await crte(['rollback', String(agglo.json.batchId)], db.url);
  });

  it('shows the data as it stood at a past moment', async () => {
    const first = await crte(['import', BDT, '--kind', 'annex3', '--source', 'BdT'], db.url);
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const corrected = join(db.config.type === 'sqlite' ? join(db.config.path, '..') : '/tmp', `bdt-asof-${Date.now()}.xlsx`);
    writeFileSync(corrected, editWorkbook(readFileSync(BDT), 'Programmation 2023', { I6: 3_000_000 }));
    const second = await crte(['import', corrected, '--kind', 'annex3', '--source', 'BdT'], db.url);
    expect(second.json.status).toBe('APPLIED');
    const sumAt = async (asOf: string | null) => {
      const { body } = await api.graphql('query ($asOf: DateTimeISO) { fundings(filter: { contract: "CRTE-DOUAISIS", action: "DA-01" }, asOf: $asOf) { nodes { amount } } }', { asOf });
      return formatCents(body.data.fundings.nodes.reduce((total: bigint, line: any) => total + BigInt(line.amount.replace('.', '')), 0n));
    };
    expect(await sumAt(null)).toBe('13000000.00');
    expect(await sumAt(between.toISOString())).toBe('12500000.00');
    const totalsAt = async (asOf: string | null) => {
      const { body } = await api.graphql('query ($asOf: DateTimeISO) { fundingTotals(groupBy: [ACTION], filter: { contract: "CRTE-DOUAISIS", action: "DA-01" }, asOf: $asOf) { amount lines } }', { asOf });
      return body.data.fundingTotals;
    };
    expect(await totalsAt(null)).toEqual([{ amount: '13000000.00', lines: 3 }]);
    expect(await totalsAt(between.toISOString())).toEqual([{ amount: '12500000.00', lines: 3 }]);
    await crte(['rollback', String(second.json.batchId)], db.url);
    await crte(['rollback', String(first.json.batchId)], db.url);
  });

  it('applies the annex 2 measures (its ambiguous cells left out with --allow-partial) and rolls them back', async () => {
    const strict = await crte(['import', fixturePath('annexe2-bilan-plan-de-relance-douaisis.xlsx'), '--kind', 'annex2', '--source', 'Etat'], db.url);
    expect(strict.json.status).toBe('REJECTED');
    const partial = await crte(['import', fixturePath('annexe2-bilan-plan-de-relance-douaisis.xlsx'), '--kind', 'annex2', '--source', 'Etat', '--allow-partial'], db.url);
    // The file's 44 measures less the 2 named on its rows in error (10 and 16), left out with their amounts.
    expect(partial.json).toMatchObject({ status: 'APPLIED', applied: { measures: 42, rowsLeftOut: 2 } });
    const [volet6] = await dataSource.query(
      `SELECT SUM(ROUND(a.amount * 100)) AS cents, COUNT(*) AS n FROM relance_amount a JOIN relance_measure m ON m.id = a.measure_id
        WHERE m.superseded_at IS NULL AND m.volet_number = 'VI' AND a.kind = 'AID'`,
    );
    expect(formatCents(BigInt(String(volet6.cents).replace(/\.0+$/, '')))).toBe('11058241.43');
    expect(Number(volet6.n)).toBe(8);
    await crte(['rollback', String(partial.json.batchId)], db.url);
    const [{ n }] = await dataSource.query('SELECT COUNT(*) AS n FROM relance_measure WHERE superseded_at IS NULL');
    expect(Number(n)).toBe(0);
  });

  it('applies the indicators template to an existing action, and rolls it back', async () => {
    const bdt = await crte(['import', BDT, '--kind', 'annex3', '--source', 'BdT'], db.url);
    const template = join(ROOT, 'docs', 'templates', 'modele-indicateurs.csv');
    const applied = await crte(['import', template, '--kind', 'indicators', '--source', 'Douaisis Agglo'], db.url);
    expect(applied.code).toBe(0);
    expect(applied.json.status).toBe('APPLIED');
    const { body } = await api.graphql('{ contract(code: "CRTE-DOUAISIS") { axes { orientations { actions { code indicators { code values { year value stage } } } } } } }');
    const withIndicators = body.data.contract.axes.flatMap((a: any) => a.orientations.flatMap((o: any) => o.actions)).filter((a: any) => a.indicators.length);
    expect(withIndicators.length).toBeGreaterThan(0);
    await crte(['rollback', String(applied.json.batchId)], db.url);
    const [{ n }] = await dataSource.query('SELECT COUNT(*) AS n FROM indicator_value');
    expect(Number(n)).toBe(0);
    await crte(['rollback', String(bdt.json.batchId)], db.url);
  });

  it('leaves the database as it was when the database fails in the middle of an apply, and the next import succeeds', async () => {
    const count = async () => {
      const [row] = await dataSource.query(
        'SELECT (SELECT COUNT(*) FROM funding) AS fundings, (SELECT COUNT(*) FROM action) AS actions, (SELECT COUNT(*) FROM import_batch) AS batches, (SELECT COUNT(*) FROM import_issue) AS issues',
      );
      return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
    };
    const before = await count();
    // A real failure from the database itself, after the batch, its issues and the new actions are written.
    if (db.config.type === 'sqlite') {
      await dataSource.query(`CREATE TRIGGER fail_midway BEFORE INSERT ON funding WHEN NEW.year = 2025 BEGIN SELECT RAISE(ABORT, 'panne simulée'); END`);
    } else {
      await dataSource.query(`CREATE TRIGGER fail_midway BEFORE INSERT ON funding FOR EACH ROW BEGIN IF NEW.year = 2025 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'panne simulée'; END IF; END`);
    }
    try {
      const failed = await crte(['import', BDT, '--kind', 'annex3', '--source', 'BdT'], db.url);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('panne simulée');
      expect(await count()).toEqual(before);
    } finally {
      await dataSource.query('DROP TRIGGER fail_midway');
    }
    const next = await crte(['import', BDT, '--kind', 'annex3', '--source', 'BdT'], db.url);
    expect(next.json).toMatchObject({ status: 'APPLIED', applied: { inserted: 10, createdActions: 5 } });
    await crte(['rollback', String(next.json.batchId)], db.url);
  });
});
