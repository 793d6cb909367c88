import { FundingInstrument } from '../../src/kernel/funding.enum';
import { formatEuros } from '../../src/kernel/format-euros';
import { columnsWithRole, columnWithRole } from '../detect';
import { DetectedTable } from '../detect/detected-table.types';
import { DetectedColumn } from '../detect/types';
import { appendAll, cellText, SheetGrid, WorkbookGrid } from '../common/model';
import { ParseOptions } from './annex3.parser';
import { LaidOutTable, parseEachTable } from './each-table';
import { ParsedMeasure, ParsedMeasureAmount, ParseOutput, StatedTotal } from './parsed.types';
import { SheetReader } from './sheet-reader';
import { parseAmount } from './values/amount';

/**
 * Annex 2 — the sous-préfecture's "Bilan des principales mesures et appels à projets du plan de relance":
 * volet heading rows ("I. Volet Compétitivité"), then `Mesure | Projet | Aide | Investissement`.
 *
 * Rows, in order (docs/design.md, the files partners send):
 * - a volet heading (found by detect: `table.sections`) opens a volet: "VI. Soutien aux collectivités
 *   locales" → voletNumber 'VI', voletTitle 'Soutien aux collectivités locales';
 * - a row whose only cell is a `Mesure` text starting with a lower-case letter continues the name of the
 *   measure above ("AAP Soutien à la vente de" + "matières premières");
 * - a row with an empty `Mesure` and anything else (an amount, a `Projet` text) belongs to the measure
 *   above: DSIL Classique's 2020 and 2021 lines, the eight amounts of IMT Douai;
 * - any other row with a `Mesure` text opens a new measure, even with no figure ("Plan 1 jeune 1
 *   solution");
 * - TOTAL / sous-total rows (found by detect) are not measures: they become StatedTotals.
 *
 * Amounts: every `Aide` and `Investissement` cell is read with `allowMultiple` (see values/amount.ts):
 * several amounts in one cell are kept as several amounts (AMOUNT_MULTIPLE warning), a loan and a
 * subsidy in one cell are told apart, prose without money gives no amount, counts are not money, and
 * an ambiguous or invalid cell is an error at that cell. The year of an amount is the year its row's
 * `Projet` cell states ("Dossiers 2021"), when it states exactly one; else null.
 *
 * Instrument (decided here): the instrument written beside the amount ("20 M€ en prêt" → LOAN, "5 M€ en
 * subv." → SUBSIDY) wins; otherwise an `Aide` amount is a SUBSIDY (what the plan's aid mostly is), and
 * an `Investissement` amount — the investment the measure supports, not money the State gives — is
 * OTHER.
 *
 * Nothing is lost: each measure keeps, per column header, the text of its cells as written (continuation
 * rows joined by a line break), and each amount keeps its cell and that cell's whole text
 * (`source.raw`).
 *
 * The output has no `lines` (annex 2 amounts are stored as relance amounts, not funding lines). Its
 * `totals` index into `measureAmounts(output)` — the measures' amounts flattened in measure order — not
 * into `lines`: the check stage must sum those for an annex 2.
 */
export function parseAnnex2(workbook: WorkbookGrid, options: ParseOptions = {}): ParseOutput {
  const output: ParseOutput = { layout: '', actions: [], lines: [], totals: [], issues: [], measures: [] };
  parseEachTable(workbook, 'annex2', output, "Aucun tableau des mesures du plan de relance n'a été trouvé : la ligne d'en-têtes doit nommer la mesure (« Mesure ») et au moins une colonne de montants (« Aide » ou « Investissement »).", { annex2: (sheet, table) => parseSheet(sheet, table, options, output) });
  return output;
}

/** The amounts of every measure, in measure order: what an annex 2 StatedTotal's `lineIndexes` point into. */
export function measureAmounts(output: Pick<ParseOutput, 'measures'>): ParsedMeasureAmount[] {
  const all: ParsedMeasureAmount[] = [];
  for (const measure of output.measures ?? []) for (const amount of measure.amounts) all.push(amount);
  return all;
}

/** "I. Volet Compétitivité" → ['I', 'Volet Compétitivité']; "Volet 3 : Cohésion" → ['3', 'Volet 3 : Cohésion']. */
export function splitVolet(label: string): { voletNumber: string; voletTitle: string } {
  const text = label.replace(/\s+/g, ' ').trim();
  const roman = ROMAN_VOLET.exec(text);
  if (roman) return { voletNumber: roman[1].toUpperCase(), voletTitle: roman[2].trim() };
  const numbered = NUMBERED_VOLET.exec(text);
  if (numbered) return { voletNumber: numbered[1].toUpperCase(), voletTitle: text };
  return { voletNumber: '', voletTitle: text };
}

const ROMAN_VOLET = /^([IVXLC]{1,8})\s*[.)\-–—:]\s*(.*)$/;
const NUMBERED_VOLET = /^(?:volet|partie|axe|titre|chapitre)\s+(\d{1,2}|[ivxlc]{1,8})\b/i;

