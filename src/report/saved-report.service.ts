import {
  DocumentNode,
  getNamedType,
  getVariableValues,
  GraphQLError,
  GraphQLSchema,
  GraphQLEnumType,
  isEnumType,
  isInputObjectType,
  Kind,
  OperationDefinitionNode,
  parse,
  TypeNode,
  validate,
  VariableDefinitionNode,
} from 'graphql';
import { DataSource, EntityManager } from 'typeorm';
import { forbidden } from '../request/authorisation';
import { Identity } from '../request/identity';
import { Role } from '../kernel/role.enum';
import { FieldError, fieldErrorsToGraphQLError } from '../common/field-validation';
import { Organisation } from '../organisation/organisation.entity';
import { SavedReport } from './saved-report.entity';
import { AuditHook } from '../audit/audit.service';

/** URL-safe: the name is the file name of `/api/reports/NAME.csv`. */
export const REPORT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export interface CheckedQuery {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/**
 * Parses a report's query: exactly one operation, a `query` (a report is refreshed unattended, again and
 * again: a mutation would write at each refresh), valid against the schema. Errors say what is wrong, in
 * French, with the field `query`; graphql's own messages (syntax, unknown fields) are quoted as they are.
 */
export function checkReportQuery(schema: GraphQLSchema, query: string): { checked?: CheckedQuery; errors: FieldError[] } {
  const error = (message: string) => ({ errors: [{ field: 'query', message }] });
  if (!query.trim()) return error('La requête (query) est vide.');
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (caught) {
    if (caught instanceof GraphQLError) return error(`La requête (query) ne peut pas être lue : ${describeGraphQLError(caught)}.`);
    throw caught;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length === 0) return error('La requête (query) ne contient aucune opération : écrivez « query { … } ».');
  if (operations.length > 1) {
    return error(`La requête (query) contient ${operations.length} opérations : un rapport n’en exécute qu’une, enregistrez-les comme rapports distincts.`);
  }
  const [operation] = operations;
  if (operation.operation !== 'query') {
    const what = operation.operation === 'mutation' ? 'une modification (mutation)' : 'un abonnement (subscription)';
    return error(`Un rapport ne peut contenir qu’une lecture (query), pas ${what} : il est réexécuté à chaque actualisation.`);
  }
  const invalid = validate(schema, document);
  if (invalid.length) {
    const more = invalid.length > 1 ? ` (et ${invalid.length - 1} autre${invalid.length > 2 ? 's' : ''})` : '';
    return error(`La requête (query) ne correspond pas au schéma : ${describeGraphQLError(invalid[0])}${more}.`);
  }
  return { checked: { document, operation }, errors: [] };
}

function describeGraphQLError(error: GraphQLError): string {
  const location = error.locations?.[0];
  return `${error.message.replace(/\.$/, '')}${location ? ` (ligne ${location.line}, colonne ${location.column})` : ''}`;
}

/** The saved variables: absent, or a JSON object whose every key is a variable the operation declares. */
export function checkReportVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode | undefined,
  variables: string | null | undefined,
): { values: Record<string, unknown> | null; errors: FieldError[] } {
  if (variables === null || variables === undefined || !variables.trim()) return { values: null, errors: [] };
  const error = (message: string) => ({ values: null, errors: [{ field: 'variables', message }] });
  let values: unknown;
  try {
    values = JSON.parse(variables);
  } catch {
    return error('Les variables (variables) doivent être un objet JSON, par exemple {"contract": "CRTE-DOUAISIS"}.');
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    return error('Les variables (variables) doivent être un objet JSON, par exemple {"contract": "CRTE-DOUAISIS"}.');
  }
  if (!operation) return { values: values as Record<string, unknown>, errors: [] };
  const definitions = operation.variableDefinitions ?? [];
  const declared = new Set(definitions.map((d) => d.variable.name.value));
  const unknown = Object.keys(values).filter((name) => !declared.has(name));
  if (unknown.length) {
    return error(
      `Variable${unknown.length > 1 ? 's' : ''} (variables) non déclarée${unknown.length > 1 ? 's' : ''} par la requête : ${unknown.map((n) => `$${n}`).join(', ')}${declared.size ? ` (déclarées : ${[...declared].map((n) => `$${n}`).join(', ')})` : ''}.`,
    );
  }
  // Only the values given are checked: the others may come from the URL (`?var.NAME=`) or their defaults.
  const given = definitions.filter((d) => Object.prototype.hasOwnProperty.call(values, d.variable.name.value));
  const coerced = getVariableValues(schema, given, values as Record<string, unknown>);
  if (coerced.errors?.length) return error(`Les variables (variables) ne conviennent pas : ${coerced.errors.map((e) => e.message).join(' ; ')}`);
  return { values: values as Record<string, unknown>, errors: [] };
}

