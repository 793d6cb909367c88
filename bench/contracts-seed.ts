/**
 * Generated contracts for `npm run bench:contracts` (issue 16, point 5): as many CRTE as France has (~850)
 * beside the seeded Douaisis, each with its own EPCI and communes (its perimeter), 4 axes × 4 orientations,
 * 100 actions with one indicator each, and 2 000 funding lines declared by its EPCI in one annex 3 (20 per
 * action: 5 funders × 4 years, stage PLANNED). The funders are a pool shared by every contract, as in
 * reality (État, Région, Département, Banque des Territoires, ADEME, Agence de l'eau): their rows are the
 * seeded ones, parties of each contract.
 *
 * Written with the bare driver (reports-seed.ts's writers: multi-row INSERTs of 2 000 rows on
 * MySQL/MariaDB, one prepared statement on SQLite), CONTRACTS_PER_TRANSACTION contracts per transaction.
 * Every amount is known here, in integer cents, so that the bench checks the API's figures against them.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import * as XLSX from 'xlsx';
import { DataSource } from 'typeorm';
import { formatCents } from '../src/kernel/money';
import { BulkWriter, DOUAISIS_FUNDERS, mysqlWriter, Row, sqliteWriter } from './reports-seed';

export const ACTIONS_PER_CONTRACT = 100;
/** Lines per action: FUNDERS_PER_ACTION funders × YEARS_PER_ACTION years. */
const FUNDERS_PER_ACTION = 5;
const YEARS_PER_ACTION = 4;
export const LINES_PER_CONTRACT = ACTIONS_PER_CONTRACT * FUNDERS_PER_ACTION * YEARS_PER_ACTION;
const COMMUNES_PER_CONTRACT = 10;
const CONTRACTS_PER_TRANSACTION = 25;
/** The shared pool of funders, by their names in the Douaisis reference data. */
const FUNDER_NAMES = DOUAISIS_FUNDERS;
const STATUSES = ['IDEA', 'STUDY', 'PLANNED', 'UNDERWAY', 'DONE'];
const SHEET = 'Annexe 3';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** The code of the n-th generated contract (1-based). */
export const generatedCode = (n: number) => `CRTE-GEN-${pad(n, 4)}`;

export interface GeneratedLine {
  actionCode: string;
  actionTitle: string;
  funder: string;
  year: number;
  cents: bigint;
}

export interface GeneratedContract {
  code: string;
  id: number;
  /** The EPCI of its perimeter, which declared its annex 3 (the partner that re-imports it). */
  partnerId: number;
  partnerName: string;
  actions: number;
  /** Its funding lines, as its partner's annex 3 has them (all PLANNED, all counted). */
  lines: GeneratedLine[];
  plannedCents: bigint;
}

/** The lines of the n-th contract: a pure function of n, so that the bench knows them without a query. */
export function generatedLines(n: number): GeneratedLine[] {
  const lines: GeneratedLine[] = [];
  for (let a = 0; a < ACTIONS_PER_CONTRACT; a++) {
    for (let j = 0; j < FUNDERS_PER_ACTION; j++) {
      const funder = FUNDER_NAMES[(a + j) % FUNDER_NAMES.length];
      for (let y = 0; y < YEARS_PER_ACTION; y++) {
        const k = (a * FUNDERS_PER_ACTION + j) * YEARS_PER_ACTION + y;
        // Varied cents, so that any float on the way shows in the sums.
        const cents = BigInt(100_000 + ((a * 7_919 + k * 104_729 + n * 31) % 49_000_000));
        lines.push({ actionCode: actionCode(a), actionTitle: actionTitle(n, a), funder, year: 2021 + ((a + y) % 6), cents });
      }
    }
  }
  return lines;
}

const actionCode = (a: number) => `A-${pad(a, 4)}`;
const actionTitle = (n: number, a: number) => `Opération ${a} du contrat ${pad(n, 4)} — rénovation et équipement`;

/**
 * Generates contracts `from`..`to` (1-based, inclusive) on a migrated database holding the Douaisis seed.
 * `onProgress` is told after each transaction.
 */