/** The kinds of amount columns and the instrument of an amount that does not state one. */
const AMOUNT_ROLES: Array<{ role: DetectedColumn['role']; kind: ParsedMeasureAmount['kind']; instrument: FundingInstrument }> = [
  { role: 'aid', kind: 'AID', instrument: FundingInstrument.SUBSIDY },
  { role: 'investment', kind: 'INVESTMENT', instrument: FundingInstrument.OTHER },
];

interface AmountPlace {
  row: number;
  col: number;
}

function parseSheet(sheet: SheetGrid, table: LaidOutTable<'annex2'>, options: ParseOptions, output: ParseOutput): void {
  const reader = new SheetReader(sheet);
  const measures = output.measures!;
  const measureColumn = columnWithRole(table, 'measure')!;
  const projectColumn = columnWithRole(table, 'beneficiaries');
  const amountColumns = AMOUNT_ROLES.flatMap((spec) => columnsWithRole(table, spec.role).map((column) => ({ column, ...spec })));
  /** Columns whose text is kept verbatim: every column of the table, in column order. */
  const keptColumns = table.columns;
  const label = (column: DetectedColumn) => column.header.replace(/\s+/g, ' ').trim() || column.header;
  const places = new Map<ParsedMeasureAmount, AmountPlace>();

  const sections = [...table.sections].sort((a, b) => a.row - b.row);
  let sectionIndex = -1;
  let volet = { voletNumber: '', voletTitle: '' };
  /** The measure rows without a name continue; reset at each volet. */
  let current: ParsedMeasure | null = null;

  for (const row of table.dataRows) {
    while (sectionIndex + 1 < sections.length && sections[sectionIndex + 1].row < row) {
      sectionIndex++;
      volet = splitVolet(sections[sectionIndex].label);
      current = null;
    }
    const name = reader.text(row, measureColumn.col);
    const others = keptColumns.some((column) => column.col !== measureColumn.col && reader.cell(row, column.col) !== null && cellText(reader.cell(row, column.col)).trim() !== '');

    if (name !== null && !others && current && startsLowerCase(name)) {
      // "matières premières" under "AAP Soutien à la vente de".
      current.name = `${current.name} ${name}`;
      appendRaw(current, label(measureColumn), cellText(reader.cell(row, measureColumn.col)));
      continue;
    }
    if (name === null && !current) {
      reader.issue(
        'ERROR',
        'VALUE_INVALID',
        "Cette ligne n'a pas de mesure et aucune mesure ne la précède dans ce volet : indiquez la mesure dans la colonne « Mesure ».",
        row,
        measureColumn.col,
      );
      continue;
    }
    if (name !== null) {
      current = {
        voletNumber: volet.voletNumber,
        voletTitle: volet.voletTitle,
        name,
        beneficiaries: null,
        rawTexts: {},
        source: reader.source(row, measureColumn.col),
        amounts: [],
      };
      measures.push(current);
    }
    const measure = current!;
    for (const column of keptColumns) {
      if (column.col === measureColumn.col && name === null) continue;
      const raw = cellText(reader.cell(row, column.col));
      if (raw.trim() !== '') appendRaw(measure, label(column), raw);
    }
    const project = projectColumn ? reader.text(row, projectColumn.col) : null;
    if (project !== null) measure.beneficiaries = measure.beneficiaries === null ? project : `${measure.beneficiaries}\n${project}`;
    const year = project !== null ? yearStatedIn(project) : null;

    const rowHasAmountCell = readMeasureAmounts(reader, row, amountColumns, year, measure, places, options);
    if (project !== null && !rowHasAmountCell) reportMoneyInProject(reader, row, projectColumn!);
  }

  appendAll(output.totals, statedTotals(reader, table, measureAmounts(output), places, amountColumns.map((a) => a.column), options));
  appendAll(output.issues, reader.issues);
}

/** The amounts of a row's `Aide` and `Investissement` cells, added to its measure; whether any of those cells is filled. */
function readMeasureAmounts(
  reader: SheetReader,
  row: number,
  amountColumns: ReadonlyArray<{ column: DetectedColumn; kind: ParsedMeasureAmount['kind']; instrument: FundingInstrument }>,
  year: number | null,
  measure: ParsedMeasure,
  places: Map<ParsedMeasureAmount, AmountPlace>,
  options: ParseOptions,
): boolean {
  let rowHasAmountCell = false;
  for (const { column, kind, instrument } of amountColumns) {
    if (!reader.cell(row, column.col)) continue;
    rowHasAmountCell = true;
    const amounts = reader.amounts(row, column.col, { allowMultiple: true, multiplier: column.multiplier, decimalComma: options.decimalComma });
    for (const amount of amounts) {
      const parsed: ParsedMeasureAmount = {
        source: reader.source(row, column.col),
        kind,
        instrument: amount.instrument ? FundingInstrument[amount.instrument] : instrument,
        cents: amount.cents,
        year,
        approximate: amount.approximate,
      };
      measure.amounts.push(parsed);
      places.set(parsed, { row, col: column.col });
    }
  }
  return rowHasAmountCell;
}

