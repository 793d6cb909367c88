/**
 * The V8 options the server runs with: `npm start` and `bin/crte.js` (its first line) pass them to node;
 * the tests that start the real server (test/faults/support.ts) and bench:peer start it the same way
 * (test/unit/node-flags.test.ts checks that all say the same).
 *
 * A 32 MB semi-space (V8's default is 16 MB): a nested answer's lines live until it is sent, and each
 * scavenge of a small young generation copied the half-built answer (at 5 000 actions, 50 000 lines, about
 * six scavenges of ~16 ms per answer). Measured on that answer, interleaved runs: median 218–235 ms against
 * 269–285 with the default, main-thread CPU 177–194 against 201–232 ms (docs/benchmarks.md). 64 MB was a
 * little faster still (199–219 ms) but kept the server's RSS above issue 13's 600 MB a minute after a
 * 50 000-line import (674 MB in a CI run); with 32 MB the upload test measured 526–539 MB. The young
 * generation is the main thread's: the import workers set their own (import/read/worker-slots.ts).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
