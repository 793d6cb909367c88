import { CostBase, FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { columnsWithRole, columnWithRole } from '../detect';
import { mergedOriginAt } from '../detect/merges';
import { DetectedTable } from '../detect/detected-table.types';
import { DetectedColumn, FunderDescriptor } from '../detect/types';
import { appendAll, SheetGrid, WorkbookGrid } from '../common/model';
import { LaidOutTable, parseEachTable } from './each-table';
import { ParsedAction, ParseOutput, FunderRef, SourceRef, StatedTotal } from './parsed.types';
import { SheetReader } from './sheet-reader';
import { amountRangeMessage, fundersInOneCellMessage, isAmountRange, isOwnFunds, planCode, planFunderOf, planLevel, planOrientationCode } from './action-plan';
import { SheetYear } from './sheet-year';
import { AmountOptions, ParsedAmount } from './values/amount';
import { parseCostBase, parseCreditNature, parseInstrument, parseStage, parseStatus } from './values/vocabulary';
import { CreditNature } from '../../src/kernel/credit-nature.enum';

export interface ParseOptions {
  /** The year given with the upload, for files whose rows do not say it. */
  year?: number | null;
  /** Known from CSV detection: decides amounts such as "1,050". */
  decimalComma?: boolean;
}

/** Roles whose cells are amounts that become lines, with the stage they stand for. */
const STAGE_COLUMNS: Array<[DetectedColumn['role'], FundingStage]> = [
  ['amountPlanned', FundingStage.PLANNED],
  ['amountRequested', FundingStage.REQUESTED],
  ['amountGranted', FundingStage.GRANTED],
  ['amountPaid', FundingStage.PAID],
];

/** The funder of every by-year line: one object for all of them (nothing changes it). */
const SOURCE_FUNDER: FunderRef = { kind: 'source' };

const GENERIC_FUNDERS: Record<string, FunderRef> = {
  ETAT: { kind: 'generic', generic: 'STATE' },
  GENERIC_REGION: { kind: 'generic', generic: 'REGION' },
  GENERIC_DEPARTMENT: { kind: 'generic', generic: 'DEPARTMENT' },
  GENERIC_EPCI: { kind: 'generic', generic: 'EPCI' },
  GENERIC_COMMUNE: { kind: 'generic', generic: 'COMMUNE' },
  LEAD: { kind: 'lead' },
};

/**
 * Annex 3 — the partners' investment tables, in any of the layouts docs/design.md lists (by year, by funder,
 * pairs, long). Each sheet holding a table is read; each amount becomes a line with its cell.
 */
export function parseAnnex3(workbook: WorkbookGrid, options: ParseOptions = {}): ParseOutput {
  const output: ParseOutput = { layout: '', actions: [], lines: [], totals: [], issues: [] };
  const actionByCode = new Map<string, number>();
  const planCodes = new Map<string, number>();
  parseEachTable(workbook, 'annex3', output, "Aucun tableau d'investissements n'a été trouvé : la ligne d'en-têtes doit nommer au moins l'action (N° action ou intitulé) et des montants (par année, par financeur, ou financeur et montant).", {
    long: (sheet, table) => parseSheet(sheet, table, options, output, actionByCode),
    pairs: (sheet, table) => parseSheet(sheet, table, options, output, actionByCode),
    'by-year': (sheet, table) => parseSheet(sheet, table, options, output, actionByCode),
    'by-funder': (sheet, table) => parseSheet(sheet, table, options, output, actionByCode),
    // An example sheet of the template (« Exemple ») is set aside before, as any workbook's (each-table.ts).
    'action-plan': (sheet, table) => parseSheet(sheet, table, options, output, actionByCode, planCodes),
  }, () => output.lines.length === 0 && output.actions.length === 0);
  return output;
}

/** The columns named by their role, one each (a repeated one is set aside by detect). */
function namedColumns(table: DetectedTable) {
  const col = (role: DetectedColumn['role']) => columnWithRole(table, role);
  return {
    code: col('actionCode'),
    title: col('actionTitle'),
    orientation: col('orientation'),
    lead: col('lead'),
    totalCost: col('totalCost'),
    costBase: col('costBase'),
    status: col('status'),
    startDate: col('startDate'),
    endDate: col('endDate'),
    instrument: col('instrument'),
    creditNature: col('creditNature'),
    year: col('year'),
    funder: col('funder'),
    amount: col('amount'),
    stage: col('stage'),
  };
}

/** One annex 3 table being read: its columns, where its lines go, and what its stated totals need. */
interface Annex3Table {
  reader: SheetReader;
  table: DetectedTable;
  options: ParseOptions;
  output: ParseOutput;
  actionByCode: Map<string, number>;
  columns: ReturnType<typeof namedColumns>;
  yearColumns: DetectedColumn[];
  funderColumns: DetectedColumn[];
  pairFunders: DetectedColumn[];
  pairAmounts: DetectedColumn[];
  /** Action plans: the unnumbered amounts, each with its funder column's pair number. */
  planAmounts: DetectedColumn[];
  planLevels: { axis?: DetectedColumn; subSubAxis?: DetectedColumn };
  /** Action plans: the codes given to fiches without a number so far (a second same title gets -2). */
  planCodes: Map<string, number>;
  /** Action plans: YEAR_MISSING already said for this sheet. */
  yearMissingSaid?: boolean;
  stageColumns: Array<{ column: DetectedColumn; stage: FundingStage }>;
  amountOptions: (column: DetectedColumn, extra?: { allowLabel?: boolean }) => AmountOptions;
  /** Where each line came from, to check stated totals against the lines they cover (when the table has any). */
  hasTotals: boolean;
  lineRow: Map<number, number>;
  lineCol: Map<number, number>;
  /** The year of rows that do not say theirs: the sheet's name's, else the upload's (sheet-year.ts). */
  sheetYear: SheetYear;
}

/** One options object per column, not per cell: this runs for every amount of a 100 000-line file. */
function amountOptionsByColumn(options: ParseOptions): Annex3Table['amountOptions'] {
  const optionsByColumn = new Map<DetectedColumn, AmountOptions>();
  return (column, extra = {}) => {
    let cached = optionsByColumn.get(column);
    if (!cached) {
      cached = { multiplier: column.multiplier, decimalComma: options.decimalComma, ...extra };
      optionsByColumn.set(column, cached);
    }
    return cached;
  };
}

function annex3Table(sheet: SheetGrid, table: DetectedTable, options: ParseOptions, output: ParseOutput, actionByCode: Map<string, number>, planCodes: Map<string, number>): Annex3Table {
  return {
    reader: new SheetReader(sheet),
    table,
    options,
    output,
    actionByCode,
    columns: namedColumns(table),
    yearColumns: columnsWithRole(table, 'yearColumn'),
    funderColumns: columnsWithRole(table, 'funderColumn'),
    pairFunders: columnsWithRole(table, 'pairFunder'),
    pairAmounts: columnsWithRole(table, 'pairAmount'),
    planAmounts: columnsWithRole(table, 'planAmount'),
    planLevels: { axis: columnWithRole(table, 'axis'), subSubAxis: columnWithRole(table, 'subSubAxis') },
    planCodes,
    stageColumns: STAGE_COLUMNS.flatMap(([role, stage]) => columnsWithRole(table, role).map((column) => ({ column, stage }))),
    amountOptions: amountOptionsByColumn(options),
    hasTotals: table.totalColumns.length > 0 || table.totalRows.length > 0,
    lineRow: new Map<number, number>(),
    lineCol: new Map<number, number>(),
    sheetYear: new SheetYear(sheet.name, options.year),
  };
}

/**
 * One data row being read: its action, and what the row says for all its amounts (instrument, stage,
 * year). Lines are written as their amounts are read; the row's action is registered with its first
 * line (or at the end of the row when it names an action but holds no amount).
 */
class Annex3Row {
  readonly action: ParsedAction;
  readonly instrument: FundingInstrument | null;
  readonly stage: FundingStage | null;
  readonly creditNature: CreditNature | null;
  private actionIndex = -1;
  private rowYear: number | null | undefined;

  constructor(
    private readonly t: Annex3Table,
    readonly row: number,
  ) {
    this.action = readAction(t.reader, row, t.columns, t.options);
    this.instrument = t.reader.word(row, t.columns.instrument?.col, parseInstrument);
    this.stage = t.reader.word(row, t.columns.stage?.col, parseStage);
    // An unknown word is a warning: the amounts stand, their nature is left unsaid.
    this.creditNature = t.reader.word(row, t.columns.creditNature?.col, parseCreditNature, 'WARNING');
  }

  /** The row's year (its « Année » cell, else its sheet's name's, else the upload's), read once; YEAR_MISSING at the first amount needing it. */
  year(): number | null {
    if (this.rowYear !== undefined) return this.rowYear;
    const { reader, columns, sheetYear } = this.t;
    // A year cell of spaces only is as empty as none.
    if (columns.year && reader.text(this.row, columns.year.col) !== null) {
      this.rowYear = reader.year(this.row, columns.year.col);
      return this.rowYear;
    }
    this.rowYear = sheetYear.fallback();
    if (this.rowYear === null) {
      reader.issue(
        'ERROR',
        'YEAR_MISSING',
        `L'année de ces montants n'est indiquée ni dans une colonne « Année », ni dans le nom de la feuille${sheetYear.whyNoYear()}, ni au dépôt du fichier : ajoutez-la.`,
        this.row,
        columns.year?.col ?? columns.code?.col ?? 0,
      );
    }
    return this.rowYear;
  }

  /** The stage of an amount: its column's, else the row's, else planned. */
  stageIn(column: DetectedColumn): FundingStage {
    return stageOf(column) ?? this.stage ?? FundingStage.PLANNED;
  }

  /** `costBase`: the amount's own (its header's « € TTC »), else the action's. */
  add(col: number, amount: ParsedAmount, year: number | null, funder: FunderRef, programmeCode: string | null, stage: FundingStage, instrument: FundingInstrument | null, costBase?: CostBase): void {
    const { output, actionByCode } = this.t;
    if (this.actionIndex < 0) this.actionIndex = registerAction(this.action, output, actionByCode);
    if (year === null) return;
    const index = output.lines.length;
    output.lines.push({
      source: this.t.reader.amountSource(this.row, col, amount),
      actionIndex: this.actionIndex,
      funder,
      programmeCode,
      beneficiary: null,
      year,
      cents: amount.cents,
      approximate: amount.approximate,
      stage,
      instrument: instrumentOf(amount, instrument),
      costBase: costBase ?? this.action.costBase,
      creditNature: this.creditNature,
    });
    if (this.t.hasTotals) {
      this.t.lineRow.set(index, this.row);
      this.t.lineCol.set(index, col);
    }
  }

  /** A row that names an action but holds no amount still gives its action. */
  finish(): void {
    const hasAction = this.action.code !== null || this.action.title !== null;
    if (this.actionIndex < 0 && hasAction) registerAction(this.action, this.t.output, this.t.actionByCode);
  }
}

/** By year: one amount per year column, from the source itself. */
function readByYearRow(t: Annex3Table, line: Annex3Row): void {
  for (const column of t.yearColumns) {
    const amount = t.reader.amount(line.row, column.col, t.amountOptions(column));
    if (amount) line.add(column.col, amount, column.year!, SOURCE_FUNDER, null, line.stageIn(column), line.instrument);
  }
}

/** By funder: one amount per funder column, the funder said by the header (or, in an « autres » column, by the cell). */
function readByFunderRow(t: Annex3Table, line: Annex3Row): void {
  const { reader } = t;
  for (const column of t.funderColumns) {
    const descriptor = column.funder ?? {};
    const amount = reader.amount(line.row, column.col, t.amountOptions(column, { allowLabel: descriptor.other === true }));
    if (!amount) continue;
    const funder = funderOf(descriptor, column, amount, () => reader.source(t.table.headerRow, column.col));
    if (!funder) {
      reader.issue('ERROR', 'FUNDER_MISSING', `Le financeur de ce montant n'est pas indiqué : écrivez-le avant le montant, par exemple « DRAC : 1 500 000 ».`, line.row, column.col);
      continue;
    }
    line.add(column.col, amount, line.year(), funder, descriptor.programme ?? null, line.stageIn(column), descriptor.ownFunds ? FundingInstrument.OWN_FUNDS : line.instrument);
  }
}

/** Pairs: « Financeur n » beside « Montant n ». */
function readPairsRow(t: Annex3Table, line: Annex3Row): void {
  const { reader } = t;
  for (const amountColumn of t.pairAmounts) {
    const amount = reader.amount(line.row, amountColumn.col, t.amountOptions(amountColumn));
    if (!amount) continue;
    const funderColumn = t.pairFunders.find((column) => column.index === amountColumn.index);
    const funderText = funderColumn ? reader.text(line.row, funderColumn.col) : null;
    if (!funderText) {
      // At the funder's cell, the one to fill in.
      reader.issue('ERROR', 'FUNDER_MISSING', `Le montant de la colonne « ${amountColumn.header} » n'a pas de financeur dans la colonne voisine.`, line.row, funderColumn?.col ?? amountColumn.col);
      continue;
    }
    line.add(amountColumn.col, amount, line.year(), { kind: 'named', text: funderText, source: reader.source(line.row, funderColumn!.col) }, null, line.stageIn(amountColumn), line.instrument);
  }
}

/** Long: one funder per row (else the source), its amount in one column or one per stage. */
function readLongRow(t: Annex3Table, line: Annex3Row): void {
  const { reader, columns } = t;
  const funderText = columns.funder ? reader.text(line.row, columns.funder.col) : null;
  const funder: FunderRef = funderText ? { kind: 'named', text: funderText, source: reader.source(line.row, columns.funder!.col) } : { kind: 'source' };
  const amountColumns = t.stageColumns.length ? t.stageColumns : columns.amount ? [{ column: columns.amount, stage: null }] : [];
  for (const { column, stage } of amountColumns) {
    const amount = reader.amount(line.row, column.col, t.amountOptions(column));
    if (!amount) continue;
    line.add(column.col, amount, line.year(), funder, null, stage ?? line.stageIn(column), line.instrument);
  }
}

/**
 * Action plan (Territoires en Transitions): the fiche's place in the plan, then « Financeur n » beside its
 * unnumbered « Montant € HT » (or « € TTC »: each line keeps the base its header states, never converted).
 * See parse/action-plan.ts for the rules on several funders in one cell and on ranges.
 */
function readActionPlanRow(t: Annex3Table, line: Annex3Row): void {
  const { reader } = t;
  placeInPlan(t, line);
  // An amount column that follows no funder column: whose money it is cannot be told.
  const orphan = t.columns.amount;
  if (orphan && reader.cell(line.row, orphan.col) !== null) {
    reader.issue(
      'ERROR',
      'FUNDER_MISSING',
      `La colonne « ${orphan.header.trim()} » (${reader.address(t.table.headerRow, orphan.col)}) ne suit aucune colonne « Financeur » : on ne sait pas de quel financeur est ce montant. Placez chaque montant juste après son financeur.`,
      line.row,
      orphan.col,
    );
  }
  for (const amountColumn of t.planAmounts) {
    const cell = reader.cell(line.row, amountColumn.col);
    if (cell === null) continue;
    const written = cell.kind === 'string' ? reader.text(line.row, amountColumn.col) : null;
    if (written !== null && isAmountRange(written)) {
      reader.issue('ERROR', 'AMOUNT_INVALID', amountRangeMessage(written), line.row, amountColumn.col);
      continue;
    }
    const amount = reader.amount(line.row, amountColumn.col, t.amountOptions(amountColumn));
    if (!amount) continue;
    const funderColumn = t.pairFunders.find((column) => column.index === amountColumn.index)!;
    const funderText = reader.text(line.row, funderColumn.col);
    if (!funderText) {
      reader.issue('ERROR', 'FUNDER_MISSING', `Le montant de la colonne « ${amountColumn.header.trim()} » (${reader.address(line.row, amountColumn.col)}) n'a pas de financeur dans « ${funderColumn.header.trim()} ».`, line.row, funderColumn.col);
      continue;
    }
    const named = planFunderOf(funderText);
    if (named.kind === 'several') {
      reader.issue('ERROR', 'FUNDERS_IN_ONE_CELL', fundersInOneCellMessage(named.names, reader.address(line.row, amountColumn.col), amount.cents), line.row, funderColumn.col);
      continue;
    }
    // The template has no year column: the sheet's name (« 2024 », « Année 2025 ») or the upload gives it.
    if (!t.columns.year && !t.sheetYear.known) {
      yearMissingOnce(t, line.row, amountColumn.col);
      continue;
    }
    const costBase = amountColumn.costBase ? CostBase[amountColumn.costBase] : undefined;
    // « Autofinancement » is the fiche's lead's own money, not an organisation of that name.
    const ownFunds = isOwnFunds(funderText);
    // « Etat / DSIL »: the State, the line's programme the DSIL; « Fonds vert » alone: its operator.
    // Names only (« Caisse des Dépôts / Banque des Territoires »): one funder or two is the resolve stage's to say.
    const funder: FunderRef = ownFunds
      ? { kind: 'lead' }
      : named.kind === 'names'
        ? { kind: 'named', text: funderText, source: reader.source(line.row, funderColumn.col), oneOf: { names: named.names, listed: named.listed } }
        : named.name === null
          ? { kind: 'programme' }
          : { kind: 'named', text: named.programme ? named.name : funderText, source: reader.source(line.row, funderColumn.col) };
    line.add(amountColumn.col, amount, line.year(), funder, named.kind === 'names' ? null : named.programme, line.stageIn(amountColumn), ownFunds ? FundingInstrument.OWN_FUNDS : line.instrument, costBase);
  }
}

/**
 * The template has no year column: without the year given at upload, one error for the sheet (at its
 * first amount) rather than one per fiche — the same fix serves them all.
 */
function yearMissingOnce(t: Annex3Table, row: number, col: number): void {
  if (t.yearMissingSaid) return;
  t.yearMissingSaid = true;
  t.reader.issue(
    'ERROR',
    'YEAR_MISSING',
    `Le plan d'action ne dit pas l'année de ses financements (il n'a pas de colonne « Année », et le nom de la feuille « ${t.reader.sheet.name.trim()} » n'en donne pas une${t.sheetYear.whyNoYear()}) : ` +
      "indiquez-la au dépôt du fichier (champ « Année », ou --year), ou nommez la feuille par son année (« 2024 »). Aucun montant de la feuille n'est lu sans elle.",
    row,
    col,
  );
}

/** The fiche's axis, sub-axis and sub-sub-axis as written; the orientation from their numbers; a code when the fiche has none. */
function placeInPlan(t: Annex3Table, line: Annex3Row): void {
  const { reader } = t;
  // An axis merged down over its fiches is read at each of them, its source the merge's first cell.
  const level = (column: DetectedColumn | undefined) => {
    if (!column) return null;
    const origin = mergedOriginAt(reader.sheet, line.row, column.col);
    return planLevel(reader.text(origin.row, origin.col), reader.source(origin.row, origin.col));
  };
  const action = line.action;
  const plan = { axis: level(t.planLevels.axis), subAxis: level(t.columns.orientation), subSubAxis: level(t.planLevels.subSubAxis) };
  action.plan = plan;
  action.orientationCode = planOrientationCode(plan);
  if (action.code === null && action.title !== null) {
    const base = planCode(action.title);
    const seen = (t.planCodes.get(base) ?? 0) + 1;
    t.planCodes.set(base, seen);
    action.codeIfNew = seen === 1 ? base : `${base}-${seen}`;
  }
}

function parseSheet(sheet: SheetGrid, table: LaidOutTable<'annex3'>, options: ParseOptions, output: ParseOutput, actionByCode: Map<string, number>, planCodes = new Map<string, number>()): void {
  const t = annex3Table(sheet, table, options, output, actionByCode, planCodes);
  for (const row of table.dataRows) {
    const line = new Annex3Row(t, row);
    if (table.layout === 'by-year') readByYearRow(t, line);
    else if (table.layout === 'by-funder') readByFunderRow(t, line);
    else if (table.layout === 'pairs') readPairsRow(t, line);
    else if (table.layout === 'long') readLongRow(t, line);
    else if (table.layout === 'action-plan') readActionPlanRow(t, line);
    else {
      // Every annex 3 layout is read above: a new one does not compile until it is.
      const unread: never = table.layout;
      throw new Error(`annex 3 layout without a parser: ${String(unread)}`);
    }
    line.finish();
  }
  if (t.hasTotals) appendAll(output.totals, statedTotals(t.reader, table, t.lineRow, t.lineCol, options));
  appendAll(output.issues, t.reader.issues);
  appendAll(output.issues, t.sheetYear.issues());
}

function readAction(reader: SheetReader, row: number, columns: Record<string, DetectedColumn | undefined>, options: ParseOptions): ParsedAction {
  const cells: ParsedAction['cells'] = {};
  const text = (key: keyof ParsedAction['cells'], column: DetectedColumn | undefined): string | null => {
    const value = reader.text(row, column?.col);
    if (value !== null && column) cells[key] = reader.source(row, column.col);
    return value;
  };
  const code = text('code', columns.code);
  const title = text('title', columns.title);
  const orientationCode = text('orientation', columns.orientation);
  const leadText = text('lead', columns.lead);
  let totalCostCents: bigint | null = null;
  if (columns.totalCost && reader.cell(row, columns.totalCost.col)) {
    const cost = reader.amount(row, columns.totalCost.col, { multiplier: columns.totalCost.multiplier, decimalComma: options.decimalComma });
    if (cost) {
      totalCostCents = cost.cents;
      cells.totalCost = reader.source(row, columns.totalCost.col);
    }
  }
  const statusColumn = columns.status;
  const status = reader.word(row, statusColumn?.col, parseStatus);
  if (status && statusColumn) cells.status = reader.source(row, statusColumn.col);
  const costBase = reader.word(row, columns.costBase?.col, parseCostBase) ?? (columns.totalCost?.costBase as ParsedAction['costBase']) ?? null;
  const date = (key: 'startDate' | 'endDate', column: DetectedColumn | undefined): string | null => {
    const value = column && reader.cell(row, column.col) ? reader.date(row, column.col) : null;
    if (value !== null && column) cells[key] = reader.source(row, column.col);
    return value;
  };
  const startDate = date('startDate', columns.startDate);
  const endDate = date('endDate', columns.endDate);
  if (startDate !== null && endDate !== null && endDate < startDate) {
    // As createAction refuses it: the end at its cell.
    reader.issue('ERROR', 'DATE_INVALID', `La date de fin (${frenchDate(endDate)}) précède la date de début (${frenchDate(startDate)}) : vérifiez les deux dates.`, row, columns.endDate!.col);
  }
  return { sheet: reader.sheet.name, row, code, title, orientationCode, leadText, totalCostCents, costBase, status, startDate, endDate, cells };
}

/** 'YYYY-MM-DD' → 'JJ/MM/AAAA', as partners write dates. */
function frenchDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${day}/${month}/${year}`;
}

/** One action per code across the file; a row without code is an action of its own. */
function registerAction(action: ParsedAction, output: ParseOutput, actionByCode: Map<string, number>): number {
  const key = action.code?.trim().toUpperCase();
  if (key && actionByCode.has(key)) return actionByCode.get(key)!;
  output.actions.push(action);
  const index = output.actions.length - 1;
  if (key) actionByCode.set(key, index);
  return index;
}

/** Who gives a by-funder amount; a funder named by its column's header points at the header cell. */
function funderOf(descriptor: FunderDescriptor, column: DetectedColumn, amount: ParsedAmount, header: () => SourceRef): FunderRef | null {
  if (descriptor.other) return amount.label ? { kind: 'named', text: amount.label } : null;
  if (descriptor.funder) return GENERIC_FUNDERS[descriptor.funder] ?? { kind: 'named', text: descriptor.funder, source: header() };
  if (descriptor.programme) return { kind: 'programme' };
  return { kind: 'named', text: column.header.trim(), source: header() };
}

function stageOf(column: DetectedColumn): FundingStage | null {
  return column.stage ? FundingStage[column.stage] : null;
}

function instrumentOf(amount: ParsedAmount, rowInstrument: FundingInstrument | null): FundingInstrument {
  if (amount.instrument) return FundingInstrument[amount.instrument];
  // Without a "Nature" column or word, an annex 3 amount is a subsidy: the usual case, and documented.
  return rowInstrument ?? FundingInstrument.SUBSIDY;
}

/**
 * The file's own totals: a "Total" column against its row's lines, and subtotal / TOTAL rows against the
 * rows they close (a subtotal closes the rows since the previous one; a total with nothing since the
 * previous total, such as "TOTAL 2017 à 2021" under yearly totals, closes every row above).
 */
export function statedTotals(
  reader: SheetReader,
  table: DetectedTable,
  lineRow: Map<number, number>,
  lineCol: Map<number, number>,
  options: ParseOptions,
): StatedTotal[] {
  const totals: StatedTotal[] = [];
  const linesByRow = new Map<number, number[]>();
  for (const [index, row] of lineRow) {
    const list = linesByRow.get(row);
    if (list) list.push(index);
    else linesByRow.set(row, [index]);
  }
  const amountColumns = new Set([...lineCol.values()]);
  const totalColumn = (col: number) => table.columns.find((column) => column.col === col);

  for (const col of table.totalColumns) {
    for (const [row, indexes] of linesByRow) {
      const stated = statedAmount(reader, row, col, totalColumn(col), options);
      if (stated === null) continue;
      totals.push({ source: reader.source(row, col), kind: 'row-total', cents: stated, lineIndexes: indexes, label: `Total de la ligne ${row + 1}` });
    }
  }

  let previous: { subtotal: number; total: number } = { subtotal: table.headerRow, total: table.headerRow };
  for (const totalRow of table.totalRows) {
    const since = totalRow.kind === 'subtotal' ? Math.max(previous.subtotal, previous.total) : previous.total;
    let covered = table.dataRows.filter((row) => row > since && row < totalRow.row);
    if (covered.length === 0 && totalRow.kind === 'total') covered = table.dataRows.filter((row) => row < totalRow.row);
    const coveredLines = covered.flatMap((row) => linesByRow.get(row) ?? []);
    for (const col of [...amountColumns, ...table.totalColumns]) {
      const stated = statedAmount(reader, totalRow.row, col, totalColumn(col), options);
      if (stated === null) continue;
      const isRowTotal = table.totalColumns.includes(col);
      const lineIndexes = isRowTotal ? coveredLines : coveredLines.filter((index) => lineCol.get(index) === col);
      totals.push({ source: reader.source(totalRow.row, col), kind: totalRow.kind, cents: stated, lineIndexes, label: totalRow.label || 'Total' });
    }
    if (totalRow.kind === 'subtotal') previous = { ...previous, subtotal: totalRow.row };
    else previous = { subtotal: totalRow.row, total: totalRow.row };
  }
  return totals;
}

function statedAmount(reader: SheetReader, row: number, col: number, column: DetectedColumn | undefined, options: ParseOptions): bigint | null {
  if (!reader.cell(row, col)) return null;
  return reader.amount(row, col, { multiplier: column?.multiplier ?? 1, decimalComma: options.decimalComma })?.cents ?? null;
}
