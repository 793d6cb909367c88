/**
 * The consolidated annex 3 of a CRTE — « Tableau récapitulatif des investissements des partenaires » — built
 * from plain data, with no database: the document the COPIL signs off each year.
 *
 * Layout of the sheet « Annexe 3 » (decisions, so that the document reads the same every year):
 * - a title block: the annex's title and period, the contract, the stage shown, the date generated, the
 *   « Source : … » line, the counting rules, the unit (euros) and the totals, so that the sheet explains
 *   itself when printed alone;
 * - two header rows: group headers (Action / Par financeur / Par année / Total) over the labels;
 * - per axis a heading row, per orientation a heading row, its actions, « Sous-total orientation x.y »;
 *   « Sous-total axe n » after the axis's orientations. Every orientation of the contract is shown, even
 *   empty (the contract's structure is what is signed), with a zero subtotal;
 * - actions not yet placed in an orientation (projects met in national grants lists) that have lines at
 *   this stage come in a block « Actions à classer »;
 * - « Total des actions »; then lines without an action (territory-level dotations such as the DETR an EPCI
 *   receives) in a separate block « Enveloppes sans action », one row per (funder, programme, beneficiary),
 *   since they are not actions but are part of the contract's figures; then « TOTAL GÉNÉRAL », which is
 *   exactly `fundingTotals(groupBy: [CONTRACT], filter: { contract, stage })`;
 * - columns: one per funder that has counted lines, ordered by kind (État, opérateurs de l'État, Union
 *   européenne, Région, Département, EPCI, communes, others) then name — a stable order, so that this year's
 *   document lines up with last year's; then one per year of the contract's period (and any year outside
 *   it that has lines); then Total. The funder columns and the year columns are two breakdowns of the same
 *   amount: each group adds up to the Total column.
 *
 * Amounts are added in integer cents (bigint) and written once, as numbers with a euro number format.
 * Subtotals and row totals are formulas that carry their computed value, so that a reader without a
 * calculation engine sees the figure. xlsx 0.18.5 (community edition) writes column widths, merges, row
 * outline levels, number formats, autofilters and defined names (print titles) — not freeze panes nor fonts
 * (its sheetView writer has no pane), so the header rows repeat on printed pages instead.
 *
 * A second sheet « Lignes » lists every counted line with the file, sheet and cell it came from.
 */
