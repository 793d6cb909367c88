import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A request's abort signal, found by what works for the request however deep it runs (a loader's batch,
 * a streamed read) without being handed down: an AsyncLocalStorage store entered by the HTTP layer around
 * each heavy request (startServer's `scoped`). It is aborted when the request has failed — its budget or
 * its time limit (src/server/graphql-limits.ts) — or when its client has gone before its answer was sent;
 * a long read looks at it between its slices (src/sql/sqlite-streamed-read.ts), as nobody waits for its
 * rows any more.
 */
const requests = new AsyncLocalStorage<AbortController>();

/** What runAbortable needs of the response: Node's ServerResponse. */
export interface ClosingResponse {
  readonly writableEnded: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/** The reason a request is aborted with when its client goes away before its answer. */
export const CLIENT_GONE_MESSAGE = 'Le client s’est déconnecté avant la réponse : la requête a été interrompue.';

/** Runs `fn`, the handling of one request, with a signal of its own; aborted if `res` closes before its answer is ended. */
export function runAbortable<T>(res: ClosingResponse, fn: () => T): T {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) controller.abort(new Error(CLIENT_GONE_MESSAGE));
  });
  return requests.run(controller, fn);
}

/** The controller of the request this runs for (runAbortable), if any: its failure aborts it. */
export function requestController(): AbortController | undefined {
  return requests.getStore();
}

/** The signal of the request this runs for, if any. */
export function requestSignal(): AbortSignal | undefined {
  return requests.getStore()?.signal;
}
