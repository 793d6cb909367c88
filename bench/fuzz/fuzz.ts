/**
 * npm run fuzz — mutates the partners' fixtures (bytes, the XML inside the xlsx zips, cells) and feeds each
 * mutation to the pipeline as an upload goes; any crash, hang or unexpected exception is a failure, saved
 * to test/corpus/fuzz-found/ with a .txt, and the run exits 1.
 *
 *   FUZZ_SECONDS=60        how long to run (default 60)
 *   FUZZ_SEED=abc          the run's seed (default: the time); input n° i of a seed is always the same
 *   FUZZ_ONLY=123          run only input n° 123 of the seed (to reproduce a failure)
 *   FUZZ_INPUT_SECONDS=10  per-input limit; past it (+5 s for a synchronous loop) the input is a hang
 *   FUZZ_JOBS=1            child processes fuzzing side by side (each input's index decides its bytes)
 *
 * The supervisor (this process) builds the contract's reference once from a seeded temporary SQLite
 * database and forks children that run the inputs; a child that stops answering is killed (a hang in the
 * synchronous pipeline cannot be interrupted from inside), one that dies is a crash; both are restarted.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { openDataSource } from '../../src/db/data-source';
import { buildContext, FUZZ_DEFAULTS, loadFixtures, makeInput, ROOT, runInput, saveFailure, type FuzzContext, type FuzzInput, type Outcome } from './engine';

interface StartMessage {
  type: 'start';
  index: number;
  input: Omit<FuzzInput, 'bytes'> & { bytes: string };
}
interface DoneMessage {
  type: 'done';
  index: number;
  outcome: Outcome;
}
type ChildMessage = StartMessage | DoneMessage | { type: 'finished' };

interface ChildJob {
  seed: string;
  /** First index, then every `stride`-th. */
  first: number;
  stride: number;
  /** Stop after this index (FUZZ_ONLY), or at the deadline. */
  last: number | null;
  deadline: number;
  inputTimeoutMs: number;
  context: { reference: FuzzContext['reference']; sources: Array<[string, number]> };
}

// ---------------------------------------------------------------------------------------------------
// child: runs inputs, tells the supervisor before and after each
// ---------------------------------------------------------------------------------------------------

