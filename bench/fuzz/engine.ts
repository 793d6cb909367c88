/**
 * The fuzzing engine shared by `npm run fuzz` (bench/fuzz/fuzz.ts) and the jest tests
 * (test/unit/fuzz.test.ts): builds mutated inputs from the partners' fixtures and feeds each to the
 * pipeline exactly as an upload goes (readUploadedFile, then runPipeline with the contract's reference).
 *
 * Clean outcomes: a ReadError, or a preview (with or without issues). Failures: any other exception, an
 * input that takes longer than the per-input limit, a change to a built-in prototype, a preview whose
 * total is not the exact sum of its lines (or whose counts disagree with its lines).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadContractReference } from '../../src/import-batch/load-reference';
import { runPipeline } from '../../import/pipeline';
import { isReadError } from '../../import/read/read-error';
import { readUploadedFile } from '../../import/read/read-file';
import type { ImportPreview } from '../../import/preview/import-preview';
import type { ContractReference } from '../../import/resolve/contract-reference';
import { Contract } from '../../src/contract/contract.entity';
import { FILE_IMPORT_KINDS, ImportKind } from '../../src/kernel/import-batch.enum';
import { findSource } from '../../src/import-batch/import-preview.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createRng, mutateBytes, mutateCells, mutateZipXml } from './mutate';

/** The project's root: sources (bench/fuzz) and compiled code (dist/bench/fuzz) sit at different depths. */
export const ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from, i = 0; i < 8; i++, dir = dirname(dir)) if (existsSync(join(dir, 'test', 'fixtures', 'partners'))) return dir;
  return join(from, '..', '..');
}

export const FIXTURES_DIR = join(ROOT, 'test', 'fixtures', 'partners');
export const FOUND_DIR = join(ROOT, 'test', 'corpus', 'fuzz-found');
export const FUZZ_DEFAULTS = { seconds: 60, inputSeconds: 10 };

/** Each fixture with the kind and source an upload of it names (test/fixtures/partners/README.md). */
export const FIXTURE_KINDS: Record<string, { kinds: ImportKind[]; source: string }> = {
  'annexe2-bilan-plan-de-relance-douaisis.xlsx': { kinds: [ImportKind.ANNEX2], source: 'État' },
  'annexe3-ademe-2021-2023.csv': { kinds: [ImportKind.ANNEX3], source: 'ADEME' },
  'annexe3-banque-des-territoires-2023.xlsx': { kinds: [ImportKind.ANNEX3], source: 'Banque des Territoires' },
  'annexe3-douaisis-agglo-2022.xlsx': { kinds: [ImportKind.ANNEX3], source: 'Douaisis Agglo' },
  'dotations-detr-dsil-fnadt-2017-2021.xlsx': { kinds: [ImportKind.DOTATIONS], source: 'État' },
};

/** A partner may send any file under any kind: the other parsers get each grid too (cheap: no new read). */
// The kinds a file can be read as (a manual entry is not a file).
const ALL_KINDS: readonly ImportKind[] = FILE_IMPORT_KINDS;

export interface Fixture {
  name: string;
  bytes: Buffer;
  kinds: ImportKind[];
  source: string;
}

export function loadFixtures(): Fixture[] {
  return Object.entries(FIXTURE_KINDS).map(([name, { kinds, source }]) => ({ name, bytes: readFileSync(join(FIXTURES_DIR, name)), kinds, source }));
}

export interface FuzzInput {
  index: number;
  fixture: string;
  fileName: string;
  kinds: ImportKind[];
  source: string;
  bytes: Buffer;
  /** What was done to the fixture, in order. */
  mutations: string[];
}

