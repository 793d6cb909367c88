/**
 * The hostile-file corpus through HTTP (issue 7, point 1): every file of manifest.ts is posted to
 * POST /api/imports as a preview, and the ones that must import are then imported for real and rolled
 * back. For each: the expected answer with French messages and no leaked technical text, an answer in
 * bounded time, /healthz still answering, Object.prototype and Array.prototype untouched in this process
 * (the server runs in it), and nothing written when the file is refused. The big files are built here,
 * in memory, and the process RSS is measured around them.
 *
 * `CORPUS_REPORT=1` prints the table of results (file, expected, got, time, RSS).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Action } from '../../src/action/action.entity';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { Funding } from '../../src/funding/funding.entity';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { builtOnce } from '../support/built-once';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';
import { BIG_BUILDERS, BUILDERS, buildFile, CORPUS_DIR } from './build-corpus';
import { CORPUS, CorpusEntry } from './manifest';

/** Each answer must come within this; a big file within the worker's own wall-clock limit (30 s) and a margin. */
const ANSWER_BOUND_MS = 20_000;
const BIG_ANSWER_BOUND_MS = 35_000;

/** A sentence in French: accented letters or common French words. */
const FRENCH = /[àâçéèêëîïôûùüœ]|\b(le|la|les|du|des|une?|est|pas|dans|ce|cette)\b/i;
/** What must never reach a partner: stack frames, JS error names, library wording, file paths. */
const LEAK = /\n\s+at |\bat \S+ \(|\b(TypeError|RangeError|SyntaxError|ReferenceError|Error):|\[object |\bCannot \w|\bUnexpected \w|\bInvalid \w|\bundefined\b|ENOENT|node_modules|\.(ts|js):\d/;

interface Outcome {
  file: string;
  expected: string;
  got: string;
  ms: number;
  rssMb?: string;
}

function expectedText(entry: CorpusEntry): string {
  return entry.expect.status === 'REJECTED'
    ? `422 ${entry.expect.codes.join('+')}`
    : `200 ${entry.expect.lines} l. ${entry.expect.total}${entry.expect.warnings ? ` (${entry.expect.warnings.join(', ')})` : ''}`;
}

function prototypeKeys(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Reflect.ownKeys(proto).map(String).sort().join(','))
    .join('|');
}

describe(`the hostile-file corpus through POST /api/imports on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let dataSource: DataSource;
  let base: string;
  let token = '';
  const outcomes: Outcome[] = [];
  const prototypesBefore = prototypeKeys();

  const counts = async () => ({
    funding: await dataSource.getRepository(Funding).count(),
    action: await dataSource.getRepository(Action).count(),
    organisation: await dataSource.getRepository(Organisation).count(),
  });

  async function post(entry: CorpusEntry, bytes: Buffer, dryRun: boolean) {
    const form = new FormData();
    form.append('kind', entry.kind);
    form.append('source', entry.source);
    form.append('dryRun', String(dryRun));
    form.append('file', new Blob([bytes]), entry.file);
    const started = performance.now();
    const response = await fetch(`${base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    const ms = Math.round(performance.now() - started);
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${entry.file}: answer is not JSON (${response.status}): ${text.slice(0, 300)}`);
    }
    return { status: response.status, body, ms };
  }

  async function stillServing() {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(prototypeKeys()).toBe(prototypesBefore);
    // A polluted prototype would show here even if its key were later deleted by the attacker's own code.
    expect(({} as Record<string, unknown>).c).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).c).toBeUndefined();
  }

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    dataSource = api.db.dataSource;
    base = api.server.url.replace(/\/graphql$/, '');
    token = (await createToken(dataSource, { name: 'Corpus', role: Role.ADMIN, organisationId: null })).secret;
  });

  afterAll(async () => {
    await api?.close();
    if (process.env.CORPUS_REPORT) {
      const slowest = [...outcomes].sort((a, b) => b.ms - a.ms)[0];
      const lines = outcomes.map((o) => `| ${o.file} | ${o.expected} | ${o.got} | ${o.ms} ms${o.rssMb ? ` (RSS ${o.rssMb})` : ''} |`);
      console.log(
        [`corpus on ${TEST_DATABASE_TYPE}: ${outcomes.length} files, slowest ${slowest?.file} ${slowest?.ms} ms`, '| file | expected | got | time |', '|---|---|---|---|', ...lines].join('\n'),
      );
    }
  });

  it('has at least 40 files, each with a builder, the small ones committed', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CORPUS.map((entry) => entry.file)).size).toBe(CORPUS.length);
    const built = new Set([...Object.keys(BUILDERS), ...Object.keys(BIG_BUILDERS)]);
    expect(CORPUS.map((entry) => entry.file).filter((file) => !built.has(file))).toEqual([]);
    expect([...built].filter((file) => !CORPUS.some((entry) => entry.file === file))).toEqual([]);
    const stale: string[] = [];
    for (const entry of CORPUS) {
      if (entry.big) {
        expect(BIG_BUILDERS[entry.file]).toBeDefined();
        continue;
      }
      const path = join(CORPUS_DIR, entry.file);
      // Committed as `npm run corpus` writes them (`npm run corpus -- --check` compares the bytes under plain
      // node; inside jest's sandbox xlsx compresses differently).
      if (!existsSync(path)) stale.push(entry.file);
    }
    expect(stale).toEqual([]);
  });

  it.each(CORPUS.map((entry) => [entry.file, entry] as const))('%s', async (_file, entry) => {
    const bytes = entry.big ? builtOnce(`corpus ${entry.file}`, () => buildFile(entry.file)) : readFileSync(join(CORPUS_DIR, entry.file));
    // Building a big file blocks this process (the server's too) for seconds: let the keep-alive timers that
    // expired meanwhile close the idle sockets first, or fetch may reuse one as the server closes it
    // (ECONNRESET, seen once).
    if (entry.big) await new Promise((resolve) => setTimeout(resolve, 100));
    const rssBefore = process.memoryUsage().rss;
    const before = await counts();
    const batchesBefore = await dataSource.getRepository(ImportBatch).count();

    const { status, body, ms } = await post(entry, bytes, true);
    const rssAfter = process.memoryUsage().rss;
    const issues: any[] = Array.isArray(body.issues) ? body.issues : [];
    const errorCodes = [...new Set(issues.filter((issue) => issue.severity === 'ERROR').map((issue) => issue.code))].sort();
    const warningCodes = [...new Set(issues.filter((issue) => issue.severity === 'WARNING').map((issue) => issue.code))].sort();
    const got =
      status === 200 || status === 422
        ? `${status} ${body.status} ${body.counts?.lines} l. ${body.total} [${errorCodes.join('+')}]${warningCodes.length ? ` (${warningCodes.join(', ')})` : ''}`
        : `${status} ${body.error}`;
    outcomes.push({
      file: entry.file,
      expected: expectedText(entry),
      got,
      ms,
      ...(entry.big || bytes.length > 100_000 ? { rssMb: `${Math.round(rssBefore / 1e6)}→${Math.round(rssAfter / 1e6)} MB` } : {}),
    });

    // No negative zero, no float noise: every amount a plain decimal string with two decimals.
    for (const line of Array.isArray(body.lines) ? body.lines : []) expect(line.amount).toMatch(/^\d+\.\d{2}$/);
    if (typeof body.total === 'string') expect(body.total).toMatch(/^\d+\.\d{2}$/);
    // Every message in French, nothing technical leaking.
    for (const issue of issues) {
      expect(typeof issue.message).toBe('string');
      expect(issue.message).toMatch(FRENCH);
      expect(issue.message).not.toMatch(LEAK);
    }
    expect(ms).toBeLessThan(entry.big ? BIG_ANSWER_BOUND_MS : ANSWER_BOUND_MS);
    await stillServing();

    if (entry.expect.status === 'REJECTED') {
      const expectedCodes = entry.expect.orElse && errorCodes.join() === [...entry.expect.orElse].sort().join() ? entry.expect.orElse : entry.expect.codes;
      expect({ status, bodyStatus: body.status, errorCodes }).toEqual({ status: 422, bodyStatus: 'REJECTED', errorCodes: [...expectedCodes].sort() });
      if (entry.expect.errors !== undefined) expect(issues.filter((issue) => issue.severity === 'ERROR')).toHaveLength(entry.expect.errors);
      // The rejected preview is kept as a REJECTED batch; nothing else is written.
      expect(await dataSource.getRepository(ImportBatch).count()).toBe(batchesBefore + 1);
      expect((await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: body.batchId })).status).toBe('REJECTED');
      expect(await counts()).toEqual(before);
      return;
    }

    expect({ status, bodyStatus: body.status, errorCodes, lines: body.counts?.lines, total: body.total }).toEqual({
      status: 200,
      bodyStatus: 'PREVIEWED',
      errorCodes: [],
      lines: entry.expect.lines,
      total: entry.expect.total,
    });
    for (const code of entry.expect.warnings ?? []) expect(warningCodes).toContain(code);
    expect(await counts()).toEqual(before);

    // Imported for real, then rolled back: the lines land, then the data is as it was.
    const applied = await post(entry, bytes, false);
    expect(applied.status).toBe(200);
    expect(applied.body.status).toBe('APPLIED');
    expect(applied.body.total).toBe(entry.expect.total);
    await stillServing();
    const rollback = await fetch(`${base}/api/imports/${applied.body.batchId}/rollback`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(rollback.status).toBe(200);
    const [{ current }] = await dataSource.query('SELECT COUNT(*) AS current FROM funding WHERE superseded_at IS NULL');
    expect(Number(current)).toBe(0);
  });
});
