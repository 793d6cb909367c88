import type { Loaders } from './context';
import type { Selection } from './selection';

/**
 * A level's children read before the level answers, so that each child's field answers from memory.
 *
 * Why: an action's `fundings` resolver is called once per action; each call returned its loader's promise,
 * and each promise went through the query's guards and graphql-jit's promise handling (allocations, an
 * async hook per promise): on a nested query of 500 actions, about a sixth of the answer's garbage. When
 * the parent list (an orientation's actions) asks its children's lines in one batch before it answers, the
 * statement is the same one (a level is still one statement), and each action's `fundings` answers its
 * lines as they are, synchronously (`settled`).
 *
 * The domain that owns the child field registers how to read it (funding/structure-funding.resolver.ts for
 * Action.fundings), so that the parent's domain (action/) does not import it.
 */
export type Prefetch = (loaders: Loaders, selection: Selection, parentIds: readonly number[]) => Promise<unknown>;

const prefetches = new Map<string, Array<{ field: string; prefetch: Prefetch }>>();

/** `prefetch` reads `type.field` of many parents at once, when a query asks for that field (its `selection`). */
export function registerPrefetch(type: string, field: string, prefetch: Prefetch): void {
  const list = prefetches.get(type) ?? [];
  list.push({ field, prefetch });
  prefetches.set(type, list);
}

/** Reads the registered fields of `type` that `selection` (of the parents) asks for; undefined when none. */
export function prefetchChildren(loaders: Loaders, type: string, selection: Selection, parentIds: readonly number[]): Promise<unknown> | undefined {
  if (!parentIds.length) return undefined;
  let pending: Promise<unknown>[] | undefined;
  for (const { field, prefetch } of prefetches.get(type) ?? []) {
    const asked = selection.get(field);
    if (asked) (pending ??= []).push(prefetch(loaders, asked, parentIds));
  }
  return pending && Promise.all(pending);
}