export function checkReportName(name: string): FieldError[] {
  if (REPORT_NAME_PATTERN.test(name)) return [];
  return [
    {
      field: 'name',
      message: `Le nom du rapport (name) « ${name} » ne convient pas : de 1 à 100 lettres sans accents, chiffres, « - » ou « _ », car il sert d’adresse (/api/reports/NOM.csv).`,
    },
  ];
}

/**
 * Names are compared without case on both databases (MariaDB's collation does so anyway): `Suivi-BdT`
 * and `suivi-bdt` are one report, on SQLite too.
 */
export function findReport(dataSource: DataSource | EntityManager, name: string): Promise<SavedReport | null> {
  return dataSource
    .getRepository(SavedReport)
    .createQueryBuilder('report')
    .where('LOWER(report.name) = LOWER(:name)', { name })
    .getOne();
}

/**
 * Who may change a saved report: an admin any; an editor those of its organisation (the organisation of
 * the editor's token that created them). A report without an owner (an admin's) is the administrators'
 * alone. Refused with FORBIDDEN, as every write the caller's rights do not cover.
 */
export async function requireReportWrite(manager: EntityManager, identity: Identity, report: SavedReport, verb: 'remplacer' | 'supprimer'): Promise<void> {
  if (identity.role === Role.ADMIN) return;
  requireOwningOrganisation(identity);
  if (report.ownerOrganisationId === identity.organisationId) return;
  const owner = report.ownerOrganisationId === null ? null : await manager.findOne(Organisation, { where: { id: report.ownerOrganisationId } });
  throw forbidden(
    `Un éditeur ne peut ${verb} que les rapports de son organisation : le rapport « ${report.name} » ${
      owner ? `appartient à « ${owner.shortName ?? owner.name} »` : 'est réservé aux administrateurs'
    }. Enregistrez le vôtre sous un autre nom.`,
  );
}

/** An editor's token without an organisation could own nothing: it saves no report. */
function requireOwningOrganisation(identity: Identity): void {
  if (identity.role !== Role.ADMIN && identity.organisationId === null) {
    throw forbidden(`Le jeton d’éditeur « ${identity.name} » n’est rattaché à aucune organisation : il ne peut ni enregistrer ni modifier de rapport.`);
  }
}

/** The owner of a report a caller creates: its organisation for an editor, none (administrators) for an admin. */
function ownerOf(identity: Identity): number | null {
  return identity.role === Role.ADMIN ? null : identity.organisationId;
}

export interface SaveReportInput {
  name: string;
  query: string;
  variables?: string | null;
}

/**
 * Creates or replaces the report of that name, after checking everything (all errors at once). Replacing
 * needs the right to (requireReportWrite), checked in the transaction that writes; the owner stays.
 */
export async function saveReport(
  dataSource: DataSource,
  schema: GraphQLSchema,
  identity: Identity,
  input: SaveReportInput,
  audit?: AuditHook<SavedReport>,
): Promise<SavedReport> {
  const name = input.name.trim();
  const errors = checkReportName(name);
  const query = checkReportQuery(schema, input.query);
  errors.push(...query.errors);
  const variables = checkReportVariables(schema, query.checked?.operation, input.variables);
  errors.push(...variables.errors);
  if (errors.length) throw fieldErrorsToGraphQLError(errors);
  requireOwningOrganisation(identity);

  const fields = {
    name,
    query: input.query.trim(),
    // Stored compact: the text is what GET runs with, whatever spacing the caller used.
    variables: variables.values ? JSON.stringify(variables.values) : null,
  };
  const now = new Date();
  for (let attempt = 0; ; attempt++) {
    let existing: SavedReport | null = null;
    try {
      // One transaction per attempt, so that the retry reads what the other save committed.
      return await dataSource.transaction(async (manager) => {
        existing = await findReport(manager, name);
        const repository = manager.getRepository(SavedReport);
        let saved: SavedReport;
        if (existing) {
          await requireReportWrite(manager, identity, existing, 'remplacer');
          await repository.update(existing.id, { ...fields, updatedAt: now });
          saved = await repository.findOneByOrFail({ id: existing.id });
        } else {
          saved = await repository.save(
            repository.create({ ...fields, createdByTokenId: identity.tokenId, ownerOrganisationId: ownerOf(identity), createdAt: now, updatedAt: now }),
          );
        }
        await audit?.(manager, saved);
        return saved;
      });
    } catch (error) {
      // Two saves of one new name at once: the second meets the unique index and replaces the first, if
      // it may (the retry checks the right as any replacement).
      if (attempt === 0 && !existing) continue;
      throw error;
    }
  }
}

/** Deletes the report of that name, if the caller may (requireReportWrite); false when there is none. */
export async function deleteReport(dataSource: DataSource, identity: Identity, name: string, audit?: AuditHook<SavedReport>): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const existing = await findReport(manager, name);
    if (!existing) return false;
    await requireReportWrite(manager, identity, existing, 'supprimer');
    await manager.getRepository(SavedReport).delete(existing.id);
    await audit?.(manager, existing);
    return true;
  });
}

