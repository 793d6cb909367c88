import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import express from 'express';
import { seedReferenceData } from '../../src/seed/seed.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { DEFAULT_GATE_LIMITS, gateLimits, RequestGate } from '../../src/request/request-gate';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

/** A gate in front of a handler that answers when the test says so, on a real HTTP server. */
async function gatedServer(limits: { maxConcurrent: number; maxQueue: number; maxWaitMs: number }) {
  const gate = new RequestGate(limits);
  const pending: Array<() => void> = [];
  const order: string[] = [];
  const app = express();
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.post('/graphql', express.json(), gate.guard('graphql'), (req, res) => {
    order.push(String(req.body.id));
    pending.push(() => res.json({ data: { id: req.body.id } }));
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (id: number, signal?: AbortSignal) =>
    fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }), signal }).then(async (response) => ({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as any,
    }));
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(condition()).toBe(true);
  };
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // An aborted fetch may leave its keep-alive socket open: close would wait for it.
      server.closeAllConnections();
    });
  return { gate, pending, order, url, post, until, close };
}

describe('request gate', () => {
  it('runs at most maxConcurrent at once, the others in arrival order, and refuses past the queue with a 503 in French', async () => {
    const s = await gatedServer({ maxConcurrent: 2, maxQueue: 2, maxWaitMs: 10_000 });
    try {
      const first = [s.post(1), s.post(2)];
      await s.until(() => s.order.length === 2);
      const queued = s.post(3);
      await s.until(() => s.gate.stats().queued === 1);
      const queued2 = s.post(4);
      await s.until(() => s.gate.stats().queued === 2);
      const refused = await s.post(5);
      expect(refused.status).toBe(503);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(refused.body).toEqual({ errors: [{ message: expect.stringMatching(/trop de requêtes à la fois.*réessayez dans \d+ s/), extensions: { code: 'SERVER_BUSY', retryAfter: Number(refused.retryAfter) } }] });
      // Light requests do not wait.
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect(s.gate.stats()).toMatchObject({ running: 2, queued: 2 });

      s.pending.shift()!();
      await s.until(() => s.order.length === 3);
      s.pending.shift()!();
      await s.until(() => s.order.length === 4);
      expect(s.order).toEqual(['1', '2', '3', '4']);
      while (s.pending.length) s.pending.shift()!();
      const answers = await Promise.all([...first, queued, queued2]);
      expect(answers.map((a) => [a.status, a.body.data.id])).toEqual([[200, 1], [200, 2], [200, 3], [200, 4]]);
      expect(s.gate.stats()).toMatchObject({ running: 0, queued: 0, refusedFull: 1 });
    } finally {
      await s.close();
    }
  });

  it('answers 503 to a request that waited longer than maxWaitMs, long before the request time limit', async () => {
    const s = await gatedServer({ maxConcurrent: 1, maxQueue: 10, maxWaitMs: 300 });
    try {
      const held = s.post(1);
      await s.until(() => s.order.length === 1);
      const started = Date.now();
      const waited = await s.post(2);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(waited.status).toBe(503);
      expect(waited.retryAfter).toMatch(/^\d+$/);
      expect(waited.body.errors[0]).toMatchObject({ message: expect.stringMatching(/a attendu 300 ms sans qu’une place se libère/), extensions: { code: 'SERVER_BUSY' } });
      expect(s.order).toEqual(['1']);
      s.pending.shift()!();
      expect((await held).status).toBe(200);
      expect(s.gate.stats()).toMatchObject({ running: 0, queued: 0, refusedWait: 1 });
    } finally {
      await s.close();
    }
  });

  it('gives the place back when a client goes away, running or waiting', async () => {
    const s = await gatedServer({ maxConcurrent: 1, maxQueue: 10, maxWaitMs: 10_000 });
    try {
      const running = new AbortController();
      const first = s.post(1, running.signal).catch(() => 'aborted');
      await s.until(() => s.order.length === 1);
      const waiting = new AbortController();
      const second = s.post(2, waiting.signal).catch(() => 'aborted');
      await s.until(() => s.gate.stats().queued === 1);
      waiting.abort();
      await s.until(() => s.gate.stats().queued === 0);
      running.abort();
      await s.until(() => s.gate.stats().running === 0);
      expect(await Promise.all([first, second])).toEqual(['aborted', 'aborted']);
      const third = s.post(3);
      await s.until(() => s.order.length === 2);
      s.pending.at(-1)!();
      expect((await third).status).toBe(200);
      expect(s.order).toEqual(['1', '3']);
    } finally {
      await s.close();
    }
  });

  it('starts at most maxConcurrent requests per turn of the event loop, even when they finish at once', async () => {
    // SQLite requests run synchronously: started where they are read, or chained inside releases, one
    // turn of the loop would run them all, and Node accepts no connection meanwhile.
    const gate = new RequestGate({ maxConcurrent: 2, maxQueue: 10, maxWaitMs: 10_000 });
    let turn = 0;
    const startedAt: number[] = [];
    const all = Array.from({ length: 7 }, () =>
      gate.admitted().then((release) => {
        startedAt.push(turn);
        release();
      }),
    );
    for (let i = 0; i < 20 && startedAt.length < 7; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      turn++;
    }
    await Promise.all(all);
    const perTurn = new Map<number, number>();
    for (const at of startedAt) perTurn.set(at, (perTurn.get(at) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(2);
    expect(perTurn.size).toBeGreaterThanOrEqual(4);
  });

  it('takes its defaults from the database, the environment, then the server options', () => {
    const sqlite = { database: { type: 'sqlite' as const, path: ':memory:' } } as never;
    const mysql = { database: { type: 'mysql' as const } } as never;
    expect(gateLimits(sqlite, {})).toEqual(DEFAULT_GATE_LIMITS.sqlite);
    expect(gateLimits(mysql, {})).toEqual(DEFAULT_GATE_LIMITS.mysql);
    expect(gateLimits(sqlite, { MAX_CONCURRENT_REQUESTS: '3', MAX_QUEUED_REQUESTS: '0', MAX_QUEUE_WAIT_MS: '500', MAX_BUFFERED_ANSWERS_MB: '16' })).toEqual({
      maxConcurrent: 3,
      maxQueue: 0,
      maxWaitMs: 500,
      maxBufferedBytes: 16 * 1024 * 1024,
    });
    expect(gateLimits({ ...(sqlite as object), gate: { maxConcurrent: 5 } } as never, { MAX_CONCURRENT_REQUESTS: '3' }).maxConcurrent).toBe(5);
    expect(() => gateLimits(sqlite, { MAX_CONCURRENT_REQUESTS: '0' })).toThrow(/MAX_CONCURRENT_REQUESTS « 0 » invalide/);
  });
});

describe(`request gate in the real server on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  const DASHBOARD = `query ($f: FundingFilter!) { fundingTotals(groupBy: [FUNDER], filter: $f) { amount } progress(contract: "CRTE-DOUAISIS") { overall { planned } } }`;
  const variables = { f: { contract: 'CRTE-DOUAISIS' } };

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async (db) => {
        await seedReferenceData(db.dataSource);
        const name = 'annexe3-banque-des-territoires-2023.xlsx';
        const result = await importFile(db.dataSource, { buffer: readFileSync(fixturePath(name)), fileName: name, kind: ImportKind.ANNEX3, source: 'Banque des Territoires', contract: 'CRTE-DOUAISIS' });
        expect(result.status).toBe('APPLIED');
      },
      config: { gate: { maxConcurrent: 1, maxQueue: 1, maxWaitMs: 500 } } as never,
    });
  }, 120000);
  afterAll(async () => api?.close());

  const get = (path: string) => fetch(`http://127.0.0.1:${api.server.port}${path}`).then(async (response) => ({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() }));

  it('queues GraphQL operations and exports behind a busy place, then answers 503 SERVER_BUSY with Retry-After in French; /healthz stays open', async () => {
    // The only place is taken, as by a long export.
    const release = await api.server.gate.admitted();
    try {
      const waiting = api.graphql(DASHBOARD, variables);
      for (let i = 0; i < 100 && api.server.stats().gate.queued === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: DASHBOARD, variables }) });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await response.json()).toEqual({
        errors: [{ message: expect.stringMatching(/^Le serveur traite trop de requêtes à la fois \(1 en cours, 1 en attente\) : réessayez dans \d+ s\.$/), extensions: { code: 'SERVER_BUSY', retryAfter: Number(response.headers.get('retry-after')) } }],
      });
      const export_ = await get('/api/export/fundings.csv?contract=CRTE-DOUAISIS');
      expect(export_.status).toBe(503);
      expect(export_.body).toMatchObject({ error: expect.stringMatching(/^Le serveur traite trop de requêtes/), errors: [{ extensions: { code: 'SERVER_BUSY' } }] });
      expect((await get('/healthz')).status).toBe(200);

      const waited = await waiting;
      expect(waited.status).toBe(503);
      expect(waited.body).toEqual({ errors: [{ message: expect.stringMatching(/a attendu 500 ms sans qu’une place se libère : le serveur est surchargé, réessayez dans \d+ s\.$/), extensions: { code: 'SERVER_BUSY', retryAfter: expect.any(Number) } }] });
    } finally {
      release();
    }
    const served = await api.graphql(DASHBOARD, variables);
    expect(served.status).toBe(200);
    expect(served.body.errors).toBeUndefined();
    expect(api.server.stats().gate).toMatchObject({ running: 0, queued: 0, refusedFull: 2, refusedWait: 1 });
  });

  it('lets a queued operation run as soon as the place is given back', async () => {
    const release = await api.server.gate.admitted();
    const waiting = api.graphql(DASHBOARD, variables);
    for (let i = 0; i < 100 && api.server.stats().gate.queued === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(api.server.stats().gate.queued).toBe(1);
    release();
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body.data.progress.overall.planned).toMatch(/^\d+\.\d{2}$/);
  });
});