/** Input n° `index` of the run seeded `seed`: the same pair always gives the same bytes. */
export function makeInput(seed: string, index: number, fixtures: Fixture[]): FuzzInput {
  const rng = createRng(seed, index);
  const fixture = rng.pick(fixtures);
  const isCsv = fixture.name.endsWith('.csv');
  const log: string[] = [];
  let bytes = fixture.bytes;
  let extension = isCsv ? 'csv' : 'xlsx';
  const strategy = rng.int(10);
  if (strategy < 3) {
    log.push('bytes:');
    bytes = mutateBytes(rng, bytes, fixtures.map((f) => f.bytes), log);
  } else if (strategy < 6 && !isCsv) {
    log.push('zip xml:');
    bytes = mutateZipXml(rng, bytes, log);
  } else {
    log.push('cells:');
    try {
      ({ bytes, extension } = mutateCells(rng, bytes, isCsv, log));
    } catch (error) {
      // The library refused to write what we asked (its own limits): damage the bytes instead.
      log.push(`(not writable: ${(error as Error).message}) bytes:`);
      bytes = mutateBytes(rng, fixture.bytes, [fixture.bytes], log);
    }
    if (extension === 'csv' && rng.chance(0.2)) {
      const encoding = rng.pick(['latin1', 'utf16le'] as const);
      const text = bytes.toString('utf8');
      bytes = encoding === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.from(text, 'latin1');
      log.push(`re-encoded ${encoding}`);
    }
  }
  // Now and then both: a hostile cell, then damaged bytes.
  if (strategy >= 6 && rng.chance(0.15)) {
    log.push('then bytes:');
    bytes = mutateBytes(rng, bytes, [bytes], log);
  }
  const base = fixture.name.replace(/\.[^.]+$/, '');
  return { index, fixture: fixture.name, fileName: `${base}.${extension}`, kinds: fixture.kinds, source: fixture.source, bytes, mutations: log };
}

// ---------------------------------------------------------------------------------------------------
// the contract's reference
// ---------------------------------------------------------------------------------------------------

export interface FuzzContext {
  reference: ContractReference;
  /** Source name → organisation id. */
  sources: Map<string, number>;
}

/** Seeds the database (idempotent) and loads the reference as prepareImport does. */
export async function buildContext(dataSource: DataSource): Promise<FuzzContext> {
  await seedReferenceData(dataSource);
  const [contract] = await dataSource.getRepository(Contract).find({ take: 1 });
  const reference = await loadContractReference(dataSource, contract);
  const sources = new Map<string, number>();
  for (const { source } of Object.values(FIXTURE_KINDS)) sources.set(source, findSource(reference, source, contract.code).id);
  return { reference, sources };
}

// ---------------------------------------------------------------------------------------------------
// running one input
// ---------------------------------------------------------------------------------------------------

export type FailureKind = 'exception' | 'hang' | 'prototype' | 'preview-invariant' | 'crash';

export interface Outcome {
  /** 'read-error FILE_CORRUPT', 'preview PREVIEWED', 'preview REJECTED', or 'FAILURE <kind>'. */
  category: string;
  failure?: { kind: FailureKind; detail: string; importKind?: ImportKind };
  ms: number;
}

const WATCHED: Array<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
];

type Snapshot = Array<Map<PropertyKey, PropertyDescriptor | undefined>>;

function snapshotPrototypes(): Snapshot {
  return WATCHED.map(([, proto]) => new Map(Reflect.ownKeys(proto).map((key) => [key, Reflect.getOwnPropertyDescriptor(proto, key)])));
}

/** What changed on the built-in prototypes since `before`; puts them back as they were. */
function restorePrototypes(before: Snapshot): string[] {
  const changes: string[] = [];
  WATCHED.forEach(([name, proto], i) => {
    for (const key of Reflect.ownKeys(proto)) {
      const was = before[i].get(key);
      const now = Reflect.getOwnPropertyDescriptor(proto, key);
      if (!was) {
        changes.push(`${name}.${String(key)} added`);
        Reflect.deleteProperty(proto, key);
      } else if (!now || was.value !== now.value || was.get !== now.get || was.set !== now.set) {
        changes.push(`${name}.${String(key)} changed`);
        Reflect.defineProperty(proto, key, was);
      }
    }
    for (const [key, descriptor] of before[i]) {
      if (!Reflect.getOwnPropertyDescriptor(proto, key) && descriptor) {
        changes.push(`${name}.${String(key)} removed`);
        Reflect.defineProperty(proto, key, descriptor);
      }
    }
  });
  return changes;
}