/** The document of a stored report (checked when it was saved; parsed again at each run). */
export function parseStoredQuery(query: string): CheckedQuery {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('stored report without an operation');
  return { document, operation };
}

// ---------------------------------------------------------------------------------------------------
// Variables from the URL: `?var.NAME=VALUE`

export class VariableOverrideError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * Turns the URL's `var.NAME` parameters into variable values, by the type the operation declares:
 * Int and Float → numbers, Boolean → `true`/`false`, other scalars and enums → the text as it is; an
 * input object → JSON; a list → repeated parameters (`var.stage=PLANNED&var.stage=PAID`), a JSON array,
 * or one value. An empty value is null. Unknown names are refused, so a typo does not silently run the
 * report unfiltered.
 */
export function variablesFromQueryString(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  const definitions = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
  const values: Record<string, unknown> = {};
  for (const [parameter, raw] of Object.entries(parameters)) {
    if (!parameter.startsWith('var.')) continue;
    const name = parameter.slice('var.'.length);
    const definition = definitions.get(name);
    if (!definition) {
      const declared = [...definitions.keys()].map((n) => `var.${n}`).join(', ');
      throw new VariableOverrideError(
        `Le paramètre « ${parameter} » ne correspond à aucune variable du rapport${declared ? ` (possibles : ${declared})` : ' (il n’en déclare aucune)'}.`,
        parameter,
      );
    }
    values[name] = urlValue(schema, definition, raw, parameter);
  }
  const checked = getVariableValues(
    schema,
    [...definitions.values()].filter((d) => Object.prototype.hasOwnProperty.call(values, d.variable.name.value)),
    values,
  );
  if (checked.errors?.length) {
    throw new VariableOverrideError(`Paramètres de l’adresse incorrects : ${checked.errors.map((e) => e.message).join(' ; ')}`, 'var');
  }
  return values;
}

function urlValue(schema: GraphQLSchema, definition: VariableDefinitionNode, raw: unknown, parameter: string): unknown {
  const texts = (Array.isArray(raw) ? raw : [raw]).map((value) => (typeof value === 'string' ? value : String(value)));
  let typeNode: TypeNode = definition.type;
  if (typeNode.kind === Kind.NON_NULL_TYPE) typeNode = typeNode.type;
  if (typeNode.kind === Kind.LIST_TYPE) {
    if (texts.length === 1 && texts[0].trim().startsWith('[')) return parseJson(texts[0], parameter);
    if (texts.length === 1 && texts[0] === '') return null;
    return texts.map((text) => scalarValue(schema, typeNode, text, parameter));
  }
  if (texts.length > 1) throw new VariableOverrideError(`Le paramètre « ${parameter} » est donné ${texts.length} fois ; il n’attend qu’une valeur.`, parameter);
  if (texts[0] === '') return null;
  return scalarValue(schema, typeNode, texts[0], parameter);
}

function scalarValue(schema: GraphQLSchema, typeNode: TypeNode, text: string, parameter: string): unknown {
  let named: TypeNode = typeNode;
  while (named.kind !== Kind.NAMED_TYPE) named = named.type;
  const type = schema.getType(named.name.value);
  if (!type) return text;
  const inner = getNamedType(type);
  if (isInputObjectType(inner)) return parseJson(text, parameter);
  if (isEnumType(inner)) return enumValueName(inner, text);
  switch (inner.name) {
    case 'Int':
    case 'Float': {
      const number = Number(text.trim().replace(',', '.'));
      if (!text.trim() || !Number.isFinite(number)) throw new VariableOverrideError(`Le paramètre « ${parameter} » attend un nombre : « ${text} ».`, parameter);
      return number;
    }
    case 'Boolean':
      if (/^(true|1|oui)$/i.test(text.trim())) return true;
      if (/^(false|0|non)$/i.test(text.trim())) return false;
      throw new VariableOverrideError(`Le paramètre « ${parameter} » attend true ou false : « ${text} ».`, parameter);
    default:
      return text;
  }
}

/**
 * A BI tool's address written before the enum values were capitals (`?var.by=year`, `funderKind`) keeps
 * working: the value is matched whatever its case and underscores. An unknown word is left as it is, for
 * the schema's own refusal (which names the possible values).
 */
function enumValueName(type: GraphQLEnumType, text: string): string {
  const key = (word: string) => word.trim().replace(/[_\s-]/g, '').toLowerCase();
  const wanted = key(text);
  const matches = type.getValues().filter((value) => key(value.name) === wanted);
  return matches.length === 1 ? matches[0].name : text;
}

function parseJson(text: string, parameter: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new VariableOverrideError(`Le paramètre « ${parameter} » n’est pas du JSON valide : « ${text} ».`, parameter);
  }
}