import type * as Sheets from 'xlsx';
import { xlsxLibrary } from '../kernel/xlsx-library';
import { ActionStatus } from '../kernel/action-status.enum';
import { EuroStyle, formatEuros } from '../kernel/format-euros';
import { formatCents } from '../kernel/money';
import { FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { ACTION_STATUS_LABELS, FUNDING_INSTRUMENT_LABELS, FUNDING_STAGE_LABELS } from '../kernel/french-labels';

export const ANNEX3_SHEET = 'Annexe 3';
export const LINES_SHEET = 'Lignes';
export const EURO_FORMAT = '#,##0.00 "€";-#,##0.00 "€";"-"';
/** The title block's figures (the cells themselves are numbers): narrow no-break spaces, as print sets them. */
const PRINT: EuroStyle = { separator: '\u202f' };

export interface Annex3Contract {
  code: string;
  name: string;
  startYear: number;
  endYear: number;
  signedOn: string | null;
}

export interface Annex3Axis {
  id: number;
  number: number;
  title: string;
}

export interface Annex3Orientation {
  id: number;
  axisId: number;
  code: string;
  title: string;
}

export interface Annex3Action {
  id: number;
  orientationId: number | null;
  code: string;
  title: string;
  /** The maître d'ouvrage's name. */
  lead: string | null;
  status: ActionStatus;
  /** Decimal string in euros ("52000000.00"). */
  totalCost: string | null;
  costBase: string | null;
}

export interface Annex3Funder {
  id: number;
  name: string;
  kind: OrganisationKind;
}

/** A sum of counted lines for one (action or envelope, funder, year). */
export interface Annex3Amount {
  /** Null for lines without an action (territory-level envelopes). */
  actionId: number | null;
  funderId: number;
  year: number;
  cents: bigint;
  lines: number;
  /** For lines without an action: what names the envelope. */
  programme?: string | null;
  beneficiary?: string | null;
}

/** One counted line, for the « Lignes » sheet. */
export interface Annex3Line {
  actionCode: string | null;
  actionTitle: string | null;
  orientationCode: string | null;
  funder: string;
  programme: string | null;
  beneficiary: string | null;
  year: number;
  stage: FundingStage;
  instrument: FundingInstrument;
  cents: bigint;
  fileName: string | null;
  batchId: number | null;
  sheet: string | null;
  cell: string | null;
  rawValue: string | null;
}

export interface Annex3Data {
  contract: Annex3Contract;
  stage: FundingStage;
  generatedAt: Date;
  /** The day (AAAA-MM-JJ) the structure and the lines are read at; absent or null: now. */
  asOf?: string | null;
  axes: Annex3Axis[];
  orientations: Annex3Orientation[];
  /** Every action of the contract (those without an orientation are shown only when they have lines). */
  actions: Annex3Action[];
  /** At least every funder named by `amounts`. */
  funders: Annex3Funder[];
  amounts: Annex3Amount[];
  /** The counted lines, one by one; the « Lignes » sheet is left out when absent. */
  lines?: Annex3Line[];
}

const STAGE_PLURAL_LABELS: Readonly<Record<FundingStage, string>> = {
  PLANNED: 'prévus',
  REQUESTED: 'demandés',
  GRANTED: 'attribués / engagés',
  PAID: 'payés / mandatés',
};

/** The usual order of a French public-finance table: the State first, then the other public partners. */
const FUNDER_KIND_ORDER: readonly OrganisationKind[] = [
  OrganisationKind.STATE,
  OrganisationKind.STATE_OPERATOR,
  OrganisationKind.EU,
  OrganisationKind.REGION,
  OrganisationKind.DEPARTMENT,
  OrganisationKind.EPCI,
  OrganisationKind.COMMUNE,
  OrganisationKind.COMPANY,
  OrganisationKind.ASSOCIATION,
  OrganisationKind.OTHER,
];

/** The first columns, before the funders: code, title, lead, status, total cost and its base. */
const DESCRIPTIVE_COLUMNS = 6;
const LABEL_LAST_COLUMN = DESCRIPTIVE_COLUMNS - 1;

export type Annex3RowKind = 'axis' | 'orientation' | 'action' | 'orientationSubtotal' | 'axisSubtotal' | 'unclassified' | 'unclassifiedSubtotal' | 'actionsTotal' | 'envelopes' | 'envelope' | 'envelopesSubtotal' | 'grandTotal';

/** Where things landed in the sheet (0-based rows and columns), for tests and callers. */
export interface Annex3Layout {
  headerRow: number;
  funderColumns: Array<{ funderId: number; name: string; column: number }>;
  yearColumns: Array<{ year: number; column: number }>;
  totalColumn: number;
  rows: Array<{ row: number; kind: Annex3RowKind; key: string }>;
  /** The grand total, exactly: what fundingTotals gives for the contract at this stage. */
  grandTotalCents: bigint;
  countedLines: number;
}

export interface Annex3Workbook {
  workbook: Sheets.WorkBook;
  layout: Annex3Layout;
  fileName: string;
}

const compareCodes = (a: string, b: string) => a.localeCompare(b, 'fr', { numeric: true, sensitivity: 'base' });

/** A row's amounts, added in cents. */
class Amounts {
  readonly byFunder = new Map<number, bigint>();
  readonly byYear = new Map<number, bigint>();
  total = 0n;
  lines = 0;

  add(funderId: number, year: number, cents: bigint, lines: number): void {
    this.byFunder.set(funderId, (this.byFunder.get(funderId) ?? 0n) + cents);
    this.byYear.set(year, (this.byYear.get(year) ?? 0n) + cents);
    this.total += cents;
    this.lines += lines;
  }

  addAll(other: Amounts): void {
    for (const [funderId, cents] of other.byFunder) this.byFunder.set(funderId, (this.byFunder.get(funderId) ?? 0n) + cents);
    for (const [year, cents] of other.byYear) this.byYear.set(year, (this.byYear.get(year) ?? 0n) + cents);
    this.total += other.total;
    this.lines += other.lines;
  }
}

/** A number for a cell: the decimal string parsed once, so the cell holds the double nearest the exact figure. */
function euros(cents: bigint): number {
  return Number(formatCents(cents));
}

function annex3FileName(contractCode: string, stage: FundingStage): string {
  return `annexe3-${contractCode.replace(/[^A-Za-z0-9_-]+/g, '_')}-${stage}.xlsx`;
}

function formatDate(date: Date): string {
  return date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function formatIsoDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return match ? `${match[3]}/${match[2]}/${match[1]}` : iso;
}

/** Lines without an action, one row per (funder, programme, beneficiary). */
interface Envelope {
  funderId: number;
  programme: string | null;
  beneficiary: string | null;
  amounts: Amounts;
}

/** The amounts added per row (action or envelope), and the funders and years that have any. */
interface RowAmounts {
  byAction: Map<number, Amounts>;
  envelopes: Map<string, Envelope>;
  usedFunders: Set<number>;
  /** The contract's period, and any year outside it that has lines. */
  years: Set<number>;
}

function amountsByRow(contract: Annex3Contract, amounts: readonly Annex3Amount[]): RowAmounts {
  const byAction = new Map<number, Amounts>();
  const envelopes = new Map<string, Envelope>();
  const usedFunders = new Set<number>();
  const years = new Set<number>();
  for (let year = contract.startYear; year <= contract.endYear; year++) years.add(year);
  for (const amount of amounts) {
    usedFunders.add(amount.funderId);
    years.add(amount.year);
    let rowAmounts: Amounts;
    if (amount.actionId !== null) {
      rowAmounts = byAction.get(amount.actionId) ?? new Amounts();
      byAction.set(amount.actionId, rowAmounts);
    } else {
      const programme = amount.programme ?? null;
      const beneficiary = amount.beneficiary ?? null;
      const key = `${amount.funderId}\u0000${programme ?? ''}\u0000${beneficiary ?? ''}`;
      let envelope = envelopes.get(key);
      if (!envelope) envelopes.set(key, (envelope = { funderId: amount.funderId, programme, beneficiary, amounts: new Amounts() }));
      rowAmounts = envelope.amounts;
    }
    rowAmounts.add(amount.funderId, amount.year, amount.cents, amount.lines);
  }
  return { byAction, envelopes, usedFunders, years };
}

/** The funders that have amounts, in the stable order of the columns: by kind, then name. */
function orderedFunders(funderIds: Iterable<number>, funderById: ReadonlyMap<number, Annex3Funder>): Annex3Funder[] {
  const funders = [...funderIds].map((id) => {
    const funder = funderById.get(id);
    if (!funder) throw new Error(`annex 3: funder ${id} has amounts but is not in the funder list`);
    return funder;
  });
  const kindRank = (kind: OrganisationKind) => {
    const rank = FUNDER_KIND_ORDER.indexOf(kind);
    return rank < 0 ? FUNDER_KIND_ORDER.length : rank;
  };
  return funders.sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.name.localeCompare(b.name, 'fr', { sensitivity: 'base' }) || a.id - b.id);
}

