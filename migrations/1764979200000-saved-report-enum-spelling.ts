import { ASTNode, Kind, ObjectFieldNode, parse, TypeNode, ValueNode, visit } from 'graphql';
import { MigrationInterface, QueryRunner } from 'typeorm';

// GraphQL enum values are in capitals everywhere: FundingDimension, ImportKind and Role were the last in
// lower case (`groupBy: [year]`, `kind: [annex3]`). Saved reports store GraphQL text and JSON variables
// that a BI tool refreshes unattended: their old spellings are rewritten here, so that each report runs
// and gives the same figures. The database's own values (import_batch.kind, api_token.role) and the
// command line's (`--kind annex3`) do not change.
//
// Only enum values are rewritten, where the schema takes one of these enums: a word `year` in a string, an
// alias, a field name or a variable of another type stays as it is. The positions are those of the schema
// when this was written (frozen here, never read from the running code): arguments by field and argument
// name (no other argument of that schema had one of these names with another type), input fields by their
// input type. Role was output only (`me { role }`): no saved text holds one, and a report that selects
// a role or a kind simply answers in capitals now.
//
// `down` rewrites the new spellings back at the same positions. A query that does not parse is left as it is.

type Spelling = Record<string, string>;

const ENUMS: Record<string, Spelling> = {
  FundingDimension: {
    contract: 'CONTRACT',
    axis: 'AXIS',
    orientation: 'ORIENTATION',
    action: 'ACTION',
    funder: 'FUNDER',
    funderKind: 'FUNDER_KIND',
    programme: 'PROGRAMME',
    beneficiary: 'BENEFICIARY',
    territory: 'TERRITORY',
    year: 'YEAR',
    stage: 'STAGE',
    instrument: 'INSTRUMENT',
  },
  ImportKind: { annex3: 'ANNEX3', annex2: 'ANNEX2', dotations: 'DOTATIONS', grants: 'GRANTS', indicators: 'INDICATORS' },
};

/** Input object types that hold one of the enums, with the fields that do (and their type's name). */
const INPUT_FIELDS: Record<string, Record<string, string>> = {
  FundingFilter: { kind: 'ImportKind' },
  ImportBatchFilter: { kind: 'ImportKind' },
};

/** `field.argument` → the named type of the argument, for every argument whose type holds one of the enums. */
const ARGUMENTS: Record<string, string> = {
  'fundingTotals.groupBy': 'FundingDimension',
  'crossCheck.groupBy': 'FundingDimension',
  'fundingTotals.filter': 'FundingFilter',
  'fundings.filter': 'FundingFilter',
  'crossCheck.left': 'FundingFilter',
  'crossCheck.right': 'FundingFilter',
  'importBatches.filter': 'ImportBatchFilter',
};

export type SpellingDirection = 'up' | 'down';

function spellingOf(typeName: string, direction: SpellingDirection): Spelling | undefined {
  const spelling = ENUMS[typeName];
  if (!spelling || direction === 'up') return spelling;
  return Object.fromEntries(Object.entries(spelling).map(([from, to]) => [to, from]));
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The edits that respell the enum literals of `value`, of the named type `typeName`. */
function literalEdits(value: ValueNode, typeName: string, direction: SpellingDirection, edits: Edit[]): void {
  if (value.kind === Kind.LIST) {
    for (const item of value.values) literalEdits(item, typeName, direction, edits);
  } else if (value.kind === Kind.ENUM) {
    const respelt = spellingOf(typeName, direction)?.[value.value];
    if (respelt && value.loc) edits.push({ start: value.loc.start, end: value.loc.end, text: respelt });
  } else if (value.kind === Kind.OBJECT) {
    const fields = INPUT_FIELDS[typeName];
    if (!fields) return;
    for (const field of value.fields as readonly ObjectFieldNode[]) {
      const fieldType = fields[field.name.value];
      if (fieldType) literalEdits(field.value, fieldType, direction, edits);
    }
  }
}

/** A JSON variable value of the named type `typeName`, respelt (a new value; the same one if nothing changes). */
function respellJson(value: unknown, typeName: string, direction: SpellingDirection): unknown {
  if (Array.isArray(value)) return value.map((item) => respellJson(item, typeName, direction));
  const spelling = spellingOf(typeName, direction);
  if (spelling) return typeof value === 'string' && Object.prototype.hasOwnProperty.call(spelling, value) ? spelling[value] : value;
  const fields = INPUT_FIELDS[typeName];
  if (!fields || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fields[key] ? respellJson(inner, fields[key], direction) : inner]));
}

/**
 * A saved report's query and variables with the enum values of FundingDimension and ImportKind respelt:
 * `up` to capitals, `down` back to lower case. The query keeps its layout and comments: only the enum
 * words change. Variables (compact JSON, as saved) are rewritten only when a value changes.
 */
export function respellSavedReport(query: string, variables: string | null, direction: SpellingDirection): { query: string; variables: string | null } {
  let document;
  try {
    document = parse(query);
  } catch {
    return { query, variables };
  }
  const edits: Edit[] = [];
  const variableTypes = new Map<string, string>();
  visit(document, {
    VariableDefinition(definition) {
      const typeName = namedType(definition.type);
      variableTypes.set(definition.variable.name.value, typeName);
      if (definition.defaultValue) literalEdits(definition.defaultValue, typeName, direction, edits);
    },
    Argument(argument, _key, _parent, _path, ancestors) {
      const field = ancestors[ancestors.length - 1] as ASTNode;
      if (field.kind !== Kind.FIELD) return;
      const typeName = ARGUMENTS[`${field.name.value}.${argument.name.value}`];
      if (typeName) literalEdits(argument.value, typeName, direction, edits);
    },
  });
  let respelt = query;
  for (const edit of edits.sort((a, b) => b.start - a.start)) respelt = respelt.slice(0, edit.start) + edit.text + respelt.slice(edit.end);

  let respeltVariables = variables;
  if (variables) {
    try {
      const values: unknown = JSON.parse(variables);
      if (values !== null && typeof values === 'object' && !Array.isArray(values)) {
        const rewritten = Object.fromEntries(
          Object.entries(values).map(([name, value]) => [name, variableTypes.has(name) ? respellJson(value, variableTypes.get(name)!, direction) : value]),
        );
        const text = JSON.stringify(rewritten);
        if (text !== JSON.stringify(values)) respeltVariables = text;
      }
    } catch {
      // Not JSON: left as it is, as the query that does not parse.
    }
  }
  return { query: respelt, variables: respeltVariables };
}

async function respellAll(queryRunner: QueryRunner, direction: SpellingDirection): Promise<void> {
  const query = queryRunner.connection.driver.escape('query');
  const reports: Array<{ id: number; query: string; variables: string | null }> = await queryRunner.query(
    `SELECT id, ${query} AS ${query}, variables FROM saved_report ORDER BY id`,
  );
  for (const report of reports) {
    const respelt = respellSavedReport(report.query, report.variables, direction);
    if (respelt.query === report.query && respelt.variables === report.variables) continue;
    await queryRunner.query(`UPDATE saved_report SET ${query} = ?, variables = ? WHERE id = ?`, [respelt.query, respelt.variables, report.id]);
  }
}

export class SavedReportEnumSpelling1764979200000 implements MigrationInterface {
  name = 'SavedReportEnumSpelling1764979200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await respellAll(queryRunner, 'up');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await respellAll(queryRunner, 'down');
  }
}
