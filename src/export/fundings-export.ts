/**
 * The flat export of the current funding lines: its columns, its query-string parameters (the same
 * criteria as GraphQL's FundingFilter) and the rows, read in keyset pages so that memory stays flat
 * whatever the number of lines.
 */
import { DataSource } from 'typeorm';
import { Action } from '../action/action.entity';
import { placedOrientation } from '../amendment/action-placement';
import { titleThenSql } from '../amendment/title-history';
import { structureDateOf } from '../contract/structure-date';
import { centsFromDriver, formatCents } from '../kernel/money';
import { Axis } from '../contract/axis.entity';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { territorySql } from '../funding/funding-group';
import { FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { FundingFilter } from '../funding/funding.filter';
import { filteredFundings } from '../funding/funding.query';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportKind } from '../kernel/import-batch.enum';
import { CreditNature } from '../kernel/credit-nature.enum';
import { COST_BASE_LABELS, CREDIT_NATURE_LABELS, FUNDING_INSTRUMENT_LABELS, FUNDING_STAGE_LABELS, IMPORT_KIND_LABELS, ORGANISATION_KIND_LABELS } from '../kernel/french-labels';
import { Organisation } from '../organisation/organisation.entity';
import { HttpError } from '../request/http-error';
import { TableColumn, TableRow } from '../request/tabular';

/** Lines read per statement: a few thousand keeps each page small in memory and the statements few. */
export const EXPORT_PAGE_SIZE = 2000;

/** Closed sets carry their French labels: the French CSV and xlsx show them, plain CSV and JSON the codes. */
export const FUNDING_EXPORT_COLUMNS: TableColumn[] = [
  { key: 'id', label: 'N° ligne', type: 'integer' },
  { key: 'contractCode', label: 'Contrat', type: 'text' },
  { key: 'axisNumber', label: 'N° axe', type: 'integer' },
  { key: 'axisTitle', label: 'Axe', type: 'text' },
  { key: 'orientationCode', label: 'Code orientation', type: 'text' },
  { key: 'orientationTitle', label: 'Orientation', type: 'text' },
  { key: 'actionCode', label: 'Code action', type: 'text' },
  { key: 'actionTitle', label: 'Action', type: 'text' },
  { key: 'funder', label: 'Financeur', type: 'text' },
  { key: 'funderKind', label: 'Type de financeur', type: 'text', labels: ORGANISATION_KIND_LABELS },
  { key: 'programmeCode', label: 'Code dispositif', type: 'text' },
  { key: 'programmeName', label: 'Dispositif', type: 'text' },
  { key: 'beneficiary', label: 'Bénéficiaire', type: 'text' },
  { key: 'territory', label: 'Territoire (EPCI)', type: 'text' },
  { key: 'year', label: 'Année', type: 'integer' },
  { key: 'stage', label: 'Étape', type: 'text', labels: FUNDING_STAGE_LABELS },
  { key: 'instrument', label: 'Nature', type: 'text', labels: FUNDING_INSTRUMENT_LABELS },
  { key: 'costBase', label: 'Base de coût', type: 'text', labels: COST_BASE_LABELS },
  { key: 'approximate', label: 'Approximatif', type: 'boolean' },
  { key: 'amount', label: 'Montant (€)', type: 'decimal' },
  { key: 'declaredBy', label: 'Déclaré par', type: 'text' },
  { key: 'importKind', label: 'Type de fichier', type: 'text', labels: IMPORT_KIND_LABELS },
  { key: 'batchId', label: 'N° dépôt', type: 'integer' },
  { key: 'fileName', label: 'Fichier', type: 'text' },
  { key: 'sheet', label: 'Feuille', type: 'text' },
  { key: 'cell', label: 'Cellule', type: 'text' },
  { key: 'rawValue', label: 'Valeur brute', type: 'text' },
  { key: 'uploadedAt', label: 'Déposé le (UTC)', type: 'datetime' },
  // Last, as added later: the columns before it keep their places for the scripts that read them by position.
  { key: 'creditNature', label: 'Nature des crédits', type: 'text', labels: CREDIT_NATURE_LABELS },
];

// ---------------------------------------------------------------------------------------------------
// Query-string parameters