/** The amount columns: funders, then years, then Total, after the descriptive columns. */
interface Annex3Columns {
  funderColumns: Annex3Layout['funderColumns'];
  yearColumns: Annex3Layout['yearColumns'];
  totalColumn: number;
  lastColumn: number;
  amountColumns: number[];
}

function amountColumnsOf(funders: readonly Annex3Funder[], years: Iterable<number>): Annex3Columns {
  const sortedYears = [...years].sort((a, b) => a - b);
  const funderColumns = funders.map((funder, index) => ({ funderId: funder.id, name: funder.name, column: DESCRIPTIVE_COLUMNS + index }));
  const yearColumns = sortedYears.map((year, index) => ({ year, column: DESCRIPTIVE_COLUMNS + funders.length + index }));
  const totalColumn = DESCRIPTIVE_COLUMNS + funders.length + sortedYears.length;
  const amountColumns = [...funderColumns.map((c) => c.column), ...yearColumns.map((c) => c.column), totalColumn];
  return { funderColumns, yearColumns, totalColumn, lastColumn: totalColumn, amountColumns };
}

/** What a row's amounts put in one amount column. */
function columnAmount(columns: Annex3Columns, amounts: Amounts, column: number): bigint {
  if (column === columns.totalColumn) return amounts.total;
  const funder = columns.funderColumns.find((c) => c.column === column);
  if (funder) return amounts.byFunder.get(funder.funderId) ?? 0n;
  const year = columns.yearColumns.find((c) => c.column === column);
  return year ? (amounts.byYear.get(year.year) ?? 0n) : 0n;
}

