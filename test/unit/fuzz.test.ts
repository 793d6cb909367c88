/**
 * The fuzzer's engine (bench/fuzz, `npm run fuzz`) on a fixed seed, and every input it ever caught
 * (test/corpus/fuzz-found/) replayed: each must now end in a ReadError or a preview whose total is the
 * exact sum of its lines, with the built-in prototypes untouched.
 */
import { buildContext, checkPreview, FIXTURE_KINDS, listFound, loadFixtures, makeInput, runInput, type Fixture, type FuzzContext } from '../../bench/fuzz/engine';
import type { ImportPreview } from '../../import/preview/import-preview';
import { createTestDatabase } from '../support/database';

const SEED = 'jest-fixed-1';
const INPUTS = 200;

let context: FuzzContext;
let fixtures: Fixture[];

beforeAll(async () => {
  const db = await createTestDatabase();
  try {
    context = await buildContext(db.dataSource);
  } finally {
    await db.drop();
  }
  fixtures = loadFixtures();
});

/** CPU-bound (hundreds of files through the whole pipeline): slow on a loaded 2-core machine, never hung. */
const FUZZ_TIMEOUT_MS = 180_000;

describe('fuzzing the import pipeline', () => {
  it('gives the same bytes for the same seed and index', () => {
    const a = makeInput(SEED, 7, fixtures);
    const b = makeInput(SEED, 7, fixtures);
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(b.mutations).toEqual(a.mutations);
    expect(makeInput(SEED, 8, fixtures).bytes.equals(a.bytes)).toBe(false);
  });

  it('knows every fixture of test/fixtures/partners', () => {
    expect(fixtures.map((fixture) => fixture.name).sort()).toEqual(Object.keys(FIXTURE_KINDS).sort());
  });

  it('catches a preview whose total is not the sum of its lines', () => {
    const line = { amount: '10.05', year: 2023, funder: 'X', programme: null, beneficiary: null, stage: 'PLANNED', instrument: 'SUBSIDY', approximate: false, action: null, sheet: 'F', cell: 'B2', rawValue: '10,05' };
    const preview: ImportPreview = { status: 'PREVIEWED', layout: 'by-year', counts: { lines: 2, errors: 0, warnings: 0, notes: 0, newActions: 0, newOrganisations: 0 }, total: '20.10', lines: [line, line], issues: [] };
    expect(checkPreview(preview)).toBeNull();
    expect(checkPreview({ ...preview, total: '20.11' })).toMatch(/sum of lines/);
    expect(checkPreview({ ...preview, lines: [line, { ...line, amount: '1e3' }] })).toMatch(/amount/);
    // An annex 2's investments are not money of the total.
    expect(checkPreview({ ...preview, total: '10.05', lines: [line, { ...line, measureAmountKind: 'INVESTMENT' }] })).toBeNull();
  });

  it(`handles ${INPUTS} mutated fixtures cleanly (seed ${SEED})`, async () => {
    const categories = new Map<string, number>();
    const failures: string[] = [];
    // Two at a time: the reader runs two workers at once.
    const run = async (offset: number) => {
      for (let index = offset; index < INPUTS; index += 2) {
        const input = makeInput(SEED, index, fixtures);
        const outcome = await runInput(input, context);
        categories.set(outcome.category, (categories.get(outcome.category) ?? 0) + 1);
        if (outcome.failure) failures.push(`n° ${index} (${input.fixture}; ${input.mutations.join(' ')}): ${outcome.failure.kind} ${outcome.failure.detail}`);
      }
    };
    await Promise.all([run(0), run(1)]);
    expect(failures).toEqual([]);
    expect([...categories.values()].reduce((a, b) => a + b, 0)).toBe(INPUTS);
    // The mutations reach every stage: refused files and read ones, clean and with errors.
    expect(categories.get('preview PREVIEWED')).toBeGreaterThan(0);
    expect(categories.get('preview REJECTED')).toBeGreaterThan(0);
    expect(categories.get('read-error FILE_CORRUPT')).toBeGreaterThan(0);
  }, FUZZ_TIMEOUT_MS);

  it('handles every input the fuzzer has caught (test/corpus/fuzz-found)', async () => {
    const found = listFound();
    expect(found.length).toBeGreaterThan(0);
    for (const input of found) {
      const outcome = await runInput(input, context);
      expect({ file: input.file, failure: outcome.failure ?? null }).toEqual({ file: input.file, failure: null });
    }
  }, FUZZ_TIMEOUT_MS);
});
