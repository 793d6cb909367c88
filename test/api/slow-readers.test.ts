import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, Socket } from 'node:net';
import { AppConfig } from '../../src/config';
import { RunningServer, startServer } from '../../src/server/app';
import { buildLargeContract } from '../support/builders';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const EXPORT = '/api/export/fundings.json?contract=CRTE-SLOW';

/** A client that asks for a path and never reads a byte of the answer. */
function stalledClient(port: number, path: string): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.pause(); // before the connection is up: Node never starts reading it
  socket.on('error', () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`);
  return socket;
}

/** The server side of the exports asked for, to see how far each has gone. */
function watchExports(server: RunningServer): { responses: ServerResponse[]; stop(): void } {
  const responses: ServerResponse[] = [];
  const onRequest = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    if ((req.originalUrl ?? req.url ?? '').startsWith('/api/export')) responses.push(res);
  };
  server.httpServer.on('request', onRequest);
  return { responses, stop: () => server.httpServer.off('request', onRequest) };
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const start = Date.now();
  while (!condition() && Date.now() - start < ms) await sleep(20);
  expect(condition()).toBe(true);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = Date.now();
  const value = await work();
  return { ms: Date.now() - start, value };
}

describe(`clients that never read their answer on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer({
      // About 6 MB of JSON (9 000 lines): more than the kernel's socket buffers take for a client that reads nothing.
      prepare: async (db) => void (await buildLargeContract(db.dataSource, { code: 'CRTE-SLOW', actions: 2250, fundingsPerAction: 4 })),
    });
  }, 60_000);
  afterAll(async () => api?.close());

  it('as many stalled downloads as the gate has places leave GraphQL and /healthz answering at once', async () => {
    const places = api.server.gate.limits.maxConcurrent;
    const watch = watchExports(api.server);
    const clients = Array.from({ length: places }, () => stalledClient(api.server.port, EXPORT));
    try {
      // Every export has started answering, and its client has stopped taking the bytes.
      await until(() => watch.responses.length === places && watch.responses.every((res) => res.writableLength > 0), 15_000);
      await sleep(300);
      const graphql = await timed(() => api.graphql('{ contracts { code } }'));
      const health = await timed(() => fetch(`http://127.0.0.1:${api.server.port}/healthz`).then((response) => response.status));
      expect(graphql.value.status).toBe(200);
      expect(graphql.value.body.data.contracts).toContainEqual({ code: 'CRTE-SLOW' });
      expect(health.value).toBe(200);
      // Generous for a loaded machine; before the fix the query waited the whole queue wait (10 s) for a 503.
      expect(graphql.ms).toBeLessThan(3000);
      expect(health.ms).toBeLessThan(1000);
      // The premise: the stalled clients still have most of their answers to read, held in the server's memory.
      expect(watch.responses.every((res) => !res.writableFinished)).toBe(true);
      expect(api.server.stats().gate).toMatchObject({ running: 0, sending: places });
      expect(api.server.stats().gate.bufferedBytes).toBeGreaterThan(places * 1024 * 1024);
    } finally {
      watch.stop();
      clients.forEach((client) => client.destroy());
    }
    await until(() => api.server.stats().gate.bufferedBytes === 0, 5000);
  }, 20_000);

  it('past the answers’ memory ceiling requests wait, and a reader that takes nothing is cut after the send timeout', async () => {
    const config: AppConfig = { databaseUrl: api.db.url, database: api.db.config, port: 0, readRequiresToken: false, production: false };
    const server = await startServer(api.db.dataSource, {
      ...config,
      gate: { maxConcurrent: 2, maxBufferedBytes: 1024 * 1024 },
      keepAlive: { idleMs: 5000, graceMs: 0, sendTimeoutMs: 1500 },
    });
    const watch = watchExports(server);
    const client = stalledClient(server.port, EXPORT);
    let closedAt = 0;
    try {
      await until(() => server.stats().gate.bufferedBytes >= 1024 * 1024, 10_000);
      // (The client, which reads nothing, would not even see the end of the connection: watch the server's side.)
      watch.responses[0].socket!.once('close', () => (closedAt = Date.now()));
      const asked = Date.now();
      const answer = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ contracts { code } }' }) });
      expect(answer.status).toBe(200);
      // The query waited for the stalled answer's memory: it was let in once the send timeout had cut that client.
      expect(closedAt).toBeGreaterThan(0);
      expect(closedAt - asked).toBeGreaterThanOrEqual(1000);
      expect(Date.now() - asked).toBeLessThan(8000);
      expect(watch.responses[0].writableFinished).toBe(false);
      expect(server.stats().gate).toMatchObject({ running: 0, bufferedBytes: 0 });
    } finally {
      watch.stop();
      client.destroy();
      server.httpServer.closeAllConnections();
      await new Promise((resolve) => server.httpServer.close(resolve));
    }
  }, 20_000);
});
