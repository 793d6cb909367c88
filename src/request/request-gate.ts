import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppConfig, readIntegerEnv } from '../config';

/**
 * At most `maxConcurrent` heavy requests (GraphQL operations, exports, reports) run at once; the others
 * wait their turn in a FIFO queue. A full queue, or a wait longer than `maxWaitMs`, is answered at once
 * with a 503, a `Retry-After` and a French message in GraphQL's error shape (code SERVER_BUSY): a client
 * under load learns it in seconds instead of reaching the request time limit. /healthz, pages and
 * uploads do not pass through it.
 *
 * Defaults: SQLite runs each statement synchronously on the main thread, so more requests at once only
 * interleave their statements and lengthen every one of them: 2. MariaDB answers on its own threads
 * through a pool of connections: 8.
 *
 * A place is held for the work (database reads, building the answer), not for the client's download: it
 * is given back when the handler ends its response, while the bytes may still wait in memory for a slow
 * reader. Otherwise two clients that ask for a large export and never read it held SQLite's two places,
 * and every other heavy request got a 503. What the answers still hold in memory is bounded instead: past
 * `maxBufferedBytes`, streamed exports wait for their own client again (tabular.ts) and no new heavy
 * request starts; a reader that takes nothing for HTTP_SEND_TIMEOUT_MS is cut (keep-alive.ts).
 */
export interface GateLimits {
  maxConcurrent: number;
  maxQueue: number;
  maxWaitMs: number;
  /** Bytes the gated answers may hold in the process, not yet taken by the kernel (default 256 MB). */
  maxBufferedBytes?: number;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

export const DEFAULT_GATE_LIMITS = {
  sqlite: { maxConcurrent: 2, maxQueue: 256, maxWaitMs: 10_000, maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES },
  mysql: { maxConcurrent: 8, maxQueue: 256, maxWaitMs: 10_000, maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES },
} satisfies Record<'sqlite' | 'mysql', GateLimits>;

/** How long a request blocked only by the memory ceiling waits before the gate looks again. */
const BUFFER_RECHECK_MS = 100;

/** Options a server may be given beside its AppConfig (tests), else MAX_CONCURRENT_REQUESTS, MAX_QUEUED_REQUESTS, MAX_QUEUE_WAIT_MS, MAX_BUFFERED_ANSWERS_MB. */
export type GateConfig = Partial<GateLimits>;

export function gateLimits(config: AppConfig & { gate?: GateConfig }, env: NodeJS.ProcessEnv = process.env): GateLimits {
  const defaults = DEFAULT_GATE_LIMITS[config.database.type];
  const read = (name: string, min: number) => readIntegerEnv(env, name, min);
  return {
    maxConcurrent: config.gate?.maxConcurrent ?? read('MAX_CONCURRENT_REQUESTS', 1) ?? defaults.maxConcurrent,
    maxQueue: config.gate?.maxQueue ?? read('MAX_QUEUED_REQUESTS', 0) ?? defaults.maxQueue,
    maxWaitMs: config.gate?.maxWaitMs ?? read('MAX_QUEUE_WAIT_MS', 1) ?? defaults.maxWaitMs,
    maxBufferedBytes: config.gate?.maxBufferedBytes ?? megabytes(read('MAX_BUFFERED_ANSWERS_MB', 1)) ?? defaults.maxBufferedBytes,
  };
}

interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

export interface GateStats {
  running: number;
  queued: number;
  /** Answers whose work is done but whose bytes are not all with the kernel yet, and those bytes. */
  sending: number;
  bufferedBytes: number;
  admitted: number;
  refusedFull: number;
  refusedWait: number;
}

/** Why a request was not admitted: the queue was full, or it waited too long. */
export class GateRefusal extends Error {
  constructor(
    readonly reason: 'full' | 'wait',
    readonly retryAfter: number,
    limits: GateLimits,
  ) {
    super(
      reason === 'full'
        ? `Le serveur traite trop de requêtes à la fois (${limits.maxConcurrent} en cours, ${limits.maxQueue} en attente) : réessayez dans ${retryAfter} s.`
        : `La requête a attendu ${formatSeconds(limits.maxWaitMs)} sans qu’une place se libère : le serveur est surchargé, réessayez dans ${retryAfter} s.`,
    );
  }
}

export class RequestGate {
  private running = 0;
  private readonly queue: Waiter[] = [];
  /** Recent service time (ms), smoothed: what Retry-After is estimated from. */
  private serviceMs = 100;
  private readonly counts = { admitted: 0, refusedFull: 0, refusedWait: 0 };
  /** An admission is scheduled for the next turn of the event loop. */
  private admitting = false;
  /** Admitted responses until their last byte is with the kernel (or the client is gone). */
  private readonly answers = new Set<Response>();
  private recheck: NodeJS.Timeout | null = null;

  constructor(readonly limits: GateLimits) {}

  stats(): GateStats {
    const sending = [...this.answers].filter((res) => res.writableEnded).length;
    return { running: this.running, queued: this.queue.length, sending, bufferedBytes: this.bufferedBytes(), ...this.counts };
  }

  /** Bytes the admitted answers hold in this process (Node's buffers, not the kernel's). */
  bufferedBytes(): number {
    let total = 0;
    for (const res of this.answers) total += res.writableLength;
    return total;
  }

