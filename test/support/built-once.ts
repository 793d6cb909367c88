/**
 * Big generated inputs (a million-row workbook, 160 MB of shared strings, 50 000-line annexes) cost seconds
 * of CPU to build, and `npm test` runs twice in CI (SQLite, then MariaDB), each file's author rebuilding the
 * same bytes. They are built once per version of the code that writes them and kept in the system's
 * temporary folder: the same bytes, read back. The key is the builder's name and arguments and the text
 * of every source file that can shape them, so a change to a builder builds anew.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** What the big inputs are made with. */
const BUILDER_SOURCES = ['bench/upload-files.ts', 'bench/zip-writer.ts', 'bench/bench-read.ts', 'test/corpus/build-corpus.ts', 'test/corpus/zip.ts'];
const CACHE_DIR = process.env.TEST_BUILT_FILES_DIR || join(tmpdir(), 'crte-test-inputs');

let sourcesDigest: string | null = null;

function digestOfSources(): string {
  if (sourcesDigest === null) {
    const hash = createHash('sha256');
    for (const path of BUILDER_SOURCES) hash.update(path).update(readFileSync(join(ROOT, path)));
    sourcesDigest = hash.digest('hex');
  }
  return sourcesDigest;
}

/** The bytes `build()` makes, built at most once per key and version of the builders. */
export function builtOnce(key: string, build: () => Buffer): Buffer {
  const name = createHash('sha256').update(digestOfSources()).update(key).digest('hex').slice(0, 32);
  const path = join(CACHE_DIR, `${name}.bin`);
  if (existsSync(path)) return readFileSync(path);
  const bytes = build();
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Written aside then renamed: two test files building the same input at once never read half a file.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  } catch {
    // A read-only or full temporary folder: the test goes on with the bytes it built.
  }
  return bytes;
}
