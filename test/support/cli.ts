/**
 * The `crte` command in tests, two ways:
 * - `spawnCrte`: the real process (bin/crte.js on the compiled dist/), for what only a process shows: its
 *   exit code and what it prints on a terminal;
 * - `runCrte`: the same command line run in the test's process (`runCommandLine`, which bin/crte.js calls),
 *   its output captured: the same code, without starting Node and loading the server's modules again for
 *   each of the dozens of imports, applies and rollbacks the tests chain (1–2 s of CPU each).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCommandLine } from '../../src/cli/main';

const ROOT = join(__dirname, '..', '..');

export interface CrteResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout read as JSON (null when empty; `{ unparsable }` when not JSON). */
  json: any;
}

function withJson(code: number | null, stdout: string, stderr: string): CrteResult {
  let json: any = null;
  try {
    json = stdout.trim() ? JSON.parse(stdout) : null;
  } catch {
    json = { unparsable: stdout };
  }
  return { code, stdout, stderr, json };
}

/** Runs `crte ARGS` as a child process on the database at `databaseUrl`. */
export function spawnCrte(args: string[], databaseUrl: string): Promise<CrteResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'crte.js'), ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve(withJson(code, stdout, stderr)));
  });
}

let running = false;

/**
 * Runs `crte ARGS` in this process on the database at `databaseUrl` (DATABASE_URL for the time of the
 * command), capturing what it writes. One at a time: stdout and the environment are the process's.
 * stdout is no terminal for the command (no progress line), whatever Jest's is, unless `tty` says so.
 */
export async function runCrte(args: string[], databaseUrl: string, options: { tty?: boolean } = {}): Promise<CrteResult> {
  if (running) throw new Error('runCrte: one command at a time (use spawnCrte for commands that race)');
  running = true;
  let stdout = '';
  let stderr = '';
  const text = (values: unknown[]) => `${values.map((value) => (typeof value === 'string' ? value : String(value))).join(' ')}\n`;
  const saved = { url: process.env.DATABASE_URL, write: process.stdout.write, log: console.log, error: console.error, isTTY: process.stdout.isTTY };
  process.env.DATABASE_URL = databaseUrl;
  process.stdout.isTTY = options.tty ?? false;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  console.log = (...values: unknown[]) => (stdout += text(values));
  console.error = (...values: unknown[]) => (stderr += text(values));
  try {
    const code = await runCommandLine(args);
    return withJson(code, stdout, stderr);
  } finally {
    if (saved.url === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved.url;
    process.stdout.write = saved.write;
    process.stdout.isTTY = saved.isTTY;
    console.log = saved.log;
    console.error = saved.error;
    running = false;
  }
}

/**
 * `crte import ARGS --json` on the test's own data source, in process (no second connection): its exit
 * code and its JSON answer — the same object `POST /api/imports` gives.
 */
export async function importOnDataSource(dataSource: import('typeorm').DataSource, args: string[]): Promise<{ code: number; json: any }> {
  const { runImportCommand } = await import('../../src/cli/import.command');
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const code = await runImportCommand(dataSource, [...args, '--json']);
    return { code, json: JSON.parse(written.join('')) };
  } finally {
    spy.mockRestore();
  }
}
