/**
 * The data of `npm run bench:peer` (issue 16, point 6): one contract of N actions under 4 axes × 4
 * orientations, LINES_PER_ACTION funding lines per action (5 funders × 2 years), the same rows written
 * into our database (reports-seed.ts's bulk writers) and into the peer's (Directus) tables. A pure
 * function of N: every amount is known here in integer cents, so the bench checks both answers against it.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { formatCents } from '../src/kernel/money';
import { BulkWriter, DOUAISIS_FUNDERS, mysqlWriter, sqliteWriter } from './reports-seed';

const FUNDERS_PER_ACTION = 5;
const YEARS_PER_ACTION = 2;
export const LINES_PER_ACTION = FUNDERS_PER_ACTION * YEARS_PER_ACTION;
/** Funders of the Douaisis reference data (seedReferenceData), the same names in the peer. */
export const PEER_FUNDERS = DOUAISIS_FUNDERS;
const AXES = 4;
const ORIENTATIONS_PER_AXIS = 4;

export interface PeerLine {
  /** Index of its action. */
  action: number;
  /** Index in PEER_FUNDERS. */
  funder: number;
  year: number;
  cents: bigint;
}

export interface PeerData {
  code: string;
  actions: number;
  lines: PeerLine[];
  totalCents: bigint;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
export const peerActionCode = (a: number) => `A-${pad(a, 6)}`;
/** Orientation index (0-based, axis-major) of action a. */
const orientationOf = (a: number) => a % (AXES * ORIENTATIONS_PER_AXIS);
const orientationCode = (o: number) => `${Math.floor(o / ORIENTATIONS_PER_AXIS) + 1}.${(o % ORIENTATIONS_PER_AXIS) + 1}`;

export function peerData(actions: number): PeerData {
  const lines: PeerLine[] = [];
  let totalCents = 0n;
  for (let a = 0; a < actions; a++) {
    for (let j = 0; j < FUNDERS_PER_ACTION; j++) {
      for (let y = 0; y < YEARS_PER_ACTION; y++) {
        const k = (a * FUNDERS_PER_ACTION + j) * YEARS_PER_ACTION + y;
        // Varied cents, so that a float on the way shows in the sums.
        const cents = BigInt(100_000 + ((a * 7_919 + k * 104_729) % 49_000_000));
        totalCents += cents;
        lines.push({ action: a, funder: (a + j) % PEER_FUNDERS.length, year: 2021 + ((a + y * 3) % 6), cents });
      }
    }
  }
  return { code: `PEER-${actions}`, actions, lines, totalCents };
}

/** Writes the contract into our database (migrated, reference data seeded). */
export async function seedOurs(dataSource: DataSource, data: PeerData): Promise<void> {
  if (dataSource.options.type === 'better-sqlite3') {
    const db = (dataSource.driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection;
    db.exec('BEGIN');
    try {
      await writeOurs(sqliteWriter(db), data);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    await dataSource.query('ANALYZE');
    return;
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    await runner.startTransaction();
    await writeOurs(mysqlWriter(runner), data);
    await runner.commitTransaction();
    await runner.query('SET SESSION foreign_key_checks = 1, unique_checks = 1');
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
  for (const table of ['funding', 'action', 'orientation', 'axis']) await dataSource.query(`ANALYZE TABLE ${table}`);
}

async function writeOurs(writer: BulkWriter, data: PeerData): Promise<void> {
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const found = await writer.query<{ id: number; name: string }>(`SELECT id, name FROM organisation WHERE name IN (${PEER_FUNDERS.map(() => '?').join(', ')})`, PEER_FUNDERS);
  if (found.length !== PEER_FUNDERS.length) throw new Error(`reference data: ${found.length} of ${PEER_FUNDERS.length} funders found`);
  const funderIds = PEER_FUNDERS.map((name) => Number(found.find((row) => row.name === name)!.id));
  await writer.insert('contract', ['code', 'name', 'signed_on', 'start_year', 'end_year', 'created_at', 'updated_at'], [[data.code, `Contrat ${data.code}`, '2022-02-01', 2021, 2026, now, now]]);
  const [{ id: rawId }] = await writer.query<{ id: number }>('SELECT id FROM contract WHERE code = ?', [data.code]);
  const contractId = Number(rawId);
  await writer.insert('axis', ['contract_id', 'number', 'title'], Array.from({ length: AXES }, (_, n) => [contractId, n + 1, `Axe ${n + 1}`]));
  const axes = await writer.query<{ id: number; number: number }>('SELECT id, number FROM axis WHERE contract_id = ? ORDER BY number', [contractId]);
  const orientationRows = Array.from({ length: AXES * ORIENTATIONS_PER_AXIS }, (_, o) => [contractId, axes[Math.floor(o / ORIENTATIONS_PER_AXIS)].id, orientationCode(o), `Orientation ${orientationCode(o)}`]);
  await writer.insert('orientation', ['contract_id', 'axis_id', 'code', 'title'], orientationRows);
  const orientations = (await writer.query<{ id: number }>('SELECT id FROM orientation WHERE contract_id = ? ORDER BY code', [contractId])).map((row) => Number(row.id));
  await writer.insert(
    'action',
    ['contract_id', 'orientation_id', 'code', 'title', 'normalised_title', 'lead_id', 'status', 'total_cost', 'cost_base', 'created_at', 'updated_at'],
    (function* () {
      for (let a = 0; a < data.actions; a++) {
        yield [contractId, orientations[orientationOf(a)], peerActionCode(a), `Opération ${a}`, `operation ${a}`, funderIds[0], 'UNDERWAY', '1000000.00', 'HT', now, now];
      }
    })(),
  );
  const actionIds = (await writer.query<{ id: number }>('SELECT id FROM action WHERE contract_id = ? ORDER BY code', [contractId])).map((row) => Number(row.id));
  await writer.insert(
    'funding',
    ['contract_id', 'action_id', 'funder_id', 'year', 'amount', 'stage', 'instrument', 'cost_base', 'approximate', 'created_at', 'source_id'],
    (function* () {
      for (const line of data.lines) {
        const funder = funderIds[line.funder];
        yield [contractId, actionIds[line.action], funder, line.year, formatCents(line.cents), 'PLANNED', 'SUBSIDY', 'HT', 0, now, funder];
      }
    })(),
  );
}

/** Writes the same rows into the peer's tables (collections created through its API), ids given. */
export function seedPeer(db: SqliteDatabase, data: PeerData, indexes: boolean): void {
  db.exec('BEGIN');
  try {
    const insert = (table: string, columns: string[], rows: Iterable<unknown[]>) => {
      const statement = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      for (const row of rows) statement.run(row);
    };
    insert('funders', ['id', 'name'], PEER_FUNDERS.map((name, i) => [i + 1, name]));
    insert('axes', ['id', 'contract', 'number', 'title'], Array.from({ length: AXES }, (_, n) => [n + 1, data.code, n + 1, `Axe ${n + 1}`]));
    insert('orientations', ['id', 'axis', 'code', 'title'], Array.from({ length: AXES * ORIENTATIONS_PER_AXIS }, (_, o) => [o + 1, Math.floor(o / ORIENTATIONS_PER_AXIS) + 1, orientationCode(o), `Orientation ${orientationCode(o)}`]));
    insert('actions', ['id', 'orientation', 'code', 'title'], (function* () {
      for (let a = 0; a < data.actions; a++) yield [a + 1, orientationOf(a) + 1, peerActionCode(a), `Opération ${a}`];
    })());
    insert('fundings', ['id', 'action', 'funder', 'year', 'amount'], (function* () {
      let id = 0;
      for (const line of data.lines) yield [++id, line.action + 1, line.funder + 1, line.year, formatCents(line.cents)];
    })());
    // The foreign keys indexed, as ours are: the peer is not made to scan its tables.
    if (indexes) {
      for (const [table, column] of [['axes', 'contract'], ['orientations', 'axis'], ['actions', 'orientation'], ['fundings', 'action']]) {
        db.exec(`CREATE INDEX IF NOT EXISTS ${table}_${column}_index ON ${table} (${column})`);
      }
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
  db.exec('ANALYZE');
}