  /** The answers' memory is at its ceiling: streamed answers wait for their client, new requests for a place. */
  buffersFull(): boolean {
    return this.limits.maxBufferedBytes !== undefined && this.bufferedBytes() >= this.limits.maxBufferedBytes;
  }

  /**
   * Express middleware: `next()` once admitted; the place is given back when the handler ends the
   * response (its work is done, whether or not the client has read the bytes) or the client goes away
   * (a waiting client that goes away leaves the queue). `shape`: a refusal on /graphql is `{ errors }`
   * only; on the other routes it also carries their own `{ error }`.
   */
  guard(shape: 'graphql' | 'route'): RequestHandler {
    return (_req: Request, res: Response, next: NextFunction) => {
      const cancel = this.wait(
        () => {
          const release = this.hold();
          res.locals[GATE] = this;
          this.answers.add(res);
          const forget = () => {
            if (this.answers.delete(res)) this.admitWaiters();
          };
          res.once('finish', forget);
          res.once('close', forget);
          res.once('close', release);
          const end = res.end;
          res.end = function (this: Response, ...args: unknown[]) {
            const result = (end as (...a: unknown[]) => Response).apply(this, args);
            release();
            return result;
          } as Response['end'];
          next();
        },
        (refusal) => sendRefusal(res, refusal, shape),
      );
      res.once('close', cancel);
    };
  }

  /** A place for work outside the HTTP middleware (and tests): resolves with its release, or rejects with a GateRefusal. */
  admitted(): Promise<() => void> {
    return new Promise((resolve, reject) => void this.wait(() => resolve(this.hold()), reject));
  }

  /**
   * Calls `admit` when a place is free, or `refuse` at once (queue full) or after maxWaitMs; returns a
   * cancel for a client gone while waiting. Even with a free place the request starts on the next turn
   * of the event loop (admitWaiters says why).
   */
  private wait(admit: () => void, refuse: (refusal: GateRefusal) => void): () => void {
    // Waiters that a free place will take at the next turn are not queued behind anyone.
    const free = Math.max(0, this.limits.maxConcurrent - this.running);
    if (this.queue.length - free >= this.limits.maxQueue) {
      this.counts.refusedFull++;
      refuse(new GateRefusal('full', this.retryAfterSeconds(), this.limits));
      return () => undefined;
    }
    const waiter: Waiter = {
      admit,
      timer: setTimeout(() => {
        this.remove(waiter);
        this.counts.refusedWait++;
        refuse(new GateRefusal('wait', this.retryAfterSeconds(), this.limits));
      }, this.limits.maxWaitMs),
    };
    waiter.timer.unref();
    this.queue.push(waiter);
    this.admitWaiters();
    return () => {
      clearTimeout(waiter.timer);
      this.remove(waiter);
    };
  }

  /** Takes a place; the returned release (idempotent) gives it back to the next waiter. */
  private hold(): () => void {
    this.running++;
    this.counts.admitted++;
    const started = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.serviceMs = this.serviceMs * 0.8 + (Date.now() - started) * 0.2;
      this.admitWaiters();
    };
  }

  /**
   * Requests start from a setImmediate, at most `maxConcurrent` per turn of the event loop, never in the
   * callback that read them or inside a release. On SQLite a request runs synchronously and a small
   * answer is flushed at once: run where they were read, one turn of the loop ran every readable
   * socket's request, and Node accepts one new connection per turn, so under load the 64th connection
   * was accepted 20 s after the first (its request waiting as long, though served in 10 ms). Now a turn
   * reads every socket and runs a few requests, and the queue, not the kernel, decides who waits.
   */
  private admitWaiters(): void {
    if (this.admitting || !this.queue.length) return;
    this.admitting = true;
    setImmediate(() => {
      this.admitting = false;
      while (this.running < this.limits.maxConcurrent && this.queue.length) {
        if (this.buffersFull()) {
          // Answers drain as their clients read, or go when the send timeout cuts a stalled reader: look again soon.
          this.recheck ??= setTimeout(() => {
            this.recheck = null;
            this.admitWaiters();
          }, BUFFER_RECHECK_MS).unref();
          return;
        }
        const waiter = this.queue.shift()!;
        clearTimeout(waiter.timer);
        waiter.admit();
      }
    });
  }

  private remove(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index >= 0) this.queue.splice(index, 1);
  }

  /** Seconds until a retry has a fair chance: the queue ahead shared among the places, 1 to 60. */
  retryAfterSeconds(): number {
    const seconds = ((this.queue.length + 1) * this.serviceMs) / this.limits.maxConcurrent / 1000;
    return Math.min(60, Math.max(1, Math.ceil(seconds)));
  }
}

const GATE = 'requestGate';

/** The gate that admitted this response, if any: a streamed answer asks it whether memory is short. */
export function admittingGate(res: Response): RequestGate | undefined {
  const gate = res.locals?.[GATE] as unknown;
  return gate instanceof RequestGate ? gate : undefined;
}

function megabytes(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1024 * 1024;
}

function sendRefusal(res: Response, refusal: GateRefusal, shape: 'graphql' | 'route'): void {
  if (res.headersSent || res.writableEnded) return;
  const { message, retryAfter } = refusal;
  res
    .status(503)
    .set({ 'Retry-After': String(retryAfter), 'Cache-Control': 'no-store' })
    .json({ ...(shape === 'route' ? { error: message } : {}), errors: [{ message, extensions: { code: 'SERVER_BUSY', retryAfter } }] });
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${String(ms / 1000).replace('.', ',')} s` : `${ms} ms`;
}