/**
 * Money written in the `Projet` cell of a row whose amount cells are empty ("1 dossier pour 100 000 €"):
 * kept as text, not counted — which column it belongs to is the partner's call — and said so.
 */
function reportMoneyInProject(reader: SheetReader, row: number, column: DetectedColumn): void {
  const result = parseAmount(reader.cell(row, column.col), { allowMultiple: true });
  if (result.status !== 'ok' || result.amounts.length === 0) return;
  const found = result.amounts.map((amount) => formatEuros(amount.cents, { cents: 'unless-zero' })).join(' et ');
  reader.issue(
    'WARNING',
    'AMOUNT_NOT_MONEY',
    `Ce texte contient un montant (${found}) qui n'est pas compté, car il n'est pas dans une colonne de montants : s'il s'agit de l'aide ou de l'investissement, écrivez-le dans la colonne « Aide » ou « Investissement ».`,
    row,
    column.col,
  );
}

function appendRaw(measure: ParsedMeasure, key: string, raw: string): void {
  const previous = measure.rawTexts[key];
  measure.rawTexts[key] = previous === undefined ? raw : `${previous}\n${raw}`;
}

/** The first letter of the text is lower case ("de transition écologique)", "matières premières"). */
function startsLowerCase(text: string): boolean {
  for (const c of text) {
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (lower === upper) {
      if (c >= '0' && c <= '9') return false;
      continue; // punctuation, "(" or "«"
    }
    return c === lower;
  }
  return false;
}

/**
 * The year a text states, when it states exactly one: "Dossiers 2021" → 2021; "En 2021 situation à la
 * semaine 52" → 2021; "Dossiers 2020 et 2021", "3 entreprises" → null. A year is a run of four digits
 * within 1990–2100 that is not part of a larger number ("25 873", "16245", "2 021 000") nor of a date
 * ("01/07/2020"). A count of exactly 1990–2100 things written alone ("2000 entreprises") would be read
 * as a year: such counts do not occur in these tables' `Projet` cells.
 */
export function yearStatedIn(text: string): number | null {
  let found: number | null = null;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    if (j - i === 4 && !joined(text, i - 1, -1) && !joined(text, j, 1)) {
      const year = Number(text.slice(i, j));
      if (year >= 1990 && year <= 2100) {
        if (found !== null && found !== year) return null;
        found = year;
      }
    }
    i = j;
  }
  return found;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Whether the character at `at` ties the digits beside it to more digits (a separator, a date). */
function joined(text: string, at: number, step: 1 | -1): boolean {
  if (at < 0 || at >= text.length) return false;
  const c = text[at];
  if (c === '/' || c === '.' || c === ',') return true;
  // "25 873": a space followed by exactly three digits (or preceded by one to three digits).
  if (c === ' ' || c === '\u00a0' || c === '\u202f') {
    let k = at + step;
    let digits = 0;
    while (k >= 0 && k < text.length && isDigit(text.charCodeAt(k))) {
      digits++;
      k += step;
    }
    return step === 1 ? digits === 3 : digits >= 1 && digits <= 3;
  }
  return false;
}

/**
 * TOTAL and sous-total rows against the amounts they close: the amounts of the same column since the
 * previous total row or the start of the total's volet, whichever is later (Volet VI's TOTAL covers
 * Volet VI only). A total with nothing since then, or one labelled "général", covers every amount above
 * it in its column.
 */
function statedTotals(
  reader: SheetReader,
  table: DetectedTable,
  amounts: ParsedMeasureAmount[],
  places: Map<ParsedMeasureAmount, AmountPlace>,
  columns: DetectedColumn[],
  options: ParseOptions,
): StatedTotal[] {
  const totals: StatedTotal[] = [];
  const indexed = amounts.map((amount, index) => ({ index, place: places.get(amount) })).filter((entry) => entry.place !== undefined) as Array<{
    index: number;
    place: AmountPlace;
  }>;
  let previousTotal = table.headerRow;
  for (const totalRow of table.totalRows) {
    const sectionStart = table.sections.reduce((start, section) => (section.row < totalRow.row && section.row > start ? section.row : start), table.headerRow);
    const since = Math.max(previousTotal, sectionStart);
    const general = /g[eé]n[eé]ral/i.test(totalRow.label);
    for (const column of columns) {
      if (!reader.cell(totalRow.row, column.col)) continue;
      const stated = reader.amount(totalRow.row, column.col, { multiplier: column.multiplier, decimalComma: options.decimalComma });
      if (!stated) continue;
      const inColumn = indexed.filter((entry) => entry.place.col === column.col && entry.place.row < totalRow.row);
      let covered = general ? inColumn : inColumn.filter((entry) => entry.place.row > since);
      if (covered.length === 0) covered = inColumn;
      totals.push({
        source: reader.source(totalRow.row, column.col),
        kind: totalRow.kind,
        cents: stated.cents,
        lineIndexes: covered.map((entry) => entry.index),
        label: totalRow.label || 'Total',
      });
    }
    previousTotal = totalRow.row;
  }
  return totals;
}
