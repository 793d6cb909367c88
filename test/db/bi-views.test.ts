import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { DataSource, TableColumn } from 'typeorm';
import { BI_VIEWS, BiViews1764460800000, createBiViews, dropBiViews } from '../../migrations/1764460800000-bi-views';
import { formatCents } from '../../src/kernel/money';
import { FundingDimension, FundingTotalResolver } from '../../src/funding/funding-totals.resolver';
import { countedSql } from '../../src/funding/funding-visibility';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { editWorkbook } from '../support/workbook-edit';

const ROOT = join(__dirname, '..', '..');
const BDT = fixturePath('annexe3-banque-des-territoires-2023.xlsx');

/** Columns of each view as docs/bi-views.md lists them, in order. */
function documentedColumns(): Record<string, string[]> {
  const columns: Record<string, string[]> = {};
  let view: string | null = null;
  for (const line of readFileSync(join(ROOT, 'docs', 'bi-views.md'), 'utf8').split('\n')) {
    const heading = /^## (v_\w+)\s*$/.exec(line);
    if (heading) view = heading[1];
    else if (line.startsWith('## ')) view = null;
    const row = /^\| `(\w+)` \|/.exec(line);
    if (view && row) (columns[view] ??= []).push(row[1]);
  }
  return columns;
}

async function viewColumns(db: TestDatabase, view: string): Promise<string[]> {
  const rows: Array<{ name: string }> =
    db.config.type === 'sqlite'
      ? await db.dataSource.query(`SELECT name FROM pragma_table_info('${view}')`)
      : await db.dataSource.query('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position', [view]);
  return rows.map((row) => row.name);
}

