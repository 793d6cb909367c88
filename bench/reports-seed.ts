/**
 * Fast seeding for `npm run bench:reports`: synthetic contracts of any size on top of the Douaisis
 * reference data (its funders, programmes, EPCIs and communes), written with the bare driver — a prepared
 * statement inside one transaction on SQLite, multi-row INSERTs of 2 000 rows on MySQL/MariaDB — because
 * going through TypeORM's insert builder would make a 1 000 000-line seed take minutes.
 *
 * Each action gets 50 lines: 40 of its funders' own declarations (5 funders × 8 distinct year/stage
 * pairs), 5 older versions of them marked superseded (10 %), 3 copies of own facts declared by an EPCI
 * (conflicts: not counted, the funder's figure wins — 6 %) and 2 facts that only an EPCI declared
 * (counted — 4 %). So the visibility rule of src/funding/funding-visibility.ts has work to do.
 */
import { randomBytes } from 'node:crypto';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { DataSource, QueryRunner } from 'typeorm';

export const LINES_PER_ACTION = 50;
const YEARS = [2021, 2022, 2023, 2024, 2025, 2026];
const STAGES = ['PLANNED', 'REQUESTED', 'GRANTED', 'PAID'];
const STATUSES = ['IDEA', 'STUDY', 'PLANNED', 'UNDERWAY', 'DONE'];
/** Six funders of the Douaisis reference data (seedReferenceData), by their names: the benches' shared pool. */
export const DOUAISIS_FUNDERS: string[] = [
  'État',
  'Région Hauts-de-France',
  'Département du Nord',
  'Banque des Territoires',
  'Agence de la transition écologique',
  "Agence de l'eau Artois-Picardie",
];
/** The funders of the synthetic contracts, by their names in the Douaisis reference data. */
const FUNDER_NAMES = [
  ...DOUAISIS_FUNDERS,
  'Union européenne',
  "Agence nationale de l'habitat",
  'Agence nationale pour la rénovation urbaine',
  'Direction régionale des affaires culturelles Hauts-de-France',
];

export type Row = unknown[];

/** Writes rows of one table as fast as the driver allows; every call belongs to one open transaction. */
export interface BulkWriter {
  insert(table: string, columns: string[], rows: Iterable<Row>): Promise<number>;
  query<T = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<T[]>;
}

export function sqliteWriter(db: SqliteDatabase): BulkWriter {
  return {
    async insert(table, columns, rows) {
      const statement = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      let count = 0;
      for (const row of rows) {
        statement.run(row);
        count++;
      }
      return count;
    },
    async query<T>(sql: string, parameters: unknown[] = []) {
      return db.prepare(sql).all(parameters) as T[];
    },
  };
}

