import { Request, Response, Router } from 'express';
import type { DocumentNode, FormattedExecutionResult, GraphQLSchema } from 'graphql';
import { DataSource } from 'typeorm';
import { parseTableFormat, sendTable, TableColumn } from '../request/tabular';
import { GraphQLRunner } from '../request/graphql-runner';
import { HttpError } from '../request/http-error';
import { route } from '../request/http-route';
import { Contract } from '../contract/contract.entity';
import { frenchLabelsOf } from '../kernel/french-labels';
import { buildShape, flattenData } from './flatten-result';
import { contractCodesOf } from './report-contracts';
import { findReport, parseStoredQuery, variablesFromQueryString, VariableOverrideError } from './saved-report.service';

/**
 * Saved reports as URLs a BI tool refreshes: `GET /api/reports/NAME.csv|.xlsx|.json`.
 *
 * - The report's query runs through the GraphQL runner — the same Apollo server, validation, plugins and
 *   limits as `/graphql` — in the name of the caller's `Authorization` header (anonymous reads are open
 *   unless READ_REQUIRES_TOKEN).
 * - `?var.NAME=VALUE` overrides a saved variable (see `variablesFromQueryString` for the types);
 *   `?format=fr` gives the French CSV (`;`, decimal comma, BOM); it and the xlsx show enums' French labels,
 *   the plain CSV and JSON their codes. Other parameters are ignored, so a BI
 *   tool's cache-busting parameter does no harm.
 * - The result is flattened by `flatten-result.ts` (one row per leaf of the nested lists); JSON is the
 *   same flat rows, for BI tools, not the GraphQL tree.
 * - A report that matched nothing is its header alone (JSON `[]`), with the response header `X-Rows: 0`;
 *   a contract code (`contract(code:)`, a `contract` argument or filter field) that names no contract is a
 *   404 with a French message naming the variable.
 * - An unknown report is a 404; GraphQL errors are a 400 with their messages (401/403 when the runner
 *   says UNAUTHENTICATED/FORBIDDEN).
 */
export function createReportRouter(dataSource: DataSource, runGraphQL: GraphQLRunner, schema: GraphQLSchema): Router {
  const router = Router();
  router.get('/api/reports/:file', route((req, res) => getReport(dataSource, runGraphQL, schema, req, res)));
  return router;
}

const BEARER_CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

async function getReport(dataSource: DataSource, runGraphQL: GraphQLRunner, schema: GraphQLSchema, req: Request, res: Response): Promise<void> {
  const file = String(req.params.file);
  const dot = file.lastIndexOf('.');
  const format = dot > 0 ? parseTableFormat(file.slice(dot + 1)) : null;
  if (!format) {
    throw new HttpError(404, `Adresse de rapport inconnue « ${file} » : attendu /api/reports/NOM.csv, NOM.xlsx ou NOM.json.`, 'format');
  }
  const name = file.slice(0, dot);
  const authorization = req.headers.authorization;

  const french = frenchOption(req.query.format);
  const report = await findReport(dataSource, name);
  if (!report) {
    // Whoever may not read gets the same 401 as for a known report: names are not given away.
    refuseOnErrors(await runGraphQL({ query: '{ __typename }', authorization }));
    throw new HttpError(404, `Le rapport « ${name} » n’existe pas (voir la requête GraphQL « reports »).`, 'name');
  }

  const { document, operation } = parseStoredQuery(report.query);
  let overrides: Record<string, unknown>;
  try {
    overrides = variablesFromQueryString(schema, operation, req.query as Record<string, unknown>);
  } catch (error) {
    if (error instanceof VariableOverrideError) throw new HttpError(400, error.message, error.field);
    throw error;
  }
  const saved = report.variables ? (JSON.parse(report.variables) as Record<string, unknown>) : {};
  const variables = { ...saved, ...overrides };
  const result = await runGraphQL({ query: report.query, variables, authorization });
  refuseOnErrors(result, report.name);
  // After the run: whoever may not read the data has had its 401, and learns nothing of the contracts.
  await refuseUnknownContracts(dataSource, schema, document, variables, report.name);

  const shape = buildShape(schema, document);
  // An enum column is shown in French in the files people open (French CSV, xlsx), as its code otherwise.
  const columns: TableColumn[] = shape.columns.map((column) => {
    const labels = column.enumName ? frenchLabelsOf(column.enumName) : undefined;
    return { key: column.key, label: column.key, type: column.type, ...(labels ? { labels } : {}) };
  });
  const rows = flattenData(shape, result.data as Record<string, unknown> | null | undefined);
  // The first row is read before the headers go: a BI tool tells "nothing matched" from a failed refresh.
  const first = rows.next();
  // The data may be private (READ_REQUIRES_TOKEN): no shared cache keeps it.
  res.set('Cache-Control', 'no-store');
  if (first.done) res.set('X-Rows', '0');
  await sendTable(res, format, columns, first.done ? [] : prepend(first.value, rows), {
    fileName: `${report.name}.${format}`,
    french,
    sheetName: report.name,
  });
}

function* prepend<T>(first: T, rest: Iterator<T>): Generator<T> {
  yield first;
  for (let next = rest.next(); !next.done; next = rest.next()) yield next.value;
}

/** A contract code that names no contract is a 404, not an empty table that looks like "nothing matched". */
async function refuseUnknownContracts(dataSource: DataSource, schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, reportName: string): Promise<void> {
  for (const { code, variable } of contractCodesOf(schema, document, variables)) {
    if (await dataSource.getRepository(Contract).existsBy({ code })) continue;
    const where = variable
      ? `vérifiez la variable « ${variable} » (paramètre var.${variable} de l’adresse, ou valeur enregistrée avec le rapport)`
      : 'vérifiez le code écrit dans la requête du rapport';
    throw new HttpError(404, `Le contrat « ${code} » n’existe pas (rapport « ${reportName} ») : ${where}. La requête GraphQL « contracts » donne la liste des contrats.`, variable ? `var.${variable}` : 'query');
  }
}

function frenchOption(value: unknown): boolean {
  if (value === undefined) return false;
  if (value === 'fr') return true;
  throw new HttpError(400, `Paramètre « format » inconnu : « ${String(value)} » ; seul « format=fr » existe (CSV à la française : « ; » et virgule décimale).`, 'format');
}

/**
 * A report with any error is refused as a whole: a BI tool must not load half a table as if it were all.
 * The status follows the first error's code; the messages are those of the API, in French.
 */
function refuseOnErrors(result: FormattedExecutionResult, reportName?: string): void {
  const errors = result.errors ?? [];
  if (!errors.length) return;
  const codes = errors.map((error) => error.extensions?.code);
  const messages = [...new Set(errors.map((error) => error.message))].join(' ; ');
  if (codes.includes('UNAUTHENTICATED')) throw new HttpError(401, messages, undefined, BEARER_CHALLENGE);
  if (codes.includes('FORBIDDEN')) throw new HttpError(403, messages);
  if (codes.every((code) => code === 'INTERNAL_SERVER_ERROR')) throw new HttpError(500, messages);
  throw new HttpError(400, reportName ? `Le rapport « ${reportName} » n’a pas pu être exécuté : ${messages}` : messages);
}