const cellRef = (r: number, c: number) => xlsxLibrary().utils.encode_cell({ r, c });

/** The sheet « Annexe 3 » as it is written, row after row, with where each row landed. */
class Annex3SheetWriter {
  readonly sheet: Sheets.WorkSheet = {};
  readonly merges: Sheets.Range[] = [];
  readonly rowInfo: Sheets.RowInfo[] = [];
  readonly layoutRows: Annex3Layout['rows'] = [];
  /** The next row to write. */
  row = 0;

  constructor(readonly columns: Annex3Columns) {}

  put(r: number, c: number, cell: Sheets.CellObject): void {
    this.sheet[cellRef(r, c)] = cell;
  }

  text(r: number, c: number, value: string | null | undefined): void {
    if (value !== null && value !== undefined && value !== '') this.put(r, c, { t: 's', v: value });
  }

  money(r: number, c: number, cents: bigint, formula?: string): void {
    this.put(r, c, { t: 'n', v: euros(cents), z: EURO_FORMAT, ...(formula ? { f: formula } : {}) });
  }

  merge(r: number, c1: number, c2: number): void {
    if (c2 > c1) this.merges.push({ s: { r, c: c1 }, e: { r, c: c2 } });
  }

  /** Records the current row's kind (and its outline level). */
  mark(kind: Annex3RowKind, key: string, level = 0): void {
    this.layoutRows.push({ row: this.row, kind, key });
    if (level) this.rowInfo[this.row] = { level };
  }

  /** An amounts row: funder and year cells (empty when nothing on a detail row), and its Total as a formula. */
  amountsRow(r: number, amounts: Amounts, detail: boolean): void {
    const { funderColumns, yearColumns, totalColumn } = this.columns;
    for (const { funderId, column } of funderColumns) {
      const cents = amounts.byFunder.get(funderId);
      if (cents !== undefined || !detail) this.money(r, column, cents ?? 0n);
    }
    for (const { year, column } of yearColumns) {
      const cents = amounts.byYear.get(year);
      if (cents !== undefined || !detail) this.money(r, column, cents ?? 0n);
    }
    const totalFormula = funderColumns.length ? `SUM(${cellRef(r, funderColumns[0].column)}:${cellRef(r, funderColumns[funderColumns.length - 1].column)})` : undefined;
    this.money(r, totalColumn, amounts.total, totalFormula);
  }

  /** A subtotal row: each amount column is the sum of the given rows' cells (a range when contiguous). */
  subtotalRow(r: number, label: string, amounts: Amounts, parts: { first: number; last: number } | number[]): void {
    this.text(r, 0, label);
    this.merge(r, 0, LABEL_LAST_COLUMN);
    for (const column of this.columns.amountColumns) {
      let formula: string | undefined;
      if (Array.isArray(parts)) formula = parts.length ? parts.map((part) => cellRef(part, column)).join('+') : undefined;
      else if (parts.last >= parts.first) formula = `SUM(${cellRef(parts.first, column)}:${cellRef(parts.last, column)})`;
      this.money(r, column, columnAmount(this.columns, amounts, column), formula);
    }
  }

  headingRow(r: number, label: string): void {
    this.text(r, 0, label);
    this.merge(r, 0, this.columns.lastColumn);
  }

  actionRow(action: Annex3Action, amounts: Amounts): void {
    const row = this.row;
    this.text(row, 0, action.code);
    this.text(row, 1, action.title);
    this.text(row, 2, action.lead);
    this.text(row, 3, ACTION_STATUS_LABELS[action.status] ?? action.status);
    if (action.totalCost !== null) {
      this.put(row, 4, { t: 'n', v: Number(action.totalCost), z: EURO_FORMAT });
      // The base qualifies a cost: without a cost it would say nothing.
      this.text(row, 5, action.costBase);
    }
    this.amountsRow(row, amounts, true);
  }
}

/** What the title block states: every counted line, and how much of it is in envelopes. */
interface Annex3Totals {
  grandTotal: bigint;
  countedLines: number;
  envelopeTotal: Amounts;
  hasEnvelopes: boolean;
}

