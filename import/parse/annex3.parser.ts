import { FundingInstrument, FundingStage } from '../../src/funding/funding.enums';
import { columnsWithRole, columnWithRole } from '../detect';
import { DetectedColumn, DetectedTable, FunderDescriptor } from '../detect/types';
import { appendAll, SheetGrid, WorkbookGrid } from '../model';
import { LaidOutTable, parseEachTable } from './each-table';
import { ParsedAction, ParsedLine, ParseOutput, FunderRef, SourceRef, StatedTotal } from './parsed.types';
import { SheetReader } from './sheet-reader';
import { AmountOptions, ParsedAmount } from './values/amount';
import { parseCostBase, parseInstrument, parseStage, parseStatus } from './values/vocabulary';

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
 * Annex 3 — the partners' investment tables, in any of the layouts DESIGN.md lists (by year, by funder,
 * pairs, long). Each sheet holding a table is read; each amount becomes a line with its cell.
 */
export function parseAnnex3(workbook: WorkbookGrid, options: ParseOptions = {}): ParseOutput {
  const output: ParseOutput = { layout: '', actions: [], lines: [], totals: [], issues: [] };
  const actionByCode = new Map<string, number>();
  parseEachTable(workbook, 'annex3', output, "Aucun tableau d'investissements n'a été trouvé : la ligne d'en-têtes doit nommer au moins l'action (N° action ou intitulé) et des montants (par année, par financeur, ou financeur et montant).", {
    long: (sheet, table) => parseSheet(sheet, table, options, output, actionByCode),
    pairs: (sheet, table) => parseSheet(sheet, table, options, output, actionByCode),
    'by-year': (sheet, table) => parseSheet(sheet, table, options, output, actionByCode),
    'by-funder': (sheet, table) => parseSheet(sheet, table, options, output, actionByCode),
  });
  return output;
}

