import { connect, Socket } from 'node:net';
import { AppConfig } from '../../src/config';
import { RunningServer, startServer } from '../../src/server/app';
import { buildLargeContract } from '../support/builders';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Blocks the event loop (the server's and this client's: one process), as a heavy synchronous request does. */
function busyUntil(time: number): void {
  while (Date.now() < time) {
    // spin
  }
}

/** A kept-alive HTTP/1.1 connection driven by hand: when it reads, and when it sends, are the test's to choose. */
class RawClient {
  readonly socket: Socket;
  private buffer = Buffer.alloc(0);
  /** Bytes read since the connection opened. */
  received = 0;
  closed = false;
  error: Error | null = null;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.received += chunk.length;
    });
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', (error) => (this.error = error));
  }

  send(path: string): void {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`);
  }

  /** The next whole answer (Content-Length or chunked); fails if the connection dies first. */
  async response(): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        const rest = this.buffer.subarray(end + 4);
        let length = -1;
        if (headers['content-length'] !== undefined) length = Number(headers['content-length']);
        else if (headers['transfer-encoding'] === 'chunked' && rest.subarray(-5).toString('latin1') === '0\r\n\r\n') length = rest.length;
        if (length >= 0 && rest.length >= length) {
          this.buffer = rest.subarray(length);
          return { status: Number(statusLine.split(' ')[1]), headers, body: rest.subarray(0, length) };
        }
      }
      if (this.closed || this.error) throw new Error(`connection closed by the server before a whole answer (${this.error?.message ?? 'FIN'})`);
      await sleep(5);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

describe(`kept-alive connections after a large download on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let lines: number;

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async (db) => {
        lines = (await buildLargeContract(db.dataSource, { code: 'CRTE-LARGE', actions: 500, fundingsPerAction: 10 })).fundingCount;
      },
    });
  }, 120_000);
  afterAll(async () => api?.close());

  it('a client that reads the end of a 5 000-line export late reuses the connection within the announced time', async () => {
    const client = new RawClient(api.server.port);
    let finishedAt = 0;
    let receivedAtFinish = 0;
    // The moment the server has handed the last bytes to the kernel: the client, on a slow link, gets them later.
    // (Express has already run its router, which strips the mount path from req.url: originalUrl it is.)
    const onRequest = (req: { url?: string; originalUrl?: string }, res: NodeJS.EventEmitter) => {
      if (!(req.originalUrl ?? req.url)?.startsWith('/api/export')) return;
      res.once('finish', () => {
        client.socket.pause();
        finishedAt = Date.now();
        receivedAtFinish = client.received;
      });
    };
    api.server.httpServer.on('request', onRequest);
    try {
      client.send('/api/export/fundings.json?contract=CRTE-LARGE');
      while (!finishedAt) await sleep(5);
      await sleep(1500); // the answer's tail in transit
      client.socket.resume();
      const exported = await client.response();
      expect(exported.status).toBe(200);
      expect(JSON.parse(exported.body.toString('utf8').replace(/^[0-9a-f]+\r\n|\r\n[0-9a-f]+\r\n/g, ''))).toHaveLength(lines);
      // The premise: a good part of the answer was still on its way when the server was done with it.
      expect(client.received - receivedAtFinish).toBeGreaterThan(0);

      // Like undici (fetch): the connection is reused up to a second before the announced timeout.
      const announced = Number(/timeout=(\d+)/.exec(exported.headers['keep-alive'])![1]) * 1000;
      await sleep(announced - 1000);
      expect(client.closed).toBe(false);
      client.send('/healthz');
      expect((await client.response()).status).toBe(200);
    } finally {
      api.server.httpServer.off('request', onRequest);
      client.close();
    }
  }, 30_000);

  it('a request sent in time while the server’s event loop is blocked past the idle timeout is answered, not reset', async () => {
    const client = new RawClient(api.server.port);
    try {
      client.send('/healthz');
      const first = await client.response();
      const answeredAt = Date.now();
      const announced = Number(/timeout=(\d+)/.exec(first.headers['keep-alive'])![1]) * 1000;
      await sleep(announced - 2000);
      client.send('/healthz');
      busyUntil(answeredAt + announced + 1500);
      expect((await client.response()).status).toBe(200);
    } finally {
      client.close();
    }
  }, 30_000);

  it('an idle connection is still closed once the announced time and the grace are over', async () => {
    const config: AppConfig = { databaseUrl: api.db.url, database: api.db.config, port: 0, readRequiresToken: false, production: false };
    const server: RunningServer = await startServer(api.db.dataSource, { ...config, keepAlive: { idleMs: 1000, graceMs: 1000 } });
    const client = new RawClient(server.port);
    try {
      client.send('/healthz');
      const answer = await client.response();
      expect(answer.headers['keep-alive']).toBe('timeout=1');
      const idleSince = Date.now();
      while (!client.closed && Date.now() - idleSince < 10_000) await sleep(20);
      expect(client.closed).toBe(true);
      expect(Date.now() - idleSince).toBeGreaterThanOrEqual(1900);
    } finally {
      client.close();
      await new Promise((resolve) => server.httpServer.close(resolve));
    }
  }, 30_000);
});