function annex3Totals(amounts: readonly Annex3Amount[], envelopes: ReadonlyMap<string, Envelope>): Annex3Totals {
  let grandTotal = 0n;
  let countedLines = 0;
  for (const amount of amounts) {
    grandTotal += amount.cents;
    countedLines += amount.lines;
  }
  const envelopeTotal = new Amounts();
  for (const envelope of envelopes.values()) envelopeTotal.addAll(envelope.amounts);
  return { grandTotal, countedLines, envelopeTotal, hasEnvelopes: envelopes.size > 0 };
}

function titleLines(data: Annex3Data, totals: Annex3Totals): string[] {
  const { contract, stage } = data;
  const { grandTotal, countedLines, envelopeTotal } = totals;
  return [
    `Annexe 3 – Tableau récapitulatif des investissements des partenaires sur la période ${contract.startYear}-${contract.endYear}`,
    `${contract.name} (${contract.code})${contract.signedOn ? `, signé le ${formatIsoDate(contract.signedOn)}` : ''} – période ${contract.startYear}-${contract.endYear}`,
    `Étape présentée : montants ${STAGE_PLURAL_LABELS[stage]}${stage === FundingStage.PLANNED ? ', le « prévu » de l’annexe 3' : ''}`,
    data.asOf
      ? `Document généré le ${formatDate(data.generatedAt)}, état au ${formatIsoDate(data.asOf)} : la structure du contrat ce jour-là (avenants signés jusqu’à ce jour compris) et les lignes enregistrées à la fin de ce jour`
      : `Document généré le ${formatDate(data.generatedAt)}`,
    `Source : base de suivi du CRTE, tableaux déposés par les partenaires – ${countedLines} ligne${countedLines > 1 ? 's' : ''} de financement comptée${countedLines > 1 ? 's' : ''}${data.lines ? ', détaillées avec leur fichier et leur cellule d’origine dans la feuille « Lignes »' : ''}.`,
    'Lignes comptées : celles en vigueur (une ligne remplacée par un dépôt plus récent ne compte plus) ; quand deux sources déclarent le même montant, la déclaration du financeur lui-même fait foi.',
    'Montants en euros. Les colonnes « par financeur » et « par année » ventilent le même montant : chacun des deux groupes totalise la colonne « Total ».',
    totals.hasEnvelopes
      ? `Total général : ${formatEuros(grandTotal, PRINT)}, dont ${formatEuros(grandTotal - envelopeTotal.total, PRINT)} rattachés à des actions et ${formatEuros(envelopeTotal.total, PRINT)} d’enveloppes sans action (dotations reçues par un territoire, bloc « Enveloppes sans action »).`
      : `Total général : ${formatEuros(grandTotal, PRINT)}, entièrement rattachés à des actions (aucune enveloppe sans action à cette étape).`,
  ];
}

/** The title lines, one merged row each, then a blank row. */
function writeTitleBlock(writer: Annex3SheetWriter, lines: readonly string[]): void {
  for (const line of lines) {
    writer.text(writer.row, 0, line);
    writer.merge(writer.row, 0, writer.columns.lastColumn);
    writer.row++;
  }
  writer.row++;
}

/** The group headers (Action / Par financeur / Par année / Total) over the column labels. */
function writeHeaderRows(writer: Annex3SheetWriter, contract: Annex3Contract): { groupRow: number; headerRow: number } {
  const { funderColumns, yearColumns, totalColumn } = writer.columns;
  const groupRow = writer.row;
  const headerRow = writer.row + 1;
  writer.text(groupRow, 0, 'Action');
  writer.merge(groupRow, 0, LABEL_LAST_COLUMN);
  if (funderColumns.length) {
    writer.text(groupRow, funderColumns[0].column, 'Par financeur (€)');
    writer.merge(groupRow, funderColumns[0].column, funderColumns[funderColumns.length - 1].column);
  }
  writer.text(groupRow, yearColumns[0].column, 'Par année (€)');
  writer.merge(groupRow, yearColumns[0].column, yearColumns[yearColumns.length - 1].column);
  writer.text(groupRow, totalColumn, 'Total (€)');
  ['Code', 'Intitulé', 'Maître d’ouvrage', 'Statut', 'Coût total (€)', 'HT / TTC'].forEach((label, column) => writer.text(headerRow, column, label));
  for (const { name, column } of funderColumns) writer.text(headerRow, column, name);
  for (const { year, column } of yearColumns) {
    const outside = year < contract.startYear || year > contract.endYear;
    writer.text(headerRow, column, outside ? `${year} (hors période)` : String(year));
  }
  writer.text(headerRow, totalColumn, 'Total');
  writer.row = headerRow + 1;
  return { groupRow, headerRow };
}