export async function generateContracts(
  dataSource: DataSource,
  from: number,
  to: number,
  onProgress?: (done: number, seconds: number) => void,
): Promise<{ contracts: GeneratedContract[]; seconds: number }> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const contracts: GeneratedContract[] = [];
  for (let first = from; first <= to; first += CONTRACTS_PER_TRANSACTION) {
    const last = Math.min(to, first + CONTRACTS_PER_TRANSACTION - 1);
    contracts.push(...(await inTransaction(dataSource, (writer) => writeContracts(writer, first, last))));
    onProgress?.(last - from + 1, elapsed());
  }
  return { contracts, seconds: elapsed() };
}

async function inTransaction<T>(dataSource: DataSource, work: (writer: BulkWriter) => Promise<T>): Promise<T> {
  if (dataSource.options.type === 'better-sqlite3') {
    const db = (dataSource.driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection;
    db.exec('BEGIN');
    try {
      const result = await work(sqliteWriter(db));
      db.exec('COMMIT');
      return result;
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Every key is known to be right; the checks are the database's job in production.
    await runner.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    await runner.startTransaction();
    const result = await work(mysqlWriter(runner));
    await runner.commitTransaction();
    await runner.query('SET SESSION foreign_key_checks = 1, unique_checks = 1');
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

async function writeContracts(writer: BulkWriter, first: number, last: number): Promise<GeneratedContract[]> {
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const funders = await writer.query<{ id: number; name: string; kind: string }>(`SELECT id, name, kind FROM organisation WHERE name IN (${FUNDER_NAMES.map(() => '?').join(', ')})`, FUNDER_NAMES);
  if (funders.length !== FUNDER_NAMES.length) throw new Error(`Douaisis reference data: ${funders.length} of ${FUNDER_NAMES.length} funders found`);
  const funderId = new Map(funders.map((f) => [f.name, Number(f.id)]));
  const range = Array.from({ length: last - first + 1 }, (_, i) => first + i);

  // Each contract's perimeter: its EPCI and its communes, organisations of its own.
  const epciName = (n: number) => `Communauté de communes de synthèse ${pad(n, 4)}`;
  await writer.insert(
    'organisation',
    ['name', 'short_name', 'kind', 'siren', 'insee_code', 'parent_id', 'created_at', 'updated_at'],
    range.map((n) => [epciName(n), `CC synthèse ${pad(n, 4)}`, 'EPCI', `8${pad(n, 8)}`, null, null, now, now]),
  );
  const epcis = new Map<number, number>();
  for (const row of await writer.query<{ id: number; siren: string }>(`SELECT id, siren FROM organisation WHERE siren IN (${range.map(() => '?').join(', ')})`, range.map((n) => `8${pad(n, 8)}`))) {
    epcis.set(Number(row.siren.slice(1)), Number(row.id));
  }
  await writer.insert(
    'organisation',
    ['name', 'short_name', 'kind', 'siren', 'insee_code', 'parent_id', 'created_at', 'updated_at'],
    range.flatMap((n) => Array.from({ length: COMMUNES_PER_CONTRACT }, (_, c) => [`Commune de synthèse ${pad(n, 4)}-${c}`, null, 'COMMUNE', null, `Y${(n * COMMUNES_PER_CONTRACT + c).toString(36).padStart(4, '0')}`, epcis.get(n), now, now])),
  );
  const communesOf = new Map<number, number[]>();
  const epciNumber = new Map([...epcis].map(([n, id]) => [id, n]));
  for (const row of await writer.query<{ id: number; parent_id: number }>(`SELECT id, parent_id FROM organisation WHERE kind = 'COMMUNE' AND parent_id IN (${[...epcis.values()].join(', ')}) ORDER BY id`)) {
    const n = epciNumber.get(Number(row.parent_id))!;
    communesOf.set(n, [...(communesOf.get(n) ?? []), Number(row.id)]);
  }

  await writer.insert(
    'contract',
    ['code', 'name', 'signed_on', 'start_year', 'end_year', 'created_at', 'updated_at'],
    range.map((n) => [generatedCode(n), `CRTE de synthèse ${pad(n, 4)}`, '2022-02-01', 2021, 2026, now, now]),
  );
  const contractIds = new Map<number, number>();
  for (const row of await writer.query<{ id: number; code: string }>(`SELECT id, code FROM contract WHERE code IN (${range.map(() => '?').join(', ')})`, range.map(generatedCode))) {
    contractIds.set(Number(row.code.slice('CRTE-GEN-'.length)), Number(row.id));
  }
  const ids = [...contractIds.values()].join(', ');

  await writer.insert(
    'contract_party',
    ['contract_id', 'organisation_id', 'role'],
    range.flatMap((n) => {
      const contract = contractIds.get(n)!;
      const epci = epcis.get(n)!;
      return [
        [contract, epci, 'PERIMETER'],
        [contract, epci, 'SIGNATORY'],
        [contract, epci, 'PARTNER'],
        [contract, funderId.get('État'), 'SIGNATORY'],
        ...FUNDER_NAMES.filter((name) => name !== 'État').map((name) => [contract, funderId.get(name), 'PARTNER']),
      ];
    }),
  );

  await writer.insert('axis', ['contract_id', 'number', 'code', 'title'], range.flatMap((n) => [1, 2, 3, 4].map((x) => [contractIds.get(n), x, String(x), `Axe ${x}`])));
  const axes = await writer.query<{ id: number; contract_id: number; number: number }>(`SELECT id, contract_id, number FROM axis WHERE contract_id IN (${ids})`);
  await writer.insert(
    'orientation',
    ['contract_id', 'axis_id', 'code', 'title'],
    axes.flatMap((axis) => [1, 2, 3, 4].map((o) => [axis.contract_id, axis.id, `${axis.number}.${o}`, `Orientation ${axis.number}.${o}`])),
  );
  const orientationsOf = new Map<number, number[]>();
  for (const row of await writer.query<{ id: number; contract_id: number }>(`SELECT id, contract_id FROM orientation WHERE contract_id IN (${ids}) ORDER BY contract_id, code`)) {
    orientationsOf.set(Number(row.contract_id), [...(orientationsOf.get(Number(row.contract_id)) ?? []), Number(row.id)]);
  }

  // The annex 3 its EPCI sent, applied.
  await writer.insert(
    'import_batch',
    ['contract_id', 'kind', 'source_id', 'year', 'file_name', 'sha256', 'size_bytes', 'layout', 'status', 'uploaded_by', 'uploaded_at', 'applied_at', 'line_count', 'error_count', 'warning_count', 'total'],
    range.map((n) => [
      contractIds.get(n), 'annex3', epcis.get(n), null, `annexe3-synthese-${pad(n, 4)}.xlsx`, createHash('sha256').update(generatedCode(n)).digest('hex'), 150_000, 'long', 'APPLIED', 'bench:contracts', now, now,
      LINES_PER_CONTRACT, 0, 0, formatCents(generatedLines(n).reduce((sum, line) => sum + line.cents, 0n)),
    ]),
  );
  const batchOf = new Map<number, number>();
  for (const row of await writer.query<{ id: number; contract_id: number }>(`SELECT id, contract_id FROM import_batch WHERE contract_id IN (${ids})`)) batchOf.set(Number(row.contract_id), Number(row.id));

  const leadOf = (n: number, a: number) => (a % 10 === 9 ? epcis.get(n)! : communesOf.get(n)![a % COMMUNES_PER_CONTRACT]);
  await writer.insert(
    'action',
    ['contract_id', 'orientation_id', 'code', 'title', 'normalised_title', 'lead_id', 'status', 'total_cost', 'cost_base', 'created_at', 'updated_at', 'created_by_batch_id'],
    range.flatMap((n) => {
      const contract = contractIds.get(n)!;
      const orientations = orientationsOf.get(contract)!;
      return Array.from({ length: ACTIONS_PER_CONTRACT }, (_, a) => [
        contract, orientations[a % orientations.length], actionCode(a), actionTitle(n, a), `operation ${a} du contrat ${pad(n, 4)} renovation et equipement`, leadOf(n, a), STATUSES[a % STATUSES.length],
        formatCents(BigInt(100_000_000 + a * 1_237)), 'HT', now, now, batchOf.get(contract),
      ]);
    }),
  );
  const actionIds = new Map<string, number>();
  for (const row of await writer.query<{ id: number; contract_id: number; code: string }>(`SELECT id, contract_id, code FROM action WHERE contract_id IN (${ids})`)) {
    actionIds.set(`${row.contract_id}/${row.code}`, Number(row.id));
  }

  const generated: GeneratedContract[] = [];
  const fundingRows: Row[] = [];
  for (const n of range) {
    const contract = contractIds.get(n)!;
    const epci = epcis.get(n)!;
    const batch = batchOf.get(contract)!;
    const lines = generatedLines(n);
    lines.forEach((line, i) => {
      const a = Math.floor(i / (FUNDERS_PER_ACTION * YEARS_PER_ACTION));
      fundingRows.push([
        contract, actionIds.get(`${contract}/${line.actionCode}`), funderId.get(line.funder), null, leadOf(n, a), line.year, formatCents(line.cents), 'PLANNED', 'SUBSIDY', 'HT', 0,
        batch, SHEET, `E${i + 2}`, null, now, epci, 'annex3',
      ]);
    });
    generated.push({ code: generatedCode(n), id: contract, partnerId: epci, partnerName: epciName(n), actions: ACTIONS_PER_CONTRACT, lines, plannedCents: lines.reduce((sum, line) => sum + line.cents, 0n) });
  }
  await writer.insert(
    'funding',
    ['contract_id', 'action_id', 'funder_id', 'programme_id', 'beneficiary_id', 'year', 'amount', 'stage', 'instrument', 'cost_base', 'approximate', 'batch_id', 'source_sheet', 'source_cell', 'raw_value', 'created_at', 'source_id', 'import_kind'],
    fundingRows,
  );

  await writer.insert(
    'indicator',
    ['contract_id', 'action_id', 'orientation_id', 'code', 'name', 'unit', 'baseline', 'target', 'target_year', 'created_at', 'updated_at'],
    [...actionIds].map(([key, id]) => [Number(key.split('/')[0]), id, null, `IND-${key.split('/')[1]}`, 'Logements rénovés', 'logements', '0', '100', 2026, now, now]),
  );
  const indicators = await writer.query<{ id: number }>(`SELECT id FROM indicator WHERE contract_id IN (${ids})`);
  await writer.insert(
    'indicator_value',
    ['indicator_id', 'year', 'value', 'stage', 'created_at', 'updated_at'],
    indicators.flatMap((indicator, i) => [
      [indicator.id, 2022, String(i % 40), 'ACTUAL', now, now],
      [indicator.id, 2026, '100', 'TARGET', now, now],
    ]),
  );
  return generated;
}

/**
 * The partner's annex 3 of a generated contract, in the `long` layout (one row per action × funder × year):
 * its lines as generated, or with the first amount raised by `plusCents` (a second version, so that each
 * re-import applies instead of being UNCHANGED).
 */
export function partnerAnnex3(contract: GeneratedContract, plusCents = 0n): { buffer: Buffer; cents: bigint; lines: number } {
  const rows: unknown[][] = [['N° action', 'Intitulé de l’action', 'Financeur', 'Année', 'Montant prévu']];
  let total = 0n;
  contract.lines.forEach((line, i) => {
    const cents = i === 0 ? line.cents + plusCents : line.cents;
    total += cents;
    // A number cell as a partner's Excel holds it: euros with cents.
    rows.push([line.actionCode, line.actionTitle, line.funder, line.year, Number(cents) / 100]);
  });
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), SHEET);
  return { buffer: XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer, cents: total, lines: contract.lines.length };
}
