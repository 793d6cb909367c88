/**
 * npm run bench:upload — what big uploads do to everyone else (issue 13, point 4).
 *
 * The real server (`crte serve`, compiled) runs in a child process on a fresh SQLite database (or
 * BENCH_DATABASE_URL), so that its RSS is its own (/proc/<pid>/status: VmRSS sampled every 50 ms, VmHWM for
 * the peak). A probe GETs /healthz every 20 ms on a keep-alive connection and records each answer's
 * latency; the worst latency during an upload is how long that upload blocked the others. Each scenario
 * uploads its files (dryRun, admin token) and reports answer status, the probe's worst and p99 latency,
 * and the server's RSS before, at peak and after; at the end the server idles BENCH_IDLE_SECONDS (60) and
 * its RSS is read again.
 *
 * Scenarios (BENCH_SCENARIOS, comma-separated, default all): csv1m (the corpus's 1 000 000-line CSV),
 * csv300k (a 300 000-line annex 3 CSV, ~15 MB), xlsx190 (a sheet inflating to 190 MB), sst160 (160 MB of
 * shared strings), bomb (a sheet declaring 4 GB), pair (xlsx190 and sst160 at once), xlsx100k (bench:read's
 * 100 000-line annex 3 workbook), both (csv300k and xlsx100k at once).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAnnex3Workbook } from './bench-read';
import { bigAnnex3Csv, declaredBombXlsx, inflatingXlsx, millionLineCsv, sharedStringsXlsx } from './upload-files';

const ROOT = __dirname.endsWith(join('dist', 'bench')) ? join(__dirname, '..', '..') : join(__dirname, '..');
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'csv1m,csv300k,xlsx100k,xlsx190,sst160,bomb,pair,both').split(',');

interface Server {
  child: ChildProcess;
  base: string;
  out(): string;
}

function spawnServer(databaseUrl: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const flags = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...flags, join(ROOT, 'bin', 'crte.js'), 'serve'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /API GraphQL prête : (http:\/\/\S+)\/graphql/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, base: match[1], out: () => out });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
}

function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Resets the peak (VmHWM) of a process: `echo 5 > /proc/<pid>/clear_refs`. */
function resetPeak(pid: number): void {
  try {
    execFileSync('sh', ['-c', `echo 5 > /proc/${pid}/clear_refs`]);
  } catch {
    // not permitted: the sampled maximum stands alone
  }
}