export interface FundingExportParameters {
  filter: FundingFilter;
  asOf: Date | null;
  /** CSV only: ';', decimal comma and a BOM, for French Excel. */
  french: boolean;
}

type QueryValue = string | string[] | undefined;
export type QueryParameters = Record<string, unknown>;

const SINGLE_TEXT = ['contract', 'orientation', 'action', 'funder', 'programme', 'beneficiary', 'source'] as const;
const KNOWN = new Set<string>([...SINGLE_TEXT, 'axis', 'yearFrom', 'yearTo', 'stage', 'instrument', 'creditNature', 'kind', 'asOf', 'format']);
/** An ISO 8601 date, or date and time with an optional offset: anything else is refused, not guessed. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Reads the export's query string into a FundingFilter. Lists (stage, instrument, kind) are given
 * repeated or comma-separated; an empty value counts as not given. Any mistake is a 400 that names the
 * parameter — an unknown parameter too, since a misspelt filter would otherwise export everything.
 */
export function parseFundingExportParameters(query: QueryParameters): FundingExportParameters {
  for (const name of Object.keys(query)) {
    if (!KNOWN.has(name)) {
      throw new HttpError(400, `Paramètre inconnu « ${name} ». Paramètres acceptés : ${[...KNOWN].join(', ')}.`, name);
    }
  }
  const filter: FundingFilter = {};
  for (const name of SINGLE_TEXT) {
    const value = single(query, name);
    if (value !== undefined) filter[name] = value;
  }
  const axis = integer(query, 'axis', 1, 99);
  if (axis !== undefined) filter.axis = axis;
  const yearFrom = integer(query, 'yearFrom', 1900, 2200);
  if (yearFrom !== undefined) filter.yearFrom = yearFrom;
  const yearTo = integer(query, 'yearTo', 1900, 2200);
  if (yearTo !== undefined) filter.yearTo = yearTo;
  if (yearFrom !== undefined && yearTo !== undefined && yearFrom > yearTo) {
    throw new HttpError(400, `« yearFrom » (${yearFrom}) est après « yearTo » (${yearTo}) : aucune année ne peut correspondre.`, 'yearFrom');
  }
  const stage = enumList(query, 'stage', Object.values(FundingStage), 'étape', 'inconnue');
  if (stage) filter.stage = stage;
  const instrument = enumList(query, 'instrument', Object.values(FundingInstrument), 'nature de financement', 'inconnue');
  if (instrument) filter.instrument = instrument;
  const creditNature = enumList(query, 'creditNature', Object.values(CreditNature), 'nature de crédits', 'inconnue');
  if (creditNature) filter.creditNature = creditNature;
  const kind = enumList(query, 'kind', Object.values(ImportKind), 'type de fichier', 'inconnu');
  if (kind) filter.kind = kind;
  return { filter, asOf: dateTime(query, 'asOf'), french: csvVariant(query) };
}

function values(query: QueryParameters, name: string): string[] {
  const raw = query[name] as QueryValue | unknown;
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.some((item) => typeof item !== 'string')) throw new HttpError(400, `Le paramètre « ${name} » doit être un texte simple.`, name);
  return list as string[];
}

function single(query: QueryParameters, name: string): string | undefined {
  const given = values(query, name)
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (given.length > 1) throw new HttpError(400, `Le paramètre « ${name} » ne prend qu’une valeur (reçu ${given.length} fois).`, name);
  return given[0];
}

function integer(query: QueryParameters, name: string, min: number, max: number): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new HttpError(400, `« ${value} » n’est pas un nombre entier (paramètre « ${name} »).`, name);
  const number = Number(value);
  if (number < min || number > max) throw new HttpError(400, `« ${value} » est hors des bornes ${min} à ${max} (paramètre « ${name} »).`, name);
  return number;
}

