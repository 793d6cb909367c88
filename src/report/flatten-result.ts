import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLSchema,
  GraphQLType,
  InlineFragmentNode,
  isCompositeType,
  isEnumType,
  isListType,
  isNonNullType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/**
 * Turns the `data` of a GraphQL query into one flat table, for CSV/XLSX/JSON files a BI tool refreshes.
 *
 * Rules:
 * - **Columns** are the leaf fields of the operation, in the order they are selected, named by their path
 *   of response keys (aliases included): `contract.axes.orientations.code`. A connection's `nodes` list is
 *   left out of the name (`fundings.nodes.amount` → `fundings.amount`) unless that would give two columns
 *   the same name, in which case both keep their full path.
 * - **Types** come from the schema, never from the values: Decimal → `decimal`, Int → `integer`, Float →
 *   `number`, Boolean → `boolean`, DateTimeISO/DateTime → `datetime`, anything else (String, ID, enums…) →
 *   `text`.
 * - **Rows**: one row per leaf element of the nested lists, its parents' fields repeated on each row.
 *   A single (non-list) object adds its fields to its parent's row, never rows of its own; the lists
 *   below it count as its parent's lists.
 * - **Empty lists** behave like a LEFT JOIN: a parent whose lists are all empty (or null) still gives one
 *   row, with its own fields and the children's columns empty.
 * - **Sibling lists** (two lists under the same parent, e.g. an action's `fundings` and `indicators`) are
 *   not multiplied together: the rows of the first list come first, then those of the second, each
 *   carrying the parent's fields and leaving the other branch's columns empty. An empty sibling adds no
 *   row of its own (the parent already appears in the other branch's rows).
 * - A list of scalars (`aliases: [String!]!`) is a list like any other: one row per value.
 * - A null element of a list gives no row; a null object gives empty columns.
 * - A row without a single value is left out: the LEFT JOIN row of a null root (`contract(code:)` of a code
 *   that matched nothing) says nothing, and a report that matched nothing is its header alone.
 *
 * What a list is, and so whether a field adds rows, is decided by the schema, so the shape of the table
 * does not change from one refresh to the next when a list happens to hold a single element.
 */

export type FlatColumnType = 'text' | 'integer' | 'number' | 'decimal' | 'boolean' | 'datetime';

export interface FlatColumn {
  /** Path of response keys, `nodes` dropped (see above). */
  key: string;
  type: FlatColumnType;
  /** An enum leaf: the GraphQL enum's name (`FundingStage`), whose French labels people's files show. */
  enumName?: string;
}

export type FlatValue = string | number | boolean | null;
export type FlatRow = Record<string, FlatValue>;

/** What the operation selects, as the schema types it: a tree of response keys. */
export interface ShapeNode {
  /** Response key: the alias, or the field name. */
  key: string;
  /** The field's name in the schema (`nodes`, `__typename`…). */
  fieldName: string;
  /** The field's type is a list (at any depth of non-null wrappers). */
  list: boolean;
  /** Leaf fields: the column's type. */
  leafType?: FlatColumnType;
  /** Enum leaves: the enum's name. */
  enumName?: string;
  /** Composite fields: what is selected inside, by response key, in selection order. */
  children: ShapeNode[];
  /** Set by `buildShape` for leaves: the column's key. */
  column?: string;
}

export interface ReportShape {
  root: ShapeNode;
  columns: FlatColumn[];
}

const SCALAR_TYPES: Record<string, FlatColumnType> = {
  Decimal: 'decimal',
  Int: 'integer',
  Float: 'number',
  Boolean: 'boolean',
  DateTimeISO: 'datetime',
  DateTime: 'datetime',
};

export function columnTypeOf(namedTypeName: string): FlatColumnType {
  return SCALAR_TYPES[namedTypeName] ?? 'text';
}

function isListOutput(type: GraphQLType | null | undefined): boolean {
  const unwrapped = type && isNonNullType(type) ? type.ofType : type;
  return !!unwrapped && isListType(unwrapped);
}

/**
 * Maps every selected field of the document's (single) query operation to its schema type. The document
 * must already be valid against the schema. Fragment spreads are inlined first so that TypeInfo sees one
 * tree; the same response key selected twice (directly and through a fragment) is one column.
 */