export function mysqlWriter(runner: QueryRunner, rowsPerStatement = 2000): BulkWriter {
  return {
    async insert(table, columns, rows) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      let chunk: Row[] = [];
      let count = 0;
      const flush = async () => {
        if (!chunk.length) return;
        await runner.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`, chunk.flat());
        count += chunk.length;
        chunk = [];
      };
      for (const row of rows) {
        chunk.push(row);
        if (chunk.length >= rowsPerStatement) await flush();
      }
      await flush();
      return count;
    },
    query: (sql, parameters = []) => runner.query(sql, parameters),
  };
}

export interface SeededContract {
  code: string;
  id: number;
  actions: number;
  /** Lines written (all of them, superseded and conflicting included). */
  lines: number;
  /** Lines that count: valid and not overridden by the funder's own declaration. */
  countedLines: number;
  /** Sum of the counted lines, in cents. */
  countedCents: bigint;
}

export interface SeedResult {
  contracts: SeededContract[];
  seconds: number;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const formatEuros = (cents: number) => `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`;

/**
 * Seeds one synthetic contract per entry of `contracts` (code and number of funding lines, rounded down to
 * whole actions). The reference data (seedReferenceData) must already be there.
 */
export async function seedReportsBench(dataSource: DataSource, contracts: Array<{ code: string; lines: number }>): Promise<SeedResult> {
  const started = process.hrtime.bigint();
  const isSqlite = dataSource.options.type === 'better-sqlite3';
  let result: SeededContract[] = [];
  if (isSqlite) {
    const db = (dataSource.driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection;
    const writer = sqliteWriter(db);
    db.exec('BEGIN');
    try {
      result = await writeContracts(writer, contracts);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  } else {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      // Checks are the database's job in production; here every key is known to be right.
      await runner.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
      await runner.startTransaction();
      result = await writeContracts(mysqlWriter(runner), contracts);
      await runner.commitTransaction();
      await runner.query('SET SESSION foreign_key_checks = 1, unique_checks = 1');
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
  // Fresh statistics, as any database that has lived a while would have.
  if (isSqlite) await dataSource.query('ANALYZE');
  else for (const table of ['funding', 'action', 'indicator', 'indicator_value', 'organisation']) await dataSource.query(`ANALYZE TABLE ${table}`);
  return { contracts: result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function writeContracts(writer: BulkWriter, contracts: Array<{ code: string; lines: number }>): Promise<SeededContract[]> {
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const later = '2025-06-30 12:00:00';
  const funders = await writer.query<{ id: number; name: string }>(
    `SELECT id, name FROM organisation WHERE name IN (${FUNDER_NAMES.map(() => '?').join(', ')})`,
    FUNDER_NAMES,
  );
  if (funders.length !== FUNDER_NAMES.length) throw new Error(`reference data: ${funders.length} of ${FUNDER_NAMES.length} funders found`);
  funders.sort((a, b) => FUNDER_NAMES.indexOf(a.name) - FUNDER_NAMES.indexOf(b.name));
  const funderIds = funders.map((funder) => Number(funder.id));
  const epcis = (await writer.query<{ id: number }>(`SELECT id FROM organisation WHERE kind = 'EPCI' ORDER BY id`)).map((row) => Number(row.id));
  const communes = (await writer.query<{ id: number }>(`SELECT id FROM organisation WHERE kind = 'COMMUNE' AND parent_id IS NOT NULL ORDER BY id`)).map((row) => Number(row.id));
  if (!epcis.length || !communes.length) throw new Error('reference data: no EPCI or commune found');
  // Beneficiaries: mostly communes (their territory is their EPCI), sometimes an EPCI itself.
  const beneficiaries = [...communes, ...epcis];
  const programmesByFunder = new Map<number, number[]>();
  for (const row of await writer.query<{ id: number; operator_id: number | null }>('SELECT id, operator_id FROM programme ORDER BY id')) {
    if (row.operator_id === null) continue;
    const list = programmesByFunder.get(Number(row.operator_id)) ?? [];
    list.push(Number(row.id));
    programmesByFunder.set(Number(row.operator_id), list);
  }

  const seeded: SeededContract[] = [];
  for (const [contractIndex, spec] of contracts.entries()) {
    const actionCount = Math.max(1, Math.floor(spec.lines / LINES_PER_ACTION));
    await writer.insert(
      'contract',
      ['code', 'name', 'signed_on', 'start_year', 'end_year', 'created_at', 'updated_at'],
      [[spec.code, `Contrat de banc d’essai ${spec.code}`, '2022-02-01', 2021, 2026, now, now]],
    );
    const [{ id: rawContractId }] = await writer.query<{ id: number }>('SELECT id FROM contract WHERE code = ?', [spec.code]);
    const contractId = Number(rawContractId);

    // 4 axes × 4 orientations.
    await writer.insert('axis', ['contract_id', 'number', 'title'], [1, 2, 3, 4].map((n) => [contractId, n, `Axe ${n} du contrat ${spec.code}`]));
    const axes = await writer.query<{ id: number; number: number }>('SELECT id, number FROM axis WHERE contract_id = ? ORDER BY number', [contractId]);
    await writer.insert(
      'orientation',
      ['contract_id', 'axis_id', 'code', 'title'],
      axes.flatMap((axis) => [1, 2, 3, 4].map((o) => [contractId, axis.id, `${axis.number}.${o}`, `Orientation ${axis.number}.${o}`])),
    );
    const orientations = (await writer.query<{ id: number }>('SELECT id FROM orientation WHERE contract_id = ? ORDER BY code', [contractId])).map((row) => Number(row.id));

    // One import batch per declaring source and year, as a yearly annex 3 per partner would give.
    const sources = [...funderIds, ...epcis];
    await writer.insert(
      'import_batch',
      ['contract_id', 'kind', 'source_id', 'year', 'file_name', 'sha256', 'size_bytes', 'layout', 'status', 'uploaded_by', 'uploaded_at', 'applied_at', 'line_count', 'error_count', 'warning_count'],
      sources.flatMap((source) =>
        YEARS.map((year) => [contractId, 'annex3', source, year, `annexe3-${source}-${year}.xlsx`, randomBytes(32).toString('hex'), 250_000, 'long', 'APPLIED', 'banc d’essai', now, now, 0, 0, 0]),
      ),
    );
    const batchOf = new Map<string, number>();
    for (const row of await writer.query<{ id: number; source_id: number; year: number }>('SELECT id, source_id, year FROM import_batch WHERE contract_id = ?', [contractId])) {
      batchOf.set(`${row.source_id}/${row.year}`, Number(row.id));
    }

    // Actions: one in a hundred is still "to classify" (no orientation).
    const leadOf = (a: number) => beneficiaries[(a * 7 + contractIndex) % beneficiaries.length];
    await writer.insert(
      'action',
      ['contract_id', 'orientation_id', 'code', 'title', 'normalised_title', 'description', 'lead_id', 'status', 'total_cost', 'cost_base', 'created_at', 'updated_at'],
      (function* () {
        for (let a = 0; a < actionCount; a++) {
          const title = `Opération ${a} — rénovation et équipement`;
          yield [contractId, a % 100 === 99 ? null : orientations[a % orientations.length], `A-${pad(a, 6)}`, title, `operation ${a} renovation et equipement`, null, leadOf(a), STATUSES[a % STATUSES.length], formatEuros(100_000_000 + a * 1_237), 'HT', now, now];
        }
      })(),
    );
    const actionIds = (await writer.query<{ id: number }>('SELECT id FROM action WHERE contract_id = ? ORDER BY code', [contractId])).map((row) => Number(row.id));

    let lines = 0;
    let countedLines = 0;
    let countedCents = 0n;
    const fundingColumns = [
      'contract_id', 'action_id', 'funder_id', 'programme_id', 'beneficiary_id', 'year', 'amount', 'stage', 'instrument', 'cost_base', 'approximate',
      'batch_id', 'source_sheet', 'source_cell', 'raw_value', 'superseded_by_batch_id', 'superseded_at', 'created_at', 'source_id', 'import_kind',
    ];
    lines = await writer.insert(
      'funding',
      fundingColumns,
      (function* () {
        for (let a = 0; a < actionCount; a++) {
          const actionId = actionIds[a];
          const lead = leadOf(a);
          const epciSource = epcis[a % epcis.length];
          // k: own facts 0..39 (funder j = k >> 3, year/stage pair m = k & 7), then the other kinds.
          const fact = (j: number, m: number) => {
            const funder = funderIds[(a * 3 + j) % funderIds.length];
            const pair = (m * 5 + a) % 24; // 8 distinct (year, stage) pairs per funder
            return { funder, year: YEARS[pair % 6], stage: STAGES[Math.floor(pair / 6)] };
          };
          const line = (k: number, j: number, m: number, source: number, superseded: boolean, counted: boolean): Row => {
            const { funder, year, stage } = fact(j, m);
            const cents = 100_000 + ((a * 7_919 + k * 104_729 + contractIndex * 31) % 49_000_000);
            if (counted) {
              countedLines++;
              countedCents += BigInt(cents);
            }
            const programmes = programmesByFunder.get(funder);
            const batch = batchOf.get(`${source}/${year}`)!;
            return [
              contractId, actionId, funder, programmes ? programmes[(a + k) % programmes.length] : null, k % 10 === 9 ? null : lead, year, formatEuros(cents), stage,
              funder === funderIds[3] && k % 2 ? 'LOAN' : 'SUBSIDY', 'HT', 0,
              batch, `Programmation ${year}`, `${'DEFGHI'[year - 2021]}${a + 2}`, null, superseded ? batch : null, superseded ? later : null, now, source, 'annex3',
            ];
          };
          for (let k = 0; k < 40; k++) yield line(k, k >> 3, k & 7, fact(k >> 3, k & 7).funder, false, true);
          for (let k = 0; k < 5; k++) yield line(40 + k, 0, k, fact(0, k).funder, true, false);
          for (let k = 0; k < 3; k++) yield line(45 + k, k + 1, 0, epciSource, false, false);
          for (let k = 0; k < 2; k++) yield line(48 + k, 5, k, epciSource, false, true);
        }
      })(),
    );

    await writer.insert(
      'indicator',
      ['contract_id', 'action_id', 'orientation_id', 'code', 'name', 'unit', 'baseline', 'target', 'target_year', 'created_at', 'updated_at'],
      actionIds.map((actionId, a) => [contractId, actionId, null, `IND-${pad(a, 6)}`, `Logements rénovés, opération ${a}`, 'logements', '0', String(100 + (a % 50)), 2026, now, now]),
    );
    const indicators = await writer.query<{ id: number }>('SELECT id FROM indicator WHERE contract_id = ? ORDER BY code', [contractId]);
    await writer.insert(
      'indicator_value',
      ['indicator_id', 'year', 'value', 'stage', 'created_at', 'updated_at'],
      indicators.flatMap((indicator, i) => [
        [indicator.id, 2022, String(i % 40), 'ACTUAL', now, now],
        [indicator.id, 2023, `${i % 60}.5`, 'ACTUAL', now, now],
        [indicator.id, 2026, String(100 + (i % 50)), 'TARGET', now, now],
      ]),
    );
    seeded.push({ code: spec.code, id: contractId, actions: actionCount, lines, countedLines, countedCents });
  }
  return seeded;
}