const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL('/healthz', workerData.base);
const latencies = [];
let running = true;
parentPort.once('message', () => (running = false));
const once = () => new Promise((done) => {
  const started = performance.now();
  const req = request(url, { agent }, (res) => {
    res.resume();
    res.on('end', () => { latencies.push(performance.now() - started); done(); });
  });
  req.on('error', () => { latencies.push(performance.now() - started); done(); });
  req.end();
});
(async () => {
  while (running) {
    const started = performance.now();
    await once();
    const wait = workerData.everyMs - (performance.now() - started);
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  }
  agent.destroy();
  parentPort.postMessage(latencies);
})();
`;

/**
 * GETs /healthz every `everyMs`, one at a time, from a thread of its own (the uploading side parses
 * answers of tens of MB, which would delay the probe's own reading); latencies in ms.
 */
export function startProbe(base: string, everyMs = 20): { stop(): Promise<number[]> } {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { base, everyMs } });
  const result = new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const latencies = await result;
      await worker.terminate();
      return latencies;
    },
  };
}

/**
 * POST /api/imports on a connection of its own (a kept-alive one may be closed by the server while the
 * next body is being sent: EPIPE).
 */
export function upload(base: string, token: string, bytes: Buffer, fileName: string, fields: Record<string, string>): Promise<{ status: number; body: any; ms: number }> {
  const boundary = `----crte${Date.now().toString(16)}`;
  const head = Object.entries(fields)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const body = Buffer.concat([
    Buffer.from(`${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`, 'utf8'),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/api/imports', base),
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length, connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), ms: performance.now() - started });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { text }, ms: performance.now() - started });
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error) => reject(new Error(`upload ${fileName}: ${error.message}`)));
    req.end(body);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0;
}

const mb = (n: number) => `${Math.round(n)} MB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crte-bench-upload-'));
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'bench.sqlite')}`;
  const server = await spawnServer(databaseUrl);
  const pid = server.child.pid!;
  const token = execFileSync(process.execPath, [join(ROOT, 'bin', 'crte.js'), 'token', 'create', '--role', 'admin', '--name', 'bench'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .toString()
    .trim()
    .split('\n')
    .pop()!;
  await new Promise((done) => setTimeout(done, 2000)); // spares warm up
  console.log(`server pid ${pid}, idle RSS ${mb(memoryOf(pid).rss)}`);
  const ademe = { kind: 'annex3', source: 'ADEME', dryRun: 'true' };
  const douaisis = { kind: 'annex3', source: 'Douaisis Agglo', dryRun: 'true' };
  const files: Record<string, () => Array<{ bytes: Buffer; name: string; fields: Record<string, string> }>> = {
    csv1m: () => [{ bytes: millionLineCsv(), name: 'lignes.csv', fields: ademe }],
    csv300k: () => [{ bytes: bigAnnex3Csv(300_000), name: 'annexe3.csv', fields: ademe }],
    xlsx190: () => [{ bytes: inflatingXlsx(190), name: 'gros.xlsx', fields: douaisis }],
    sst160: () => [{ bytes: sharedStringsXlsx(160), name: 'chaines.xlsx', fields: douaisis }],
    bomb: () => [{ bytes: declaredBombXlsx(0xf0000000), name: 'bombe.xlsx', fields: douaisis }],
    pair: () => [...files.xlsx190(), ...files.sst160()],
    xlsx100k: () => [{ bytes: buildAnnex3Workbook(100_000), name: 'annexe3.xlsx', fields: douaisis }],
    both: () => [...files.csv300k(), ...files.xlsx100k()],
  };
  let worstOverall = 0;
  let peakOverall = 0;
  for (const scenario of SCENARIOS) {
    const uploads = files[scenario]();
    const sizes = uploads.map((u) => `${(u.bytes.length / 1048576).toFixed(1)} MB`).join(' + ');
    await new Promise((done) => setTimeout(done, 500));
    resetPeak(pid);
    const before = memoryOf(pid).rss;
    let sampled = before;
    const sampler = setInterval(() => (sampled = Math.max(sampled, memoryOf(pid).rss)), 50);
    const probe = startProbe(server.base);
    await new Promise((done) => setTimeout(done, 200));
    const answers = await Promise.all(uploads.map((u) => upload(server.base, token, u.bytes, u.name, u.fields)));
    await new Promise((done) => setTimeout(done, 200));
    const latencies = await probe.stop();
    clearInterval(sampler);
    const { rss, hwm } = memoryOf(pid);
    const peak = Math.max(sampled, hwm);
    worstOverall = Math.max(worstOverall, Math.max(...latencies));
    peakOverall = Math.max(peakOverall, peak);
    const outcome = answers.map((a) => `${a.status} ${a.body.status ?? ''} ${a.body.issues?.[0]?.code ?? a.body.error?.code ?? ''} lines ${a.body.counts?.lines ?? '-'} in ${(a.ms / 1000).toFixed(1)} s`).join('; ');
    console.log(
      `${scenario.padEnd(8)} ${sizes.padEnd(18)} ${outcome}\n         probe: ${latencies.length} answers, worst ${Math.round(Math.max(...latencies))} ms, p99 ${Math.round(percentile(latencies, 99))} ms; ` +
        `RSS ${mb(before)} → peak ${mb(peak)} → ${mb(rss)}`,
    );
    for (const a of answers) if (a.body.issues?.[0]?.message && a.status !== 200) console.log(`         « ${a.body.issues[0].message} »`);
  }
  const samples: string[] = [];
  for (let s = 10; s <= IDLE_SECONDS; s += 10) {
    await new Promise((done) => setTimeout(done, 10_000));
    samples.push(`${s} s: ${mb(memoryOf(pid).rss)}`);
  }
  console.log(`idle after the uploads: ${samples.join(', ')}`);
  console.log(`worst probe latency ${Math.round(worstOverall)} ms; peak RSS ${mb(peakOverall)}; RSS ${IDLE_SECONDS} s after: ${mb(memoryOf(pid).rss)}`);
  server.child.kill('SIGTERM');
  await new Promise((done) => server.child.once('exit', done));
  rmSync(dir, { recursive: true, force: true });
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