/** `unknown` agrees with `what`: « Étape inconnue », « Type de fichier inconnu ». */
function enumList<T extends string>(query: QueryParameters, name: string, allowed: T[], what: string, unknown: string): T[] | undefined {
  const items = values(query, name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (items.length === 0) return undefined;
  const result: T[] = [];
  for (const item of items) {
    // Enum values are matched whatever their case: `stage=granted` is as clear as `stage=GRANTED`.
    const match = allowed.find((value) => value.toLowerCase() === item.toLowerCase());
    if (!match) throw new HttpError(400, `${capitalise(what)} ${unknown} « ${item} » (paramètre « ${name} ») : valeurs possibles ${allowed.join(', ')}.`, name);
    if (!result.includes(match)) result.push(match);
  }
  return result;
}

function dateTime(query: QueryParameters, name: string): Date | null {
  const value = single(query, name);
  if (value === undefined) return null;
  const date = ISO_DATE_TIME.test(value) && realCalendarDay(value) ? new Date(value.replace(' ', 'T')) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new HttpError(400, `« ${value} » n’est pas une date ISO 8601 (paramètre « ${name} ») : par exemple 2026-01-31 ou 2026-01-31T12:00:00Z.`, name);
  }
  return date;
}

/** JavaScript rolls 2026-02-31 over to 3 March: a day that does not exist is refused instead. */
function realCalendarDay(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function csvVariant(query: QueryParameters): boolean {
  const value = single(query, 'format');
  if (value === undefined || value.toLowerCase() === 'standard') return false;
  if (value.toLowerCase() === 'fr') return true;
  throw new HttpError(400, `Variante « ${value} » inconnue (paramètre « format ») : « fr » (séparateur ; et virgule décimale) ou « standard ».`, 'format');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------------
// Rows

/**
 * One statement per page: the lines of `filteredFundings` (the very query GraphQL uses, so the figures
 * agree) with every label joined in. filteredFundings already joins funder, programme, beneficiary and
 * batch under those aliases, and may inner-join contract, action, orientation, axis or declarer for
 * its filters: the labels use their own `x_` aliases so that they never collide.
 */
function fundingExportQuery(dataSource: DataSource, filter: FundingFilter, asOf: Date | null) {
  const query = filteredFundings(dataSource, filter, asOf)
    .leftJoin(Contract, 'x_contract', 'x_contract.id = funding.contract_id')
    .leftJoin(Action, 'x_action', 'x_action.id = funding.action_id');
  // At a past moment, the orientation the action was in that day (an amendment may have moved it since),
  // and the titles it and its axis had then; now, the current rows.
  const on = asOf ? structureDateOf(asOf) : null;
  const orientation = placedOrientation(query, 'x_action', on);
  if (on) query.setParameter('on', on);
  const orientationTitle = on ? `COALESCE(${titleThenSql('x_orientation', 'orientation_id')}, x_orientation.title)` : 'x_orientation.title';
  const axisTitle = on ? `COALESCE(${titleThenSql('x_axis', 'axis_id')}, x_axis.title)` : 'x_axis.title';
  return query
    .leftJoin(Orientation, 'x_orientation', `x_orientation.id = ${orientation}`)
    .leftJoin(Axis, 'x_axis', 'x_axis.id = x_orientation.axis_id')
    .leftJoin(Organisation, 'x_lead', 'x_lead.id = x_action.lead_id')
    .leftJoin(Organisation, 'x_territory', `x_territory.id = ${territorySql('x_lead')}`)
    .leftJoin(Organisation, 'x_declarer', 'x_declarer.id = funding.source_id')
    .select('funding.id', 'id')
    .addSelect('x_contract.code', 'contract_code')
    .addSelect('x_axis.number', 'axis_number')
    .addSelect(axisTitle, 'axis_title')
    .addSelect('x_orientation.code', 'orientation_code')
    .addSelect(orientationTitle, 'orientation_title')
    .addSelect('x_action.code', 'action_code')
    .addSelect('x_action.title', 'action_title')
    .addSelect('funder.name', 'funder_name')
    .addSelect('funder.kind', 'funder_kind')
    .addSelect('programme.code', 'programme_code')
    .addSelect('programme.name', 'programme_name')
    .addSelect('beneficiary.name', 'beneficiary_name')
    .addSelect('x_territory.name', 'territory_name')
    .addSelect('funding.year', 'year')
    .addSelect('funding.stage', 'stage')
    .addSelect('funding.instrument', 'instrument')
    .addSelect('funding.cost_base', 'cost_base')
    .addSelect('funding.approximate', 'approximate')
    .addSelect('funding.amount', 'amount')
    .addSelect('x_declarer.name', 'declarer_name')
    .addSelect('funding.import_kind', 'import_kind')
    .addSelect('funding.batch_id', 'batch_id')
    .addSelect('batch.file_name', 'file_name')
    .addSelect('funding.source_sheet', 'source_sheet')
    .addSelect('funding.source_cell', 'source_cell')
    .addSelect('funding.raw_value', 'raw_value')
    .addSelect('batch.uploaded_at', 'uploaded_at')
    .addSelect('funding.credit_nature', 'credit_nature');
}

/**
 * The export's rows, page after page by funding.id (keyset: each page starts after the last id seen,
 * so a page costs the same at the end as at the start). Stopping the iteration stops the reading.
 * Pages are separate statements: an import applied during a long download may show in the later pages.
 */
export async function* fundingExportRows(
  dataSource: DataSource,
  filter: FundingFilter,
  asOf: Date | null,
  pageSize: number = EXPORT_PAGE_SIZE,
): AsyncGenerator<TableRow> {
  const base = fundingExportQuery(dataSource, filter, asOf);
  const uploadedAtColumn = dataSource.getMetadata(ImportBatch).findColumnWithPropertyName('uploadedAt')!;
  const toDate = (value: unknown): Date | null => (value === null || value === undefined ? null : dataSource.driver.prepareHydratedValue(value, uploadedAtColumn));
  let afterId = 0;
  for (;;) {
    const page = await base
      .clone()
      .andWhere('funding.id > :exportAfterId', { exportAfterId: afterId })
      .orderBy('funding.id', 'ASC')
      .limit(pageSize)
      .getRawMany<Record<string, unknown>>();
    for (const raw of page) yield fundingExportRow(raw, toDate);
    if (page.length < pageSize) return;
    afterId = Number(page[page.length - 1].id);
  }
}

/** One raw row of fundingExportQuery as a table row: exact amount string, numbers and booleans typed. */
export function fundingExportRow(raw: Record<string, unknown>, toDate: (value: unknown) => Date | null = defaultDate): TableRow {
  return {
    id: integerOrNull(raw.id),
    contractCode: textOrNull(raw.contract_code),
    axisNumber: integerOrNull(raw.axis_number),
    axisTitle: textOrNull(raw.axis_title),
    orientationCode: textOrNull(raw.orientation_code),
    orientationTitle: textOrNull(raw.orientation_title),
    actionCode: textOrNull(raw.action_code),
    actionTitle: textOrNull(raw.action_title),
    funder: textOrNull(raw.funder_name),
    funderKind: textOrNull(raw.funder_kind),
    programmeCode: textOrNull(raw.programme_code),
    programmeName: textOrNull(raw.programme_name),
    beneficiary: textOrNull(raw.beneficiary_name),
    territory: textOrNull(raw.territory_name),
    year: integerOrNull(raw.year),
    stage: textOrNull(raw.stage),
    instrument: textOrNull(raw.instrument),
    costBase: textOrNull(raw.cost_base),
    // SQLite and MySQL both give 0/1 (number, string or bigint depending on the driver).
    approximate: raw.approximate === null || raw.approximate === undefined ? null : raw.approximate === true || Number(raw.approximate) === 1,
    amount: raw.amount === null || raw.amount === undefined ? null : formatCents(centsFromDriver(raw.amount, 'euros')),
    declaredBy: textOrNull(raw.declarer_name),
    importKind: textOrNull(raw.import_kind),
    batchId: integerOrNull(raw.batch_id),
    fileName: textOrNull(raw.file_name),
    sheet: textOrNull(raw.source_sheet),
    cell: textOrNull(raw.source_cell),
    rawValue: textOrNull(raw.raw_value),
    uploadedAt: toDate(raw.uploaded_at),
    creditNature: textOrNull(raw.credit_nature),
  };
}

function defaultDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function integerOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** The file's name: what was exported and when, so that two downloads do not overwrite each other. */
export function fundingExportFileName(filter: FundingFilter, extension: string, now: Date = new Date()): string {
  const contract = filter.contract ? `-${filter.contract.replace(/[^A-Za-z0-9_-]+/g, '_')}` : '';
  return `financements${contract}-${now.toISOString().slice(0, 10)}.${extension}`;
}
