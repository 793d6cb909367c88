import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createNetServer, AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { SAMPLE_INDICATORS_EXPECTED } from '../fixtures/indicators/build-indicators';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'crte.js');

/** Runs the compiled CLI as a newcomer would (`npm start` runs `crte serve` after building). */
function runCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API GraphQL prête : (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function finished(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe(`a fresh start on ${TEST_DATABASE_TYPE}: migrate, seed, serve`, () => {
  let databaseUrl: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (TEST_DATABASE_TYPE === 'sqlite') {
      // A path whose folder does not exist yet, as ./data/ on a fresh clone.
      const dir = mkdtempSync(join(tmpdir(), 'crte-start-'));
      databaseUrl = `sqlite:${join(dir, 'data', 'crte.sqlite')}`;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const db: TestDatabase = await createTestDatabase({ migrate: false });
      await db.dataSource.destroy();
      databaseUrl = db.url;
      cleanup = () => db.drop();
    }
  });
  afterAll(async () => cleanup?.());

  it('serves the Douaisis contract on an empty database, and a second seed changes nothing', async () => {
    const server = runCli(['serve'], { DATABASE_URL: databaseUrl, PORT: '0' });
    try {
      const url = await waitForUrl(server);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ contracts { code signedOn startYear endYear axes { orientations { code } } } }' }),
      });
      const body = (await response.json()) as any;
      expect(body.errors).toBeUndefined();
      expect(body.data.contracts).toHaveLength(1);
      const [contract] = body.data.contracts;
      expect(contract).toMatchObject({ code: 'CRTE-DOUAISIS', signedOn: '2022-02-01', startYear: 2021, endYear: 2026 });
      expect(contract.axes.flatMap((axis: any) => axis.orientations)).toHaveLength(16);

      // The first run's sample indicators, one applied batch, with the figures of their fixture's README — on
      // the embedded SQLite only: their values are invented, a MariaDB/MySQL installation is a real one.
      const sample = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ importBatches { nodes { kind status fileName uploadedBy } }
                    progress(contract: "CRTE-DOUAISIS") { axes { orientations { orientation { code }
                      indicators { indicator { code unit } latestYear latestValue target targetYear } } } } }`,
        }),
      });
      const read = (await sample.json()) as any;
      expect(read.errors).toBeUndefined();
      expect(read.data.importBatches.nodes).toEqual(
        TEST_DATABASE_TYPE === 'sqlite'
          ? [{ kind: 'INDICATORS', status: 'APPLIED', fileName: 'indicateurs-exemple-douaisis.xlsx', uploadedBy: 'Exemple du premier démarrage' }]
          : [],
      );
      const shown: Record<string, unknown> = {};
      for (const axis of read.data.progress.axes) {
        for (const { orientation, indicators } of axis.orientations) {
          for (const entry of indicators) {
            const { latestYear, latestValue, target, targetYear } = entry;
            shown[entry.indicator.code] = { orientation: orientation.code, unit: entry.indicator.unit, latestYear, latestValue, target, targetYear };
          }
        }
      }
      const expected = Object.fromEntries(Object.entries(SAMPLE_INDICATORS_EXPECTED.byCode).map(([code, { shown: _text, ...figures }]) => [code, figures]));
      expect(shown).toEqual(TEST_DATABASE_TYPE === 'sqlite' ? expected : {});
    } finally {
      server.kill('SIGTERM');
      await finished(server);
    }

    const seed = runCli(['seed', '--json'], { DATABASE_URL: databaseUrl });
    let output = '';
    seed.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await finished(seed)).toBe(0);
    const summary = JSON.parse(output);
    for (const table of Object.values(summary) as Array<{ created: number; updated: number }>) {
      expect(table.created).toBe(0);
      expect(table.updated).toBe(0);
    }
  });

  it('says in one French line that the port is taken, and exits 1', async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = runCli(['serve'], { DATABASE_URL: databaseUrl, PORT: String(port) });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await finished(child)).toBe(1);
      expect(stdout).not.toMatch(/API GraphQL prête/);
      expect(stderr.trimEnd().split('\n')).toEqual([
        `Le port ${port} est déjà utilisé : un autre programme l’occupe (peut-être un autre « crte serve »). Arrêtez-le, ou choisissez un autre port : PORT=${port + 1} npm start`,
      ]);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('answers a usage error with exit code 2', async () => {
    const child = runCli(['nonsense'], { DATABASE_URL: databaseUrl });
    expect(await finished(child)).toBe(2);
  });
});