/** The actions of each orientation (null: none), in code order. */
function actionsByOrientation(actions: readonly Annex3Action[]): Map<number | null, Annex3Action[]> {
  const byOrientation = new Map<number | null, Annex3Action[]>();
  for (const action of actions) {
    const list = byOrientation.get(action.orientationId) ?? [];
    list.push(action);
    byOrientation.set(action.orientationId, list);
  }
  for (const list of byOrientation.values()) list.sort((a, b) => compareCodes(a.code, b.code));
  return byOrientation;
}

/** A written block's amounts and the rows of its subtotals, which the next total adds up. */
interface WrittenBlock {
  amounts: Amounts;
  subtotalRows: number[];
}

/** Per axis a heading, per orientation a heading, its actions and its subtotal; the axis's subtotal after. */
function writeAxes(writer: Annex3SheetWriter, data: Annex3Data, byAction: ReadonlyMap<number, Amounts>): WrittenBlock {
  const byOrientation = actionsByOrientation(data.actions);
  const total = new Amounts();
  const subtotalRows: number[] = [];
  const axes = [...data.axes].sort((a, b) => a.number - b.number);
  for (const axis of axes) {
    writer.mark('axis', String(axis.number));
    writer.headingRow(writer.row++, `Axe ${axis.number} – ${axis.title}`);
    const axisAmounts = new Amounts();
    const orientationSubtotalRows: number[] = [];
    const orientations = data.orientations.filter((orientation) => orientation.axisId === axis.id).sort((a, b) => compareCodes(a.code, b.code));
    for (const orientation of orientations) {
      writer.mark('orientation', orientation.code, 1);
      writer.headingRow(writer.row++, `Orientation ${orientation.code} – ${orientation.title}`);
      const orientationAmounts = new Amounts();
      const first = writer.row;
      for (const action of byOrientation.get(orientation.id) ?? []) {
        const amounts = byAction.get(action.id) ?? new Amounts();
        writer.mark('action', action.code, 2);
        writer.actionRow(action, amounts);
        orientationAmounts.addAll(amounts);
        writer.row++;
      }
      writer.mark('orientationSubtotal', orientation.code, 1);
      writer.subtotalRow(writer.row, `Sous-total orientation ${orientation.code}`, orientationAmounts, { first, last: writer.row - 1 });
      orientationSubtotalRows.push(writer.row++);
      axisAmounts.addAll(orientationAmounts);
    }
    writer.mark('axisSubtotal', String(axis.number));
    writer.subtotalRow(writer.row, `Sous-total axe ${axis.number}`, axisAmounts, orientationSubtotalRows);
    subtotalRows.push(writer.row++);
    total.addAll(axisAmounts);
  }
  return { amounts: total, subtotalRows };
}

/** Actions outside the contract's orientations: shown when they have lines, so that the totals hold. */
function writeUnclassifiedActions(writer: Annex3SheetWriter, data: Annex3Data, byAction: ReadonlyMap<number, Amounts>): WrittenBlock {
  const knownOrientations = new Set(data.orientations.map((orientation) => orientation.id));
  const unclassified = data.actions
    .filter((action) => action.orientationId === null || !knownOrientations.has(action.orientationId))
    .filter((action) => byAction.has(action.id))
    .sort((a, b) => compareCodes(a.code, b.code));
  const total = new Amounts();
  if (!unclassified.length) return { amounts: total, subtotalRows: [] };
  writer.mark('unclassified', '');
  writer.headingRow(writer.row++, 'Actions à classer (sans orientation du contrat)');
  const first = writer.row;
  for (const action of unclassified) {
    const amounts = byAction.get(action.id)!;
    writer.mark('action', action.code, 1);
    writer.actionRow(action, amounts);
    total.addAll(amounts);
    writer.row++;
  }
  writer.mark('unclassifiedSubtotal', '');
  writer.subtotalRow(writer.row, 'Sous-total actions à classer', total, { first, last: writer.row - 1 });
  return { amounts: total, subtotalRows: [writer.row++] };
}