const AMOUNT = /^-?\d+\.\d{2}$/;

function toCents(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [units, cents] = amount.replace('-', '').split('.');
  const value = BigInt(units) * 100n + BigInt(cents);
  return negative ? -value : value;
}

/** The preview's own arithmetic: its total is the exact sum of its lines (annex 2: of its aid lines). */
export function checkPreview(preview: ImportPreview): string | null {
  if (!AMOUNT.test(preview.total)) return `total ${JSON.stringify(preview.total)} is not an amount`;
  let sum = 0n;
  for (const line of preview.lines) {
    if (typeof line.amount !== 'string' || !AMOUNT.test(line.amount)) return `line ${line.sheet}!${line.cell}: amount ${JSON.stringify(line.amount)}`;
    if (!Number.isInteger(line.year)) return `line ${line.sheet}!${line.cell}: year ${String(line.year)}`;
    if (line.measureAmountKind !== 'INVESTMENT') sum += toCents(line.amount);
  }
  if (sum !== toCents(preview.total)) return `total ${preview.total} ≠ sum of lines ${sum} cents`;
  if (preview.counts.lines !== preview.lines.length) return `counts.lines ${preview.counts.lines} ≠ ${preview.lines.length} lines`;
  const errors = preview.issues.filter((issue) => issue.severity === 'ERROR').length;
  if (errors !== preview.counts.errors) return `counts.errors ${preview.counts.errors} ≠ ${errors}`;
  if ((errors > 0) !== (preview.status === 'REJECTED')) return `status ${preview.status} with ${errors} errors`;
  return null;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 500)}\n${(error.stack ?? '').split('\n').slice(1, 12).join('\n')}`;
  return String(error).slice(0, 500);
}

export interface RunOptions {
  /** Per-input wall-clock limit, for what runs asynchronously (the read); default 10 s. */
  inputTimeoutMs?: number;
  /** Feed each grid to every parser, not only the fixture's kinds (default true). */
  allKinds?: boolean;
}

/** Feeds one input to the pipeline; never throws. */
export async function runInput(input: { bytes: Buffer; fileName: string; kinds: ImportKind[]; source: string }, context: FuzzContext, options: RunOptions = {}): Promise<Outcome> {
  const started = Date.now();
  const before = snapshotPrototypes();
  const timeoutMs = options.inputTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const finish = (outcome: Omit<Outcome, 'ms'>): Outcome => {
    clearTimeout(timer);
    const changes = restorePrototypes(before);
    if (changes.length && !outcome.failure) return { category: 'FAILURE prototype', failure: { kind: 'prototype', detail: changes.join('; ') }, ms: Date.now() - started };
    return { ...outcome, ms: Date.now() - started };
  };
  let workbook;
  try {
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HangError(`no answer after ${timeoutMs} ms (reading)`)), timeoutMs);
    });
    workbook = await Promise.race([readUploadedFile(input.bytes, input.fileName), hang]);
  } catch (error) {
    if (isReadError(error)) return finish({ category: `read-error ${error.code}` });
    if (error instanceof HangError) return finish({ category: 'FAILURE hang', failure: { kind: 'hang', detail: error.message } });
    return finish({ category: 'FAILURE exception', failure: { kind: 'exception', detail: `reading: ${describeError(error)}` } });
  }
  const sourceOrganisationId = context.sources.get(input.source) ?? context.reference.stateId ?? context.reference.organisations[0].id;
  const kinds = options.allKinds === false ? input.kinds : [...input.kinds, ...ALL_KINDS.filter((kind) => !input.kinds.includes(kind))];
  let category = '';
  for (const kind of kinds) {
    const kindStarted = Date.now();
    try {
      const { preview } = runPipeline({ kind, workbook, reference: context.reference, sourceOrganisationId, authority: 'admin', year: null });
      const broken = checkPreview(preview);
      if (broken) return finish({ category: 'FAILURE preview-invariant', failure: { kind: 'preview-invariant', detail: broken, importKind: kind } });
      if (!category) category = `preview ${preview.status}`;
    } catch (error) {
      return finish({ category: 'FAILURE exception', failure: { kind: 'exception', detail: `${kind}: ${describeError(error)}`, importKind: kind } });
    }
    // The pipeline is synchronous: a runaway parser is caught after the fact here (fuzz.ts's supervisor kills a real hang).
    if (Date.now() - kindStarted > timeoutMs) {
      return finish({ category: 'FAILURE hang', failure: { kind: 'hang', detail: `${kind}: pipeline took ${Date.now() - kindStarted} ms`, importKind: kind } });
    }
  }
  return finish({ category });
}

class HangError extends Error {}

// ---------------------------------------------------------------------------------------------------
// what a failure leaves behind
// ---------------------------------------------------------------------------------------------------

export interface SavedFailure {
  file: string;
  description: string;
}

/** Writes the input to test/corpus/fuzz-found/ with a .txt saying what it is and how it failed. */
export function saveFailure(input: FuzzInput, seed: string, outcome: Outcome, dir = FOUND_DIR): SavedFailure {
  mkdirSync(dir, { recursive: true });
  const extension = input.fileName.split('.').pop();
  const base = `${outcome.failure?.kind ?? 'failure'}-${input.fixture.replace(/\.[^.]+$/, '')}-${seed}-${input.index}`.replace(/[^\w.-]+/g, '_');
  const file = join(dir, `${base}.${extension}`);
  writeFileSync(file, input.bytes);
  const description = [
    `fixture: ${input.fixture}`,
    `fileName: ${input.fileName}`,
    `kinds: ${input.kinds.join(',')}`,
    `source: ${input.source}`,
    `seed: ${seed}`,
    `index: ${input.index}`,
    `reproduce: FUZZ_SEED=${seed} FUZZ_ONLY=${input.index} npm run fuzz`,
    `failure: ${outcome.failure?.kind}${outcome.failure?.importKind ? ` (kind ${outcome.failure.importKind})` : ''}`,
    '',
    'mutations:',
    ...input.mutations.map((m) => `  ${m}`),
    '',
    'detail:',
    outcome.failure?.detail ?? '',
    '',
  ].join('\n');
  writeFileSync(join(dir, `${base}.txt`), description);
  return { file, description };
}

/** The saved inputs, with the upload parameters their .txt gives (replayed by the tests). */
export function listFound(dir = FOUND_DIR): Array<{ file: string; bytes: Buffer; fileName: string; kinds: ImportKind[]; source: string }> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => !name.endsWith('.txt') && !name.startsWith('.') && name !== 'README.md')
    .sort()
    .map((name) => {
      const base = name.replace(/\.[^.]+$/, '');
      let meta = '';
      try {
        meta = readFileSync(join(dir, `${base}.txt`), 'utf8');
      } catch {
        meta = '';
      }
      const field = (key: string) => new RegExp(`^${key}: (.*)$`, 'm').exec(meta)?.[1]?.trim();
      const kinds = (field('kinds') ?? '').split(',').filter((kind): kind is ImportKind => ALL_KINDS.includes(kind as ImportKind));
      return { file: name, bytes: readFileSync(join(dir, name)), fileName: field('fileName') ?? name, kinds: kinds.length ? kinds : [ImportKind.ANNEX3], source: field('source') ?? 'État' };
    });
}
