import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../../src/config';
import { openDataSource } from '../../src/db/data-source';
import { SERVER_NODE_FLAGS } from '../../src/server/node-flags';

const ROOT = join(__dirname, '..', '..');

/** The real server (`crte serve`, compiled dist/) in a child process that a test may SIGKILL. */
export interface ChildServer {
  child: ChildProcess;
  base: string;
  graphqlUrl: string;
  exited: Promise<number | null>;
  output(): string;
}

export function spawnServer(databaseUrl: string): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    // As `npm start` runs it (its node options).
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(ROOT, 'bin', 'crte.js'), 'serve'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /API GraphQL prête : (http:\/\/\S+\/graphql)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (more: Buffer) => (out += more.toString()));
        resolve({ child, graphqlUrl: match[1], base: match[1].replace(/\/graphql$/, ''), exited, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it was ready:\n${out}`));
    });
  });
}

/** SIGKILL: no handler runs, no transaction is committed or rolled back by the process itself. */
export async function killHard(server: ChildServer): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

/** POST /api/imports; a connection cut by a killed server gives `{ status: 0 }`. */
export async function upload(base: string, token: string, bytes: Buffer, fields: Record<string, string>, fileName = 'annexe3.xlsx'): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), fileName);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  try {
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.json() };
  } catch (error) {
    return { status: 0, body: { error: String(error) } };
  }
}

export async function graphql(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return response.json();
}

/** A connection of its own, opened after the fault: what another process would find in the database. */
export async function freshConnection(config: DatabaseConfig): Promise<DataSource> {
  return openDataSource(config);
}

export interface Snapshot {
  batches: Array<{ id: number; status: string; lineCount: number; total: string | null }>;
  actions: number;
  organisations: number;
  fundings: number;
  /** Funding lines whose batch is not APPLIED, SUPERSEDED or ROLLED_BACK: a half-written import. */
  orphanLines: number;
  /** (contract, source, kind, action, funder, year, stage, instrument, programme, beneficiary) with more than one current line. */
  duplicateCurrent: number;
}

export async function snapshot(dataSource: DataSource): Promise<Snapshot> {
  const one = async (sql: string) => Number((await dataSource.query(sql))[0].n);
  const batches = (await dataSource.query('SELECT id, status, line_count AS lineCount, total FROM import_batch ORDER BY id')).map((row: any) => ({
    id: Number(row.id),
    status: row.status,
    lineCount: Number(row.lineCount),
    total: row.total === null ? null : String(row.total),
  }));
  return {
    batches,
    actions: await one('SELECT COUNT(*) AS n FROM action'),
    organisations: await one('SELECT COUNT(*) AS n FROM organisation'),
    fundings: await one('SELECT COUNT(*) AS n FROM funding'),
    orphanLines: await one(
      "SELECT COUNT(*) AS n FROM funding f LEFT JOIN import_batch b ON b.id = f.batch_id WHERE f.batch_id IS NOT NULL AND (b.id IS NULL OR b.status NOT IN ('APPLIED', 'SUPERSEDED', 'ROLLED_BACK'))",
    ),
    duplicateCurrent: await one(
      `SELECT COUNT(*) AS n FROM (SELECT 1 AS x FROM funding WHERE superseded_at IS NULL
         GROUP BY contract_id, source_id, import_kind, action_id, funder_id, year, stage, instrument, programme_id, beneficiary_id, source_sheet, source_cell HAVING COUNT(*) > 1) d`,
    ),
  };
}

/** Current funding lines of one batch. */
export async function currentLinesOf(dataSource: DataSource, batchId: number): Promise<number> {
  return Number((await dataSource.query('SELECT COUNT(*) AS n FROM funding WHERE batch_id = ? AND superseded_at IS NULL', [batchId]))[0].n);
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