/** Lines without an action, in funder column order then programme and beneficiary: their row, then their subtotal's. */
function writeEnvelopes(writer: Annex3SheetWriter, envelopes: ReadonlyMap<string, Envelope>, envelopeTotal: Amounts, funders: readonly Annex3Funder[], funderById: ReadonlyMap<number, Annex3Funder>): number | null {
  if (!envelopes.size) return null;
  writer.mark('envelopes', '');
  writer.headingRow(writer.row++, 'Enveloppes sans action (dotations reçues par un territoire, non rattachées à une action)');
  const first = writer.row;
  const sorted = [...envelopes.values()].sort(
    (a, b) =>
      funders.findIndex((f) => f.id === a.funderId) - funders.findIndex((f) => f.id === b.funderId) ||
      (a.programme ?? '').localeCompare(b.programme ?? '', 'fr') ||
      (a.beneficiary ?? '').localeCompare(b.beneficiary ?? '', 'fr'),
  );
  for (const envelope of sorted) {
    const funderName = funderById.get(envelope.funderId)!.name;
    const row = writer.row;
    writer.mark('envelope', `${envelope.programme ?? ''}|${envelope.beneficiary ?? ''}|${funderName}`, 1);
    writer.text(row, 0, envelope.programme ?? '');
    writer.text(row, 1, `Enveloppe ${envelope.programme ?? funderName}${envelope.beneficiary ? ` – ${envelope.beneficiary}` : ''}`);
    writer.text(row, 2, envelope.beneficiary);
    writer.amountsRow(row, envelope.amounts, true);
    writer.row++;
  }
  writer.mark('envelopesSubtotal', '');
  writer.subtotalRow(writer.row, 'Sous-total enveloppes sans action', envelopeTotal, { first, last: writer.row - 1 });
  return writer.row++;
}

function columnWidths(columns: Annex3Columns): Sheets.ColInfo[] {
  return [
    { wch: 12 },
    { wch: 50 },
    { wch: 28 },
    { wch: 12 },
    { wch: 16 },
    { wch: 8 },
    ...columns.funderColumns.map(({ name }) => ({ wch: Math.min(Math.max(name.length + 2, 16), 28) })),
    ...columns.yearColumns.map(() => ({ wch: 16 })),
    { wch: 18 },
  ];
}

/** The written rows as a worksheet: its range, merges, outline levels and column widths. */
function finishSheet(writer: Annex3SheetWriter, lastRow: number): Sheets.WorkSheet {
  const { sheet } = writer;
  sheet['!ref'] = xlsxLibrary().utils.encode_range({ s: { r: 0, c: 0 }, e: { r: lastRow, c: writer.columns.lastColumn } });
  sheet['!merges'] = writer.merges;
  sheet['!rows'] = writer.rowInfo;
  sheet['!cols'] = columnWidths(writer.columns);
  return sheet;
}