export function buildShape(schema: GraphQLSchema, document: DocumentNode): ReportShape {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) throw new Error(`expected exactly one operation, got ${operations.length}`);
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const operation = inlineFragments(operations[0], fragments);

  const root: ShapeNode = { key: '', fieldName: '', list: false, children: [] };
  const stack: ShapeNode[] = [root];
  const typeInfo = new TypeInfo(schema);
  visit(
    operation,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node: FieldNode) {
          const parent = stack[stack.length - 1];
          const key = node.alias?.value ?? node.name.value;
          const type = typeInfo.getType();
          if (!type) throw new Error(`field ${key} is not in the schema`);
          const named = getNamedType(type);
          let shape = parent.children.find((child) => child.key === key);
          if (!shape) {
            shape = {
              key,
              fieldName: node.name.value,
              list: isListOutput(type),
              children: [],
              ...(isCompositeType(named) ? {} : { leafType: columnTypeOf(named.name) }),
              ...(isEnumType(named) ? { enumName: named.name } : {}),
            };
            parent.children.push(shape);
          }
          stack.push(shape);
        },
        leave() {
          stack.pop();
        },
      },
    }),
  );

  const leaves: Array<{ node: ShapeNode; full: string[]; short: string[] }> = [];
  const nameLeaves = (node: ShapeNode, full: string[], short: string[]): void => {
    for (const child of node.children) {
      // `nodes` of a connection is the list itself, not a level anyone names.
      const dropped = child.fieldName === 'nodes' && child.key === 'nodes' && child.list && child.leafType === undefined;
      const childFull = [...full, child.key];
      const childShort = dropped ? short : [...short, child.key];
      if (child.leafType !== undefined) leaves.push({ node: child, full: childFull, short: childShort });
      nameLeaves(child, childFull, childShort);
    }
  };
  nameLeaves(root, [], []);

  const shortCounts = new Map<string, number>();
  for (const leaf of leaves) shortCounts.set(leaf.short.join('.'), (shortCounts.get(leaf.short.join('.')) ?? 0) + 1);
  const columns = leaves.map(({ node, full, short }) => {
    const name = shortCounts.get(short.join('.')) === 1 ? short.join('.') : full.join('.');
    node.column = name;
    return { key: name, type: node.leafType!, ...(node.enumName ? { enumName: node.enumName } : {}) };
  });
  return { root, columns };
}

/** Replaces every fragment spread by an inline fragment on the same type condition (recursively). */
function inlineFragments(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): OperationDefinitionNode {
  const inlineSet = (set: SelectionSetNode, seen: Set<string>): SelectionSetNode => ({
    ...set,
    selections: set.selections.map((selection) => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) throw new Error(`fragment ${name} is unknown or cyclic`);
        const inline: InlineFragmentNode = {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          directives: selection.directives,
          selectionSet: inlineSet(fragment.selectionSet, new Set([...seen, name])),
        };
        return inline;
      }
      if (selection.selectionSet) return { ...selection, selectionSet: inlineSet(selection.selectionSet, seen) };
      return selection;
    }),
  });
  return { ...operation, selectionSet: inlineSet(operation.selectionSet, new Set()) };
}

/** The rows of a query's `data`, one per leaf element of its nested lists (rules at the top of the file). */
export function* flattenData(shape: ReportShape, data: Record<string, unknown> | null | undefined): Generator<FlatRow> {
  for (const row of objectRows(shape.root, data ?? null)) {
    if (Object.values(row).some((value) => value !== null && value !== undefined)) yield row;
  }
}

export function flattenResult(schema: GraphQLSchema, document: DocumentNode, data: Record<string, unknown> | null | undefined): { columns: FlatColumn[]; rows: FlatRow[] } {
  const shape = buildShape(schema, document);
  return { columns: shape.columns, rows: [...flattenData(shape, data)] };
}

/**
 * The rows of one object. Its fields outside any list — its own leaves and those of the single objects
 * below it, at any depth — fill one row (`own`); each list met on the way is a branch whose rows each get
 * `own` merged in; branches follow one another; no branch row at all → `own` alone (LEFT JOIN).
 */
function* objectRows(shape: ShapeNode, value: unknown): Generator<FlatRow> {
  const own: FlatRow = {};
  const branches: Array<{ shape: ShapeNode; value: unknown }> = [];
  collect(shape, value, own, branches);
  let yielded = false;
  for (const branch of branches) {
    for (const row of listRows(branch.shape, branch.value)) {
      yielded = true;
      yield { ...own, ...row };
    }
  }
  if (!yielded) yield own;
}

function collect(shape: ShapeNode, value: unknown, own: FlatRow, branches: Array<{ shape: ShapeNode; value: unknown }>): void {
  const object = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  for (const child of shape.children) {
    const childValue = object ? object[child.key] : null;
    if (child.list) branches.push({ shape: child, value: childValue });
    else if (child.leafType !== undefined) {
      if (object) own[child.column!] = leafValue(childValue);
    } else collect(child, childValue, own, branches);
  }
}

/** The rows of a list field: one per element (its own rows for an object); none for an empty list. */
function* listRows(shape: ShapeNode, value: unknown): Generator<FlatRow> {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    // Nested arrays ([[T]]) flatten as one list.
    for (const element of value) yield* listRows(shape, element);
    return;
  }
  if (shape.leafType !== undefined) yield { [shape.column!]: leafValue(value) };
  else yield* objectRows(shape, value);
}

function leafValue(value: unknown): FlatValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  // A custom scalar serialised as an object or an array: kept readable rather than "[object Object]".
  return JSON.stringify(value);
}