function parseSheet(sheet: SheetGrid, table: LaidOutTable<'annex3'>, options: ParseOptions, output: ParseOutput, actionByCode: Map<string, number>): void {
  const reader = new SheetReader(sheet);
  // One options object per column, not per cell: this runs for every amount of a 100 000-line file.
  const optionsByColumn = new Map<DetectedColumn, AmountOptions>();
  const amountOptions = (column: DetectedColumn, extra: { allowLabel?: boolean } = {}): AmountOptions => {
    let cached = optionsByColumn.get(column);
    if (!cached) {
      cached = { multiplier: column.multiplier, decimalComma: options.decimalComma, ...extra };
      optionsByColumn.set(column, cached);
    }
    return cached;
  };
  const col = (role: DetectedColumn['role']) => columnWithRole(table, role);
  const columns = {
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
    year: col('year'),
    funder: col('funder'),
    amount: col('amount'),
    stage: col('stage'),
  };
  const yearColumns = columnsWithRole(table, 'yearColumn');
  const funderColumns = columnsWithRole(table, 'funderColumn');
  const pairFunders = columnsWithRole(table, 'pairFunder');
  const pairAmounts = columnsWithRole(table, 'pairAmount');
  const stageColumns = STAGE_COLUMNS.flatMap(([role, stage]) => columnsWithRole(table, role).map((column) => ({ column, stage })));

  /** Where each line came from, to check stated totals against the lines they cover (when the table has any). */
  const hasTotals = table.totalColumns.length > 0 || table.totalRows.length > 0;
  const lineRow = new Map<number, number>();
  const lineCol = new Map<number, number>();

  for (const row of table.dataRows) {
    const action = readAction(reader, row, columns, options);
    const hasAction = action.code !== null || action.title !== null;
    const rowInstrument = reader.word(row, columns.instrument?.col, parseInstrument);
    const rowCostBase = action.costBase;
    let rowYear: number | null | undefined;
    const yearOfRow = (): number | null => {
      if (rowYear !== undefined) return rowYear;
      if (columns.year && reader.cell(row, columns.year.col)) rowYear = reader.year(row, columns.year.col);
      else if (options.year) rowYear = options.year;
      else {
        rowYear = null;
        reader.issue(
          'ERROR',
          'YEAR_MISSING',
          "L'année de ces montants n'est indiquée ni dans une colonne « Année » ni au dépôt du fichier : ajoutez-la.",
          row,
          columns.year?.col ?? columns.code?.col ?? 0,
        );
      }
      return rowYear;
    };

    // Lines are written as their amounts are read; the row's action is registered with its first line
    // (or at the end of the row when it names an action but holds no amount).
    let actionIndex = -1;
    const add = (col: number, amount: ParsedAmount, year: number | null, funder: FunderRef, programmeCode: string | null, stage: FundingStage, instrument: FundingInstrument | null): void => {
      if (actionIndex < 0) actionIndex = registerAction(action, output, actionByCode);
      if (year === null) return;
      const index = output.lines.length;
      output.lines.push({
        source: reader.amountSource(row, col, amount),
        actionIndex,
        funder,
        programmeCode,
        beneficiary: null,
        year,
        cents: amount.cents,
        approximate: amount.approximate,
        stage,
        instrument: instrumentOf(amount, instrument),
        costBase: rowCostBase,
      });
      if (hasTotals) {
        lineRow.set(index, row);
        lineCol.set(index, col);
      }
    };
    const rowStage = reader.word(row, columns.stage?.col, parseStage);

    if (table.layout === 'by-year') {
      for (const column of yearColumns) {
        const amount = reader.amount(row, column.col, amountOptions(column));
        if (amount) add(column.col, amount, column.year!, SOURCE_FUNDER, null, stageOf(column) ?? rowStage ?? FundingStage.PLANNED, rowInstrument);
      }
    } else if (table.layout === 'by-funder') {
      for (const column of funderColumns) {
        const descriptor = column.funder ?? {};
        const amount = reader.amount(row, column.col, amountOptions(column, { allowLabel: descriptor.other === true }));
        if (!amount) continue;
        const funder = funderOf(descriptor, column, amount, () => reader.source(table.headerRow, column.col));
        if (!funder) {
          reader.issue('ERROR', 'FUNDER_MISSING', `Le financeur de ce montant n'est pas indiqué : écrivez-le avant le montant, par exemple « DRAC : 1 500 000 ».`, row, column.col);
          continue;
        }
        add(column.col, amount, yearOfRow(), funder, descriptor.programme ?? null, stageOf(column) ?? rowStage ?? FundingStage.PLANNED, descriptor.ownFunds ? FundingInstrument.OWN_FUNDS : rowInstrument);
      }
    } else if (table.layout === 'pairs') {
      for (const amountColumn of pairAmounts) {
        const amount = reader.amount(row, amountColumn.col, amountOptions(amountColumn));
        if (!amount) continue;
        const funderColumn = pairFunders.find((column) => column.index === amountColumn.index);
        const funderText = funderColumn ? reader.text(row, funderColumn.col) : null;
        if (!funderText) {
          // At the funder's cell, the one to fill in.
          reader.issue('ERROR', 'FUNDER_MISSING', `Le montant de la colonne « ${amountColumn.header} » n'a pas de financeur dans la colonne voisine.`, row, funderColumn?.col ?? amountColumn.col);
          continue;
        }
        add(amountColumn.col, amount, yearOfRow(), { kind: 'named', text: funderText, source: reader.source(row, funderColumn!.col) }, null, stageOf(amountColumn) ?? rowStage ?? FundingStage.PLANNED, rowInstrument);
      }
    } else if (table.layout === 'long') {
      const funderText = columns.funder ? reader.text(row, columns.funder.col) : null;
      const funder: FunderRef = funderText ? { kind: 'named', text: funderText, source: reader.source(row, columns.funder!.col) } : { kind: 'source' };
      const amountColumns = stageColumns.length ? stageColumns : columns.amount ? [{ column: columns.amount, stage: null }] : [];
      for (const { column, stage } of amountColumns) {
        const amount = reader.amount(row, column.col, amountOptions(column));
        if (!amount) continue;
        add(column.col, amount, yearOfRow(), funder, null, stage ?? stageOf(column) ?? rowStage ?? FundingStage.PLANNED, rowInstrument);
      }
    } else {
      // Every annex 3 layout is read above: a new one does not compile until it is.
      const unread: never = table.layout;
      throw new Error(`annex 3 layout without a parser: ${String(unread)}`);
    }

    if (actionIndex < 0 && hasAction) registerAction(action, output, actionByCode);
  }

  if (hasTotals) appendAll(output.totals, statedTotals(reader, table, lineRow, lineCol, options));
  appendAll(output.issues, reader.issues);
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
