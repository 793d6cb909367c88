import {
  FieldNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLResolveInfo,
  GraphQLSchema,
  isListType,
  isObjectType,
  Kind,
  SelectionSetNode,
} from 'graphql';

/**
 * What one GraphQL request may materialise, and how long it may run (issue 13, point 1). One budget per
 * request, kept beside its context object:
 *
 * - rows: the items of every list a resolver hands to execution (a cached DataLoader answer counts each
 *   time it is handed out: 700 aliases of one tree read the rows once but build 700 answers);
 * - values: each row times the fields asked of it (fields of nested single objects included), about the
 *   size of the answer in memory;
 * - the deadline: checked at every resolver; its timer can fire because execution yields (pace below).
 *
 * Past a ceiling the request fails with RESPONSE_TOO_LARGE, past the deadline with TIMEOUT; from then
 * on every resolver of the request fails at once, so the rest of the execution costs almost nothing.
 */
export interface BudgetLimits {
  maxRows: number;
  maxValues: number;
  /** 0: none. */
  timeoutMs: number;
}

export class QueryBudget {
  rows = 0;
  values = 0;
  /** The error that stopped the request, once stopped: every later resolver gets it. */
  failure: GraphQLError | null = null;
  readonly deadline: number;

  constructor(
    readonly limits: BudgetLimits,
    private readonly timeoutError: () => GraphQLError,
  ) {
    this.deadline = limits.timeoutMs > 0 ? Date.now() + limits.timeoutMs : Infinity;
  }

  /** Throws the request's failure, or TIMEOUT once past the deadline. */
  check(): void {
    if (this.failure) throw this.failure;
    if (Date.now() >= this.deadline) throw this.fail(this.timeoutError());
  }

  /** Counts `items` rows of `width` values each; throws RESPONSE_TOO_LARGE past a ceiling. */
  charge(items: number, width: number): void {
    this.rows += items;
    this.values += items * width;
    if (this.rows > this.limits.maxRows || this.values > this.limits.maxValues) throw this.fail(tooLarge(this));
  }

  fail(error: GraphQLError): GraphQLError {
    this.failure ??= error;
    return this.failure;
  }
}

function tooLarge(budget: QueryBudget): GraphQLError {
  const { maxRows, maxValues } = budget.limits;
  return new GraphQLError(
    `La réponse serait trop volumineuse : la requête a dépassé ${maxRows} lignes ou ${maxValues} valeurs et a été interrompue. Demandez moins de champs ou moins d’alias, ou scindez-la (par contrat, par axe, par pages).`,
    { extensions: { code: 'RESPONSE_TOO_LARGE', maxRows, maxValues, http: { status: 400 } } },
  );
}

// ------------------------------------------------------------------------------------------------ width

const widths = new WeakMap<FieldNode, number>();

/**
 * The values one item of the field's list holds: its fields, the fields of its nested single objects,
 * and one for each nested list (whose rows are charged when that list resolves). Computed once per
 * field of the document (keyed by its first node: graphql-js and graphql-jit both keep the nodes).
 */
export function itemWidth(info: GraphQLResolveInfo): number {
  const key = info.fieldNodes[0];
  let width = widths.get(key);
  if (width === undefined) {
    width = 0;
    const type = getNamedType(info.returnType);
    for (const node of info.fieldNodes) width += selectionWidth(node.selectionSet, type.name, info.schema, info.fragments, 0);
    width = Math.max(1, width);
    widths.set(key, width);
  }
  return width;
}

function selectionWidth(
  set: SelectionSetNode | undefined,
  typeName: string,
  schema: GraphQLSchema,
  fragments: GraphQLResolveInfo['fragments'],
  depth: number,
): number {
  if (!set || depth > 20) return 0;
  const type = schema.getType(typeName);
  const fields = isObjectType(type) ? type.getFields() : {};
  let width = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      width++;
      const field = fields[selection.name.value];
      if (!field || !selection.selectionSet || isListType(getNullableType(field.type))) continue;
      width += selectionWidth(selection.selectionSet, getNamedType(field.type).name, schema, fragments, depth + 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      width += selectionWidth(selection.selectionSet, selection.typeCondition?.name.value ?? typeName, schema, fragments, depth + 1);
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment) width += selectionWidth(fragment.selectionSet, fragment.typeCondition.name.value, schema, fragments, depth + 1);
    }
  }
  return width;
}

// ------------------------------------------------------------------------------------------------- pace

/** Longest stretch of execution between two turns of the event loop. */
export const SLICE_MS = 20;
/**
 * Requests that have materialised fewer rows never wait: the dashboard's queries run through while a
 * large answer is built in slices beside them.
 */
export const PACE_AFTER_ROWS = 5000;

let sliceStarted = Date.now();
/** Values waiting for a turn, per request: served in turn, one each, so a request's backlog never holds another's. */
const waiting = new Map<QueryBudget, Backlog>();
let scheduled = false;

/** A FIFO without Array#shift, which copies a long array at every call. */
class Backlog {
  private items: Array<(() => void) | undefined> = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(item: () => void): void {
    this.items.push(item);
  }
  take(): () => void {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Whether the request, large enough to be paced, has run past the current slice. */
export function mustYield(owner: QueryBudget): boolean {
  return owner.rows >= PACE_AFTER_ROWS && Date.now() - sliceStarted >= SLICE_MS;
}

/**
 * `value` as is while the current stretch of synchronous work is under SLICE_MS, else a promise of it
 * resolved after a turn of the event loop. A nested answer is completed in microtasks as its loaders
 * resolve: without this, a request ran from its first batch to its last answer without letting any other
 * request (nor its own time limit) in. Waiting values are resolved one request after the other, each in
 * its own microtask turn, until the slice is spent; then the next turn of the loop goes on.
 */
export function pace<T>(value: T, owner: QueryBudget): T | Promise<T> {
  if (!mustYield(owner)) return value;
  return new Promise<T>((resolve) => {
    let backlog = waiting.get(owner);
    if (!backlog) waiting.set(owner, (backlog = new Backlog()));
    backlog.push(() => resolve(value));
    schedule();
  });
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    sliceStarted = Date.now();
    release();
  });
}

/** One waiting value per microtask, so that its completion runs before the time is looked at again. */
function release(): void {
  if (!waiting.size) return;
  if (Date.now() - sliceStarted >= SLICE_MS) {
    schedule();
    return;
  }
  const [owner, backlog] = waiting.entries().next().value!;
  const next = backlog.take();
  // The request goes to the back of the line (alone, it stays first).
  if (waiting.size > 1 || !backlog.size) {
    waiting.delete(owner);
    if (backlog.size) waiting.set(owner, backlog);
  }
  next();
  queueMicrotask(release);
}
