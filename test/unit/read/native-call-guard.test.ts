/**
 * A worker terminated inside a zlib call took the whole process down (Node 20 asserts « close before init »
 * when the half-made handle is freed): a read timing out at that instant stopped the server, and once a
 * Jest worker. native-call-guard.ts makes the termination wait for the end of the call. Replayed in a
 * child process, so that a regression fails this test instead of aborting the test run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { claimForTermination, createNativeCallGuard, duringNativeCall, useNativeCallGuard, WorkerStopping } from '../../../import/read/native-call-guard';

const READS = 30;

describe('terminating an import worker', () => {
  it('never aborts the process, however often a read times out during inflation', () => {
    // 30 reads (about 9 s on a quiet machine, spares not warmed up): before the guard, 80 reads aborted the
    // child in 2 runs of 3. The guard's protocol itself is checked exactly below.
    const child = spawnSync(process.execPath, [join(__dirname, 'scripts', 'terminate-while-inflating.js'), String(READS)], {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, READ_WARM_UP_ROWS: '0' },
    });
    expect(child.stderr).not.toMatch(/close before init|Assertion failed/);
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    const outcomes = JSON.parse(child.stdout) as Record<string, number>;
    const total = Object.values(outcomes).reduce((sum, count) => sum + count, 0);
    expect(total).toBe(READS);
    // The replay is only worth something if reads were really cut short.
    expect(outcomes.FILE_TIMEOUT).toBeGreaterThan(READS / 2);
  }, 250_000);

  it('waits for the end of a native call, then refuses the next one', async () => {
    const guard = createNativeCallGuard();
    useNativeCallGuard(guard.buffer);
    try {
      let claimed = false;
      let claim: Promise<void> = Promise.resolve();
      duringNativeCall(() => {
        claim = claimForTermination(guard).then(() => {
          claimed = true;
        });
      });
      await claim;
      expect(claimed).toBe(true);
      expect(() => duringNativeCall(() => 1)).toThrow(WorkerStopping);
    } finally {
      useNativeCallGuard(null);
    }
  });
});
