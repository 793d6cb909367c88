/**
 * The V8 options the server runs with: `npm start` and `bin/crte.js` (its first line) pass them to node;
 * the tests that start the real server (test/faults/support.ts) and bench:peer start it the same way
 * (test/unit/node-flags.test.ts checks that all say the same).
 *
 * A 64 MB semi-space (V8's default is 16 MB): a nested answer's lines live until it is sent, so each
 * scavenge of a small young generation copied the half-built answer (at 5 000 actions, 50 000 lines: about
 * six scavenges of ~16 ms per answer). With 64 MB, the same answer took 20–25 % less time and CPU (main
 * thread 186–190 ms against 203–253, all threads 243–248 against 327–397; docs/benchmarks.md). The
 * young generation is the main thread's only: the import workers set theirs (import/read/worker-slots.ts).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
