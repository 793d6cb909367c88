/**
 * A bench that measured nothing must fail: every bench checks what each timed operation did (its status,
 * its figures, its count of lines) with `assertMeasured`, and its `main` ends through `runBench`, which
 * prints the reason and exits non-zero — no ratio is printed for an operation that was refused, failed
 * or did nothing.
 */
export class NotMeasuredError extends Error {
  constructor(what: string, why: string) {
    super(`NOT MEASURED — ${what}: ${why}`);
    this.name = 'NotMeasuredError';
  }
}

/** Throws a NotMeasuredError naming the operation unless `condition` holds (`why` is built only then). */
export function assertMeasured(condition: unknown, what: string, why: string | (() => string)): asserts condition {
  if (!condition) throw new NotMeasuredError(what, typeof why === 'string' ? why : why());
}

/** Runs a bench's main: any error (a NotMeasuredError first of all) is printed and the exit code is 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof NotMeasuredError ? error.message : error);
    process.exit(1);
  });
}