async function viewNames(db: TestDatabase): Promise<string[]> {
  const rows: Array<{ name: string }> =
    db.config.type === 'sqlite'
      ? await db.dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'view'`)
      : await db.dataSource.query(`SELECT table_name AS name FROM information_schema.views WHERE table_schema = DATABASE()`);
  return rows.map((row) => row.name).sort();
}

/** `amount` as the driver gives it: an exact DECIMAL string on MySQL, a double on SQLite. */
function exactAmount(value: unknown): string {
  if (typeof value === 'string') return value;
  return (value as number).toFixed(2);
}

async function importFixture(dataSource: DataSource, path: string, kind: ImportKind, source: string, buffer: Buffer = readFileSync(path)) {
  const result = await importFile(dataSource, { buffer, fileName: basename(path), kind, source, contract: 'CRTE-DOUAISIS' });
  expect(result.status).toBe('APPLIED');
  return result;
}

describe(`BI views on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const query = <T = any>(sql: string, parameters: unknown[] = []): Promise<T[]> => dataSource.query(sql, parameters);

  /** Sum in cents and line count of v_funding where `where`. */
  async function figures(where: string, parameters: unknown[] = [], view = 'v_funding'): Promise<{ amount: string; lines: number }> {
    const [row] = await query(`SELECT SUM(amount_cents) AS cents, COUNT(*) AS n FROM ${view} WHERE ${where}`, parameters);
    return { amount: formatCents(BigInt(row.cents ?? 0)), lines: Number(row.n) };
  }

  /** fundingTotals by funder × year × stage, through the resolver, against the same grouping of v_funding. */
  async function compareWithFundingTotals(): Promise<number> {
    const resolver = new FundingTotalResolver();
    const totals = await resolver.fundingTotals([FundingDimension.FUNDER, FundingDimension.YEAR, FundingDimension.STAGE], { contract: 'CRTE-DOUAISIS' }, undefined, { dataSource } as any);
    const fromApi = totals.map((total) => `${total.funderId} ${total.year} ${total.stage}: ${total.amount} (${total.lines})`).sort();
    const rows = await query(`SELECT funder_id, year, stage, SUM(amount_cents) AS cents, COUNT(*) AS n FROM v_funding WHERE contract_code = 'CRTE-DOUAISIS' GROUP BY funder_id, year, stage`);
    const fromView = rows.map((row) => `${row.funder_id} ${row.year} ${row.stage}: ${formatCents(BigInt(row.cents))} (${Number(row.n)})`).sort();
    expect(fromView).toEqual(fromApi);
    // On MySQL the DECIMAL sum itself is exact too.
    if (db.config.type !== 'sqlite') {
      const decimals = await query(`SELECT funder_id, year, stage, SUM(amount) AS amount FROM v_funding GROUP BY funder_id, year, stage`);
      const byKey = new Map(totals.map((total) => [`${total.funderId} ${total.year} ${total.stage}`, total.amount]));
      for (const row of decimals) expect(row.amount).toBe(byKey.get(`${row.funder_id} ${row.year} ${row.stage}`));
    }
    return fromApi.length;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = db.dataSource;
    await seedReferenceData(dataSource);
    await importFixture(dataSource, BDT, ImportKind.ANNEX3, 'Banque des Territoires');
    await importFixture(dataSource, fixturePath('annexe3-douaisis-agglo-2022.xlsx'), ImportKind.ANNEX3, 'Douaisis Agglo');
    await importFixture(dataSource, fixturePath('annexe3-ademe-2021-2023.csv'), ImportKind.ANNEX3, 'ADEME');
    await importFixture(dataSource, fixturePath('dotations-detr-dsil-fnadt-2017-2021.xlsx'), ImportKind.DOTATIONS, 'Etat');
    await importFixture(dataSource, join(ROOT, 'docs', 'templates', 'modele-indicateurs.csv'), ImportKind.INDICATORS, 'Douaisis Agglo');
  }, 180000);
  afterAll(async () => db?.drop());

  it('creates the six views, each with exactly the columns docs/bi-views.md documents', async () => {
    expect(await viewNames(db)).toEqual([...BI_VIEWS].sort());
    const documented = documentedColumns();
    expect(Object.keys(documented).sort()).toEqual([...BI_VIEWS].sort());
    for (const view of BI_VIEWS) expect({ view, columns: await viewColumns(db, view) }).toEqual({ view, columns: documented[view] });
    // The history view starts with v_funding's columns, so the two line up.
    expect(documented.v_funding_history.slice(0, documented.v_funding.length)).toEqual(documented.v_funding);
  });

  it('v_funding gives the fixtures’ figures, line for line', async () => {
    expect(await figures('funder_name = ?', ['Banque des Territoires'])).toEqual({ amount: '20100000.00', lines: 10 });
    expect(await figures(`declared_by_name = ? AND import_kind = 'annex3'`, ['CA Douaisis Agglo'])).toEqual({ amount: '19650000.00', lines: 14 });
    expect(await figures(`funder_short_name = 'ADEME' AND stage = 'REQUESTED'`)).toMatchObject({ amount: '1762000.00' });
    expect(await figures(`funder_short_name = 'ADEME' AND stage = 'GRANTED'`)).toMatchObject({ amount: '1046000.50' });
    expect(await figures(`funder_short_name = 'ADEME' AND stage = 'PAID'`)).toMatchObject({ amount: '83200.00' });
    expect(await figures(`funder_short_name = 'ADEME'`)).toMatchObject({ lines: 13 });
    expect(await figures(`import_kind = 'dotations'`)).toEqual({ amount: '22794044.74', lines: 30 });
    expect(await figures(`import_kind = 'dotations' AND territory_siren = ?`, ['200044618'])).toEqual({ amount: '16546179.90', lines: 15 });
    expect(await figures(`import_kind = 'dotations' AND territory_siren = ?`, ['245901152'])).toEqual({ amount: '6247864.84', lines: 15 });
    const [{ n }] = await query('SELECT COUNT(*) AS n FROM v_funding');
    expect(Number(n)).toBe(10 + 14 + 13 + 30);

    // Labels are joined in: one line of the Banque des Territoires file, with its source cell.
    const [line] = await query(`SELECT * FROM v_funding WHERE action_code = 'DA-01' AND funder_name = 'Banque des Territoires' ORDER BY year LIMIT 1`);
    expect(line).toMatchObject({
      contract_code: 'CRTE-DOUAISIS',
      action_code: 'DA-01',
      funder_kind: 'STATE_OPERATOR',
      stage: 'PLANNED',
      declared_by_name: 'Banque des Territoires',
      import_kind: 'annex3',
      file_name: 'annexe3-banque-des-territoires-2023.xlsx',
      source_sheet: 'Programmation 2023',
    });
    expect(line.lead_name).toBeTruthy();
    expect(line.orientation_code).toMatch(/^\d\.\d$/);
    expect(Number(line.axis_number)).toBe(Number(line.orientation_code[0]));
    expect(line.territory_name).toBe('CA Douaisis Agglo');
    expect(line.source_cell).toMatch(/^[A-Z]+\d+$/);
  });

  it('keeps money exact: DECIMAL strings on MySQL, cents that add up on both', async () => {
    const [granted] = await query(`SELECT amount, amount_cents FROM v_funding WHERE funder_short_name = 'ADEME' AND stage = 'GRANTED' AND action_code = 'DA-41'`);
    expect(Number(granted.amount_cents)).toBe(95000050);
    expect(exactAmount(granted.amount)).toBe('950000.50');
    if (db.config.type !== 'sqlite') {
      expect(typeof granted.amount).toBe('string');
      const [{ total }] = await query(`SELECT SUM(amount) AS total FROM v_funding WHERE funder_short_name = 'ADEME' AND stage = 'GRANTED'`);
      expect(total).toBe('1046000.50');
      const types = await query(`SELECT column_name AS name, column_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'v_funding' AND column_name IN ('amount', 'amount_cents')`);
      expect(Object.fromEntries(types.map((row: any) => [row.name, row.type]))).toEqual({ amount: 'decimal(15,2)', amount_cents: expect.stringMatching(/^bigint/) });
    }
  });

  it('counts exactly the lines that countedSql counts, and agrees with fundingTotals by funder × year × stage', async () => {
    const counted = await query(`SELECT f.id AS id FROM funding f WHERE ${countedSql('f', false)} ORDER BY f.id`);
    const inView = await query('SELECT funding_id AS id FROM v_funding ORDER BY funding_id');
    expect(inView.map((row) => Number(row.id))).toEqual(counted.map((row) => Number(row.id)));
    expect(await compareWithFundingTotals()).toBeGreaterThan(10);
  });

  it('v_action: per-stage totals of the counted lines, the same as fundingTotals by action × stage, with coverage', async () => {
    const resolver = new FundingTotalResolver();
    const totals = await resolver.fundingTotals([FundingDimension.ACTION, FundingDimension.STAGE], { contract: 'CRTE-DOUAISIS' }, undefined, { dataSource } as any);
    const expected = new Map<string, string>();
    for (const total of totals) if (total.actionId) expected.set(`${total.actionId} ${total.stage}`, total.amount);
    const actions = await query('SELECT * FROM v_action');
    const [{ n }] = await query('SELECT COUNT(*) AS n FROM action');
    expect(actions).toHaveLength(Number(n));
    for (const action of actions) {
      for (const stage of ['PLANNED', 'REQUESTED', 'GRANTED', 'PAID']) {
        const key = stage.toLowerCase();
        const want = expected.get(`${action.action_id} ${stage}`) ?? '0.00';
        expect({ action: action.action_code, stage, cents: formatCents(BigInt(action[`${key}_cents`])) }).toEqual({ action: action.action_code, stage, cents: want });
        expect(exactAmount(action[`${key}_amount`])).toBe(want);
      }
    }
    const da01 = actions.find((action) => action.action_code === 'DA-01');
    // Douaisis Agglo (the lead) sets the cost, 52 000 000 €; planned: BdT 12 500 000 + DA's file 12 000 000.
    expect(exactAmount(da01.total_cost)).toBe('52000000.00');
    expect(formatCents(BigInt(da01.planned_cents))).toBe('24500000.00');
    expect(Number(da01.planned_coverage)).toBeCloseTo(0.4712, 4);
    expect(da01.orientation_code).toMatch(/^\d\.\d$/);
    expect(da01.territory_name).toBe('CA Douaisis Agglo');
  });

  it('v_indicator_value: values with the indicator’s name, unit, baseline, target and action', async () => {
    const values = await query(`SELECT * FROM v_indicator_value WHERE indicator_code = 'DA-01-SURF' ORDER BY year, stage`);
    expect(values.map((value) => [Number(value.year), value.stage, Number(value.value)])).toEqual(expect.arrayContaining([[2022, 'ACTUAL', 1250.5], [2024, 'TARGET', 3000]]));
    expect(values[0]).toMatchObject({ indicator_name: 'Surface de bâtiments publics rénovée', unit: 'm²', action_code: 'DA-01', contract_code: 'CRTE-DOUAISIS', file_name: 'modele-indicateurs.csv' });
    expect(Number(values[0].target)).toBe(5000);
    expect(Number(values[0].baseline)).toBe(0);
    expect(values[0].orientation_code).toMatch(/^\d\.\d$/);
  });

  it('the funder’s own declaration wins: v_funding drops the other source’s line, v_funding_history flags it', async () => {
    // The Région's own file says 2 400 000 € for DA-01 in 2022, where Douaisis Agglo's table said 2 500 000 €.
    const [da01] = await query(`SELECT action_title, orientation_code FROM v_action WHERE action_code = 'DA-01'`);
    const csv = `numero;intitule;orientation;financeur;annee;montant_prevu;base\r\nDA-01;${da01.action_title};${da01.orientation_code};Région Hauts-de-France;2022;2400000;HT\r\n`;
    await importFixture(dataSource, 'region-2022.csv', ImportKind.ANNEX3, 'Région Hauts-de-France', Buffer.from(csv, 'utf8'));

    const where = `action_code = 'DA-01' AND funder_name = 'Région Hauts-de-France' AND year = 2022 AND stage = 'PLANNED'`;
    const history = await query(`SELECT declared_by_name, amount_cents, is_current, is_counted FROM v_funding_history WHERE ${where} ORDER BY funding_id`);
    expect(history.map((row) => [row.declared_by_name, Number(row.amount_cents), Number(row.is_current), Number(row.is_counted)])).toEqual([
      ['CA Douaisis Agglo', 250000000, 1, 0],
      ['Région Hauts-de-France', 240000000, 1, 1],
    ]);
    expect(await figures(where)).toEqual({ amount: '2400000.00', lines: 1 });
    expect(await figures(`declared_by_name = 'CA Douaisis Agglo' AND import_kind = 'annex3'`)).toEqual({ amount: '17150000.00', lines: 13 });
    await compareWithFundingTotals();
  });

  it('after a re-import, v_funding drops the replaced lines and v_funding_history keeps them, with the batch that replaced them', async () => {
    // A corrected copy (as in test/api/import-apply.test.ts): I6 2 500 000 → 3 000 000, J8 removed, K7 added.
    const corrected = editWorkbook(readFileSync(BDT), 'Programmation 2023', { I6: 3_000_000, J8: null, K7: 100_000 });
    const second = await importFixture(dataSource, 'bdt-corrigé.xlsx', ImportKind.ANNEX3, 'Banque des Territoires', corrected);

    expect(await figures(`funder_name = 'Banque des Territoires'`)).toEqual({ amount: '18700000.00', lines: 10 });
    expect(await figures(`funder_name = 'Banque des Territoires' AND batch_id = ?`, [second.batchId])).toEqual({ amount: '18700000.00', lines: 10 });
    expect(await figures(`funder_name = 'Banque des Territoires' AND is_current = 0`, [], 'v_funding_history')).toEqual({ amount: '20100000.00', lines: 10 });
    const replaced = await query(`SELECT DISTINCT superseded_by_batch_id, superseded_by_file_name, is_counted, file_name FROM v_funding_history WHERE funder_name = 'Banque des Territoires' AND is_current = 0`);
    expect(replaced).toHaveLength(1);
    expect(Number(replaced[0].superseded_by_batch_id)).toBe(second.batchId);
    expect(replaced[0]).toMatchObject({ superseded_by_file_name: 'bdt-corrigé.xlsx', file_name: 'annexe3-banque-des-territoires-2023.xlsx' });
    expect(Number(replaced[0].is_counted)).toBe(0);
    const [withSuperseded] = await query(`SELECT superseded_at FROM v_funding_history WHERE superseded_by_batch_id = ? LIMIT 1`, [second.batchId]);
    expect(withSuperseded.superseded_at).toBeTruthy();
    // History = every line; counted history = v_funding.
    const [{ n: all }] = await query('SELECT COUNT(*) AS n FROM funding');
    expect(await figures('1 = 1', [], 'v_funding_history')).toMatchObject({ lines: Number(all) });
    expect(await figures('is_counted = 1', [], 'v_funding_history')).toEqual(await figures('1 = 1'));
    await compareWithFundingTotals();
  });

  it('v_import_batch: every batch with its source, status and counts', async () => {
    const batches = await query('SELECT * FROM v_import_batch ORDER BY batch_id');
    expect(batches.map((batch) => [batch.source_name, batch.kind, batch.status])).toEqual([
      ['Banque des Territoires', 'annex3', 'SUPERSEDED'],
      ['CA Douaisis Agglo', 'annex3', 'APPLIED'],
      ['Agence de la transition écologique', 'annex3', 'APPLIED'],
      ['État', 'dotations', 'APPLIED'],
      ['CA Douaisis Agglo', 'indicators', 'APPLIED'],
      ['Région Hauts-de-France', 'annex3', 'APPLIED'],
      ['Banque des Territoires', 'annex3', 'APPLIED'],
    ]);
    const [first, , , dotations, , , last] = batches;
    expect(first).toMatchObject({ file_name: 'annexe3-banque-des-territoires-2023.xlsx', contract_code: 'CRTE-DOUAISIS' });
    expect([first.funding_line_count, first.current_funding_line_count, first.replaced_funding_line_count].map(Number)).toEqual([10, 0, 0]);
    expect([last.funding_line_count, last.current_funding_line_count, last.replaced_funding_line_count].map(Number)).toEqual([10, 10, 10]);
    expect(exactAmount(last.total)).toBe('18700000.00');
    expect(exactAmount(dotations.total)).toBe('22794044.74');
    expect(Number(dotations.error_count)).toBe(0);
    expect(first.uploaded_at).toBeTruthy();
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('migrating down drops the views and up recreates them over the same data', async () => {
    const before = await figures('1 = 1');
    const runner = dataSource.createQueryRunner();
    try {
      await new BiViews1764460800000().down(runner);
      expect(await viewNames(db)).toEqual([]);
      await new BiViews1764460800000().up(runner);
      // Its own version: v_relance_amount came with version 3 (RelancePartial1765411200000).
      expect(await viewNames(db)).toEqual(BI_VIEWS.filter((view) => view !== 'v_relance_amount').sort());
      await createBiViews(runner);
    } finally {
      await runner.release();
    }
    expect(await viewNames(db)).toEqual([...BI_VIEWS].sort());
    expect(await figures('1 = 1')).toEqual(before);
  });

  it('lets a later migration alter a table the views read, between dropBiViews and createBiViews', async () => {
    const before = await figures('1 = 1');
    const runner = dataSource.createQueryRunner();
    try {
      // On SQLite, TypeORM rebuilds the table to add a column, which SQLite refuses while a view reads it.
      await dropBiViews(runner);
      await runner.addColumn('funding', new TableColumn({ name: 'bi_probe', type: 'integer', isNullable: true }));
      await runner.dropColumn('funding', 'bi_probe');
      await createBiViews(runner);
    } finally {
      await runner.release();
    }
    expect(await viewNames(db)).toEqual([...BI_VIEWS].sort());
    expect(await figures('1 = 1')).toEqual(before);
  });

  if (TEST_DATABASE_TYPE === 'sqlite') {
    it('SQLite: a read-only connection reads the views and cannot write', () => {
      if (db.config.type !== 'sqlite') return;
      // better-sqlite3 takes no URI: readonly is its `?mode=ro`.
      const reader = new Database(db.config.path, { readonly: true, fileMustExist: true });
      try {
        const row = reader.prepare(`SELECT SUM(amount_cents) AS cents FROM v_funding WHERE funder_name = 'Banque des Territoires'`).get() as { cents: number };
        expect(row.cents).toBe(1_870_000_000);
        expect(() => reader.prepare(`DELETE FROM funding`).run()).toThrow(/readonly/);
      } finally {
        reader.close();
      }
    });
  } else {
    it('MariaDB/MySQL: a user granted SELECT on the views only reads them, and nothing else', async () => {
      if (db.config.type === 'sqlite') return;
      const { host, port, username, password, database } = db.config;
      const user = `crte_bi_${randomBytes(4).toString('hex')}`;
      const secret = randomBytes(12).toString('hex');
      const admin = await createConnection({ host, port, user: username, password, database });
      try {
        await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${secret}'`);
        for (const view of BI_VIEWS) await admin.query(`GRANT SELECT ON \`${database}\`.\`${view}\` TO '${user}'@'%'`);
        const reader = await createConnection({ host, port, user, password: secret, database, supportBigNumbers: true, bigNumberStrings: true });
        try {
          const [rows] = await reader.query(`SELECT SUM(amount) AS total, COUNT(*) AS n FROM v_funding WHERE funder_short_name = 'ADEME' AND stage = 'GRANTED'`);
          expect((rows as any[])[0].total).toBe('1046000.50');
          for (const view of BI_VIEWS) await expect(reader.query(`SELECT * FROM \`${view}\` LIMIT 1`)).resolves.toBeDefined();
          await expect(reader.query('SELECT * FROM funding LIMIT 1')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
          await expect(reader.query('SELECT * FROM api_token LIMIT 1')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
          await expect(reader.query(`INSERT INTO funding (contract_id, funder_id, year, amount, stage, instrument, created_at) VALUES (1, 1, 2024, 1, 'PLANNED', 'SUBSIDY', NOW())`)).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
          await expect(reader.query(`DELETE FROM v_funding`)).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
          await expect(reader.query(`UPDATE v_action SET action_title = 'x'`)).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
        } finally {
          await reader.end();
        }
      } finally {
        await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
        await admin.end();
      }
    });
  }
});