async function child(): Promise<void> {
  const job = await new Promise<ChildJob>((resolveJob) => process.once('message', (message) => resolveJob(message as ChildJob)));
  const context: FuzzContext = { reference: job.context.reference, sources: new Map(job.context.sources) };
  const fixtures = loadFixtures();
  const send = (message: ChildMessage) => new Promise<void>((done) => process.send!(message, () => done()));
  for (let index = job.first; Date.now() < job.deadline && (job.last === null || index <= job.last); index += job.stride) {
    const input = makeInput(job.seed, index, fixtures);
    await send({ type: 'start', index, input: { ...input, bytes: input.bytes.toString('base64') } });
    const outcome = await runInput(input, context, { inputTimeoutMs: job.inputTimeoutMs });
    await send({ type: 'done', index, outcome });
  }
  await send({ type: 'finished' });
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------
// supervisor
// ---------------------------------------------------------------------------------------------------

async function supervisor(): Promise<void> {
  const seconds = Number(process.env.FUZZ_SECONDS ?? FUZZ_DEFAULTS.seconds);
  const seed = process.env.FUZZ_SEED || String(Date.now());
  const only = process.env.FUZZ_ONLY !== undefined && process.env.FUZZ_ONLY !== '' ? Number(process.env.FUZZ_ONLY) : null;
  const inputTimeoutMs = Number(process.env.FUZZ_INPUT_SECONDS ?? FUZZ_DEFAULTS.inputSeconds) * 1000;
  const jobs = only !== null ? 1 : Math.max(1, Number(process.env.FUZZ_JOBS ?? 1));

  // The reference, from a seeded database, as prepareImport loads it.
  const dir = mkdtempSync(join(tmpdir(), 'crte-fuzz-'));
  const dataSource = await openDataSource({ type: 'sqlite', path: join(dir, 'fuzz.sqlite') });
  await dataSource.runMigrations();
  const context = await buildContext(dataSource);
  await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });

  const started = Date.now();
  const deadline = only !== null ? Number.MAX_SAFE_INTEGER : started + seconds * 1000;
  console.log(`fuzz: seed ${seed}, ${only !== null ? `input n° ${only}` : `${seconds} s`}, ${jobs} job(s), ${inputTimeoutMs / 1000} s per input`);

  const categories = new Map<string, number>();
  const failures: Array<{ index: number; kind: string; file: string; detail: string }> = [];
  let tried = 0;
  let slowest = { ms: 0, index: -1 };

  const runChild = (first: number, stride: number): Promise<void> =>
    new Promise((resolveChild) => {
      let current: StartMessage | null = null;
      let watchdog: NodeJS.Timeout | undefined;
      let finished = false;
      const proc: ChildProcess = fork(__filename, ['--child'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let stderr = '';
      proc.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      const record = (index: number, input: StartMessage['input'], outcome: Outcome) => {
        tried++;
        categories.set(outcome.category, (categories.get(outcome.category) ?? 0) + 1);
        if (outcome.ms > slowest.ms) slowest = { ms: outcome.ms, index };
        if (outcome.failure) {
          const saved = saveFailure({ ...input, bytes: Buffer.from(input.bytes, 'base64') }, seed, outcome);
          failures.push({ index, kind: outcome.failure.kind, file: relative(ROOT, saved.file), detail: outcome.failure.detail.split('\n')[0] });
          console.log(`  FAILURE n° ${index} (${outcome.failure.kind}): ${outcome.failure.detail.split('\n')[0]} → ${relative(ROOT, saved.file)}`);
        }
        if (only !== null) console.log(`  n° ${index} ${input.fileName}: ${outcome.category} in ${outcome.ms} ms\n    ${input.mutations.join('\n    ')}`);
      };
      proc.on('message', (message: ChildMessage) => {
        if (message.type === 'start') {
          current = message;
          clearTimeout(watchdog);
          // The child's own limit catches a slow read; this one, a synchronous loop that never yields.
          watchdog = setTimeout(() => {
            if (!current) return;
            record(current.index, current.input, { category: 'FAILURE hang', failure: { kind: 'hang', detail: `no answer after ${inputTimeoutMs + 5000} ms: child killed` }, ms: inputTimeoutMs + 5000 });
            const next = current.index + stride;
            current = null;
            proc.kill('SIGKILL');
            if (Date.now() < deadline && only === null) void runChild(next, stride).then(resolveChild);
            else resolveChild();
          }, inputTimeoutMs + 5000);
        } else if (message.type === 'done') {
          clearTimeout(watchdog);
          if (current) record(message.index, current.input, message.outcome);
          current = null;
        } else {
          finished = true;
        }
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(watchdog);
        if (finished || signal === 'SIGKILL') {
          if (finished) resolveChild();
          return;
        }
        // Died without finishing: the input it was on is a crash (out of memory, abort…).
        if (current) {
          record(current.index, current.input, { category: 'FAILURE crash', failure: { kind: 'crash', detail: `child exited (code ${code}, signal ${signal}): ${stderr.slice(-1500)}` }, ms: 0 });
          const next = current.index + stride;
          current = null;
          if (Date.now() < deadline && only === null) void runChild(next, stride).then(resolveChild);
          else resolveChild();
        } else {
          console.error(`fuzz: child exited before any input (code ${code}): ${stderr}`);
          failures.push({ index: -1, kind: 'crash', file: '', detail: 'child exited before any input' });
          resolveChild();
        }
      });
      const jobMessage: ChildJob = {
        seed,
        first,
        stride,
        last: only,
        deadline,
        inputTimeoutMs,
        context: { reference: context.reference, sources: [...context.sources] },
      };
      proc.send(jobMessage);
    });

  await Promise.all(Array.from({ length: jobs }, (_, k) => runChild((only ?? 0) + k, jobs)));

  const elapsed = (Date.now() - started) / 1000;
  console.log(`\ninputs tried: ${tried} in ${elapsed.toFixed(1)} s (${(tried / elapsed).toFixed(1)} per second), slowest ${slowest.ms} ms (n° ${slowest.index})`);
  console.log('outcomes:');
  for (const [category, count] of [...categories].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(6)}  ${category}`);
  console.log(`failures: ${failures.length}`);
  for (const failure of failures) console.log(`  n° ${failure.index} ${failure.kind}: ${failure.detail} → ${failure.file}`);
  process.exit(failures.length ? 1 : 0);
}

if (process.argv.includes('--child')) {
  void child().catch((error) => {
    console.error(error);
    process.exit(3);
  });
} else {
  void supervisor().catch((error) => {
    console.error(error);
    process.exit(2);
  });
}