export function buildAnnex3Workbook(data: Annex3Data): Annex3Workbook {
  const { contract, stage } = data;
  const { byAction, envelopes, usedFunders, years } = amountsByRow(contract, data.amounts);
  const funderById = new Map(data.funders.map((funder) => [funder.id, funder]));
  const funders = orderedFunders(usedFunders, funderById);
  const columns = amountColumnsOf(funders, years);
  const writer = new Annex3SheetWriter(columns);

  const totals = annex3Totals(data.amounts, envelopes);
  const actionIds = new Set(data.actions.map((action) => action.id));
  const unknownActions = [...byAction.keys()].filter((id) => !actionIds.has(id));
  if (unknownActions.length) throw new Error(`annex 3: amounts for actions not in the action list: ${unknownActions.join(', ')}`);
  const title = titleLines(data, totals);
  writeTitleBlock(writer, title);
  const { groupRow, headerRow } = writeHeaderRows(writer, contract);

  const axes = writeAxes(writer, data, byAction);
  const unclassified = writeUnclassifiedActions(writer, data, byAction);
  const actionsTotal = new Amounts();
  actionsTotal.addAll(axes.amounts);
  if (unclassified.subtotalRows.length) actionsTotal.addAll(unclassified.amounts);
  writer.mark('actionsTotal', '');
  writer.subtotalRow(writer.row, 'Total des actions', actionsTotal, [...axes.subtotalRows, ...unclassified.subtotalRows]);
  const actionsTotalRow = writer.row++;

  // Lines without an action: a block of their own, then the grand total of everything counted.
  const envelopesSubtotalRow = writeEnvelopes(writer, envelopes, totals.envelopeTotal, funders, funderById);
  const all = new Amounts();
  all.addAll(actionsTotal);
  all.addAll(totals.envelopeTotal);
  if (all.total !== totals.grandTotal) throw new Error('annex 3: the rows do not add up to the lines (an amount for an unknown action?)');
  writer.mark('grandTotal', '');
  writer.subtotalRow(writer.row, 'TOTAL GÉNÉRAL', all, envelopesSubtotalRow === null ? [actionsTotalRow] : [actionsTotalRow, envelopesSubtotalRow]);
  const sheet = finishSheet(writer, writer.row);

  const workbook = xlsxLibrary().utils.book_new();
  xlsxLibrary().utils.book_append_sheet(workbook, sheet, ANNEX3_SHEET);
  // Printed on several pages, the header rows repeat on each (freeze panes cannot be written here).
  workbook.Workbook = {
    ...(workbook.Workbook ?? {}),
    Names: [{ Name: '_xlnm.Print_Titles', Sheet: 0, Ref: `'${ANNEX3_SHEET}'!$${groupRow + 1}:$${headerRow + 1}` }],
  };
  if (data.lines) xlsxLibrary().utils.book_append_sheet(workbook, linesSheet(data.lines), LINES_SHEET);
  workbook.Props = { Title: title[0], Subject: `${contract.name} (${contract.code})`, Author: 'Suivi CRTE', CreatedDate: data.generatedAt };

  const { funderColumns, yearColumns, totalColumn } = columns;
  return {
    workbook,
    fileName: annex3FileName(contract.code, stage),
    layout: { headerRow, funderColumns, yearColumns, totalColumn, rows: writer.layoutRows, grandTotalCents: totals.grandTotal, countedLines: totals.countedLines },
  };
}

const LINE_HEADERS = [
  'Action',
  'Intitulé de l’action',
  'Orientation',
  'Financeur',
  'Dispositif',
  'Bénéficiaire',
  'Année',
  'Étape',
  'Nature',
  'Montant (€)',
  'Fichier',
  'Lot n°',
  'Feuille',
  'Cellule',
  'Texte de la cellule',
];

function linesSheet(lines: Annex3Line[]): Sheets.WorkSheet {
  const rows = lines.map((line) => [
    line.actionCode ?? '(sans action)',
    line.actionTitle ?? '',
    line.orientationCode ?? '',
    line.funder,
    line.programme ?? '',
    line.beneficiary ?? '',
    line.year,
    FUNDING_STAGE_LABELS[line.stage] ?? line.stage,
    FUNDING_INSTRUMENT_LABELS[line.instrument] ?? line.instrument,
    euros(line.cents),
    line.fileName ?? '',
    line.batchId ?? '',
    line.sheet ?? '',
    line.cell ?? '',
    line.rawValue ?? '',
  ]);
  const sheet = xlsxLibrary().utils.aoa_to_sheet([LINE_HEADERS, ...rows]);
  for (let r = 1; r <= rows.length; r++) {
    const cell = sheet[xlsxLibrary().utils.encode_cell({ r, c: 9 })] as Sheets.CellObject | undefined;
    if (cell) cell.z = EURO_FORMAT;
  }
  sheet['!cols'] = [12, 40, 10, 28, 12, 28, 8, 16, 14, 16, 36, 8, 20, 9, 24].map((wch) => ({ wch }));
  sheet['!autofilter'] = { ref: xlsxLibrary().utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(rows.length, 1), c: LINE_HEADERS.length - 1 } }) };
  return sheet;
}

/** The workbook as an xlsx file. */
export function writeAnnex3(data: Annex3Data): { buffer: Buffer; fileName: string; layout: Annex3Layout } {
  const { workbook, fileName, layout } = buildAnnex3Workbook(data);
  const buffer = xlsxLibrary().write(workbook, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
  return { buffer, fileName, layout };
}
