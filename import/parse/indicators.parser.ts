import { normaliseText } from '../../src/kernel/normalise-text';
import { columnsWithRole, columnWithRole } from '../detect';
import { LayoutName } from '../detect/detected-table.types';
import { DetectedColumn } from '../detect/types';
import { appendAll, Cell, SheetGrid, WorkbookGrid } from '../common/model';
import { ParseOptions } from './annex3.parser';
import { LaidOutTable, parseEachTable } from './each-table';
import { fnv1a } from './grants.parser';
import { readPairValues, unitInName, ValuePair, valuePairs } from './indicators-pairs';
import { ParsedIndicator, ParseOutput } from './parsed.types';
import { SheetReader } from './sheet-reader';
import { formulaErrorMessage, isFormulaErrorText, quote } from './values/shared';

/**
 * Indicators (kind `indicators`): the CRTE team's own template, described in docs/templates/README.md
 * and in the header of import/detect/column-roles.data.ts, and tables of pairs « Valeur n » / « Année n »
 * (layout `indicators-pairs`: see indicators-pairs.ts). The template's two layouts:
 * - `indicators`: one row per indicator, its values in year columns ("2021", "Réalisé 2022" → ACTUAL;
 *   "Cible 2026", "Objectif 2026", "Prévu 2024" → TARGET);
 * - `indicators-long`: one row per indicator × year, with `Année`, `Valeur` and `Type (cible/réalisé)`
 *   (empty type: réalisé). Rows of one indicator are gathered into one ParsedIndicator.
 *
 * An indicator belongs to an action (`Code action`) or an orientation (`Orientation`): codes are kept as
 * written and resolved later, an unknown one is not an error here. It is identified by its `Code
 * indicateur` when given (unique in the contract), else by its owner and its name; a code is then made
 * up from them: `DA-01-SURFACE-RENOVEE` (cut to 40 characters with a hash when longer).
 *
 * Values are quantities, not money: exact decimals kept as canonical strings ("1234.5", "-3", "0.25"),
 * at most 4 decimals and 14 integer digits (the DECIMAL(18,4) columns), negative allowed (a decrease
 * of emissions). See parseQuantity.
 *
 * A baseline with its year ("Valeur de référence" 120, "Année de référence" 2020) is also the ACTUAL
 * value of that year. Definitions repeated on several rows must agree; a value given twice for one year
 * and stage must be the same (else DUPLICATE_LINE). `Source` and `Commentaire` columns are recognised but
 * not kept (ParsedIndicator has no field for them).
 */
export function parseIndicators(workbook: WorkbookGrid, options: ParseOptions = {}): ParseOutput {
  const output: ParseOutput = { layout: '', actions: [], lines: [], totals: [], issues: [], indicators: [] };
  const byKey = new Map<string, Entry>();
  parseEachTable(workbook, 'indicators', output, "Aucun tableau d'indicateurs n'a été trouvé : la ligne d'en-têtes doit nommer l'indicateur (« Indicateur » ou « Code indicateur ») et son action (« Code action ») ou son orientation. Voir le modèle docs/templates/modele-indicateurs.csv.", {
    'indicators-long': (sheet, table) => parseSheet(sheet, table, options, output, byKey),
    indicators: (sheet, table) => parseSheet(sheet, table, options, output, byKey),
    // « Valeur 1 » / « Année 1 » … pairs: indicators-pairs.ts.
    'indicators-pairs': (sheet, table) => parseSheet(sheet, table, options, output, byKey),
  });
  return output;
}

/** An indicator being gathered, with where each of its definitions was first read. */
interface Entry {
  indicator: ParsedIndicator;
  firstRow: string;
  /** `${year}:${stage}` → the value and its cell. */
  values: Map<string, { value: string; cell: string }>;
}

type IndicatorValue = ParsedIndicator['values'][number];
type ValueStage = IndicatorValue['stage'];

const MAX_CODE = 40;
const MAX_NAME = 255;
const MAX_UNIT = 40;

const TARGET_WORDS = new Set(['cible', 'cibles', 'objectif', 'objectifs', 'prevu', 'prevue', 'prevus', 'prevision', 'previsionnel', 'previsionnelle', 'vise', 'visee', 'target', 'c']);
const ACTUAL_WORDS = new Set(['realise', 'realisee', 'realises', 'reel', 'reelle', 'constate', 'constatee', 'mesure', 'mesuree', 'valeur', 'actual', 'atteint', 'atteinte', 'r']);

function indicatorColumns(table: LaidOutTable<'indicators'>) {
  const col = (role: DetectedColumn['role']) => columnWithRole(table, role);
  return {
    action: col('actionCode'),
    orientation: col('orientation'),
    code: col('indicatorCode'),
    name: col('indicatorName'),
    unit: col('unit'),
    baseline: col('baseline'),
    baselineYear: col('baselineYear'),
    target: col('target'),
    targetYear: col('targetYear'),
    year: col('year'),
    value: col('value'),
    stage: col('valueStage'),
  };
}

type IndicatorColumns = ReturnType<typeof indicatorColumns>;

/** One indicators table being read: its columns, and its year columns' stages (wide layout only). */
interface IndicatorsTable {
  reader: SheetReader;
  options: ParseOptions;
  columns: IndicatorColumns;
  long: boolean;
  yearColumns: Array<{ column: DetectedColumn; stage: ValueStage }>;
  /** Layout `indicators-pairs` only (else empty). */
  pairs: ValuePair[];
}

/** A quantity cell; null when empty or invalid (an error at the cell). */
function quantityAt(t: IndicatorsTable, row: number, column: DetectedColumn | undefined): string | null {
  const { reader } = t;
  if (!column || !reader.cell(row, column.col)) return null;
  const result = parseQuantity(reader.cell(row, column.col), { decimalComma: t.options.decimalComma });
  if (result.status === 'ok') return result.value;
  if (result.status === 'error') reader.issue('ERROR', result.code, result.message, row, column.col);
  return null;
}

function yearAt(t: IndicatorsTable, row: number, column: DetectedColumn | undefined): number | null {
  return column && t.reader.cell(row, column.col) ? t.reader.year(row, column.col, { min: 1990, max: 2100 }) : null;
}

/** What one row says of its indicator's definition. */
interface IndicatorRow {
  actionCode: string | null;
  orientationCode: string | null;
  code: string | null;
  name: string | null;
  unit: string | null;
  baseline: string | null;
  baselineYear: number | null;
  target: string | null;
  targetYear: number | null;
}

function readDefinition(t: IndicatorsTable, row: number): IndicatorRow {
  const { reader, columns } = t;
  return {
    actionCode: reader.text(row, columns.action?.col),
    orientationCode: reader.text(row, columns.orientation?.col),
    code: reader.text(row, columns.code?.col),
    name: reader.text(row, columns.name?.col),
    // A table of pairs states its units in the names: « Surface rénovée (m²) ».
    unit: reader.text(row, columns.unit?.col) ?? (t.pairs.length > 0 ? unitInName(reader.text(row, columns.name?.col)) : null),
    baseline: quantityAt(t, row, columns.baseline),
    baselineYear: yearAt(t, row, columns.baselineYear),
    target: quantityAt(t, row, columns.target),
    targetYear: yearAt(t, row, columns.targetYear),
  };
}

/** The row's values: one per filled year column (wide layout), or its `Valeur` with its year and type (long layout). */
function readValues(t: IndicatorsTable, row: number): Array<{ col: number; value: IndicatorValue }> {
  const { reader, columns, options } = t;
  const values: Array<{ col: number; value: IndicatorValue }> = [];
  for (const { column, stage } of t.yearColumns) {
    const value = quantityAt(t, row, column);
    if (value !== null) values.push({ col: column.col, value: { source: reader.source(row, column.col), year: column.year!, value, stage } });
  }
  if (t.pairs.length > 0) values.push(...readPairValues(reader, row, t.pairs, (column) => quantityAt(t, row, column)));
  if (t.long && columns.value) {
    const value = quantityAt(t, row, columns.value);
    if (value !== null) {
      const stage = valueStage(reader, row, columns.stage);
      let year = yearAt(t, row, columns.year);
      if (year === null && !(columns.year && reader.cell(row, columns.year.col))) {
        if (options.year) year = options.year;
        else reader.issue('ERROR', 'YEAR_MISSING', "L'année de cette valeur n'est pas indiquée : remplissez la colonne « Année ».", row, (columns.year ?? columns.value).col);
      }
      if (year !== null && stage !== null) values.push({ col: columns.value.col, value: { source: reader.source(row, columns.value.col), year, value, stage } });
    }
  }
  return values;
}

/** Whether the row names its indicator and what it belongs to, with texts that fit; else an error at the row (none for a row with nothing in it). */
function isUsableRow(t: IndicatorsTable, row: number, definition: IndicatorRow, hasValues: boolean): boolean {
  const { reader, columns } = t;
  const { actionCode, orientationCode, code, name, unit } = definition;
  if (code === null && name === null) {
    const hasData = hasValues || definition.baseline !== null || definition.target !== null || unit !== null;
    if (hasData) {
      reader.issue('ERROR', 'VALUE_INVALID', "Cette ligne n'indique pas de quel indicateur il s'agit : remplissez « Indicateur » ou « Code indicateur ».", row, (columns.name ?? columns.code)!.col);
    }
    return false;
  }
  if (actionCode === null && orientationCode === null) {
    reader.issue(
      'ERROR',
      'ACTION_CODE_MISSING',
      `L'indicateur « ${name ?? code} » n'est rattaché à rien : indiquez le code de son action (« Code action ») ou son orientation.`,
      row,
      (columns.action ?? columns.orientation)!.col,
    );
    return false;
  }
  return checkLength(reader, row, columns.code, code, MAX_CODE) && checkLength(reader, row, columns.name, name, MAX_NAME) && checkLength(reader, row, columns.unit, unit, MAX_UNIT);
}

/** A new indicator from its first row. */
function newEntry(t: IndicatorsTable, row: number, definition: IndicatorRow, owner: string): Entry {
  const { actionCode, orientationCode, code, name } = definition;
  const sourceColumn = (name !== null ? t.columns.name : t.columns.code)!;
  return {
    indicator: {
      source: t.reader.source(row, sourceColumn.col),
      actionCode,
      orientationCode: actionCode === null ? orientationCode : null,
      code: code ?? madeUpCode(owner, name!),
      name,
      unit: definition.unit,
      baseline: definition.baseline,
      target: definition.target,
      targetYear: definition.targetYear,
      values: [],
    },
    firstRow: `${t.reader.sheet.name}!${row + 1}`,
    values: new Map(),
  };
}

/** A later row of an indicator: what it leaves empty is kept, what it adds is taken, what it contradicts is an error at its cell. */
function mergeDefinition(t: IndicatorsTable, row: number, entry: Entry, definition: IndicatorRow): void {
  const { reader, columns } = t;
  const indicator = entry.indicator;
  const agree = <K extends 'actionCode' | 'name' | 'unit' | 'baseline' | 'target' | 'targetYear'>(field: K, value: ParsedIndicator[K], column: DetectedColumn | undefined, label: string) => {
    if (value === null || value === undefined) return;
    const current = indicator[field];
    if (current === null || current === undefined) {
      indicator[field] = value;
      return;
    }
    const same = typeof value === 'string' && typeof current === 'string' ? normaliseText(value) === normaliseText(current) : value === current;
    if (!same) {
      reader.issue(
        'ERROR',
        'VALUE_INVALID',
        `${label} de l'indicateur « ${indicator.name ?? indicator.code} » (${String(value)}) diffère de celle donnée plus haut (${String(current)}, ligne ${entry.firstRow}) : une seule valeur par indicateur.`,
        row,
        column!.col,
      );
    }
  };
  agree('actionCode', definition.actionCode, columns.action, 'Le code action');
  agree('name', definition.name, columns.name, "L'intitulé");
  agree('unit', definition.unit, columns.unit, "L'unité");
  agree('baseline', definition.baseline, columns.baseline, 'La valeur de référence');
  agree('target', definition.target, columns.target, 'La cible');
  agree('targetYear', definition.targetYear, columns.targetYear, "L'année cible");
}

function parseSheet(sheet: SheetGrid, table: LaidOutTable<'indicators'>, options: ParseOptions, output: ParseOutput, byKey: Map<string, Entry>): void {
  const long = ({ 'indicators-long': true, indicators: false, 'indicators-pairs': false } satisfies Record<LayoutName<'indicators'>, boolean>)[table.layout];
  const t: IndicatorsTable = {
    reader: new SheetReader(sheet),
    options,
    columns: indicatorColumns(table),
    long,
    yearColumns: long ? [] : columnsWithRole(table, 'yearColumn').map((column) => ({ column, stage: yearColumnStage(column) })),
    pairs: table.layout === 'indicators-pairs' ? valuePairs(table) : [],
  };
  const { reader, columns } = t;

  for (const row of table.dataRows) {
    const definition = readDefinition(t, row);
    const values = readValues(t, row);
    if (!isUsableRow(t, row, definition, values.length > 0)) continue;

    const { code, name, baseline, baselineYear } = definition;
    const owner = (definition.actionCode ?? definition.orientationCode)!;
    const key = code !== null ? `code:${code.toUpperCase()}` : `name:${normaliseText(owner)}|${normaliseText(name!)}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = newEntry(t, row, definition, owner);
      byKey.set(key, entry);
      output.indicators!.push(entry.indicator);
    } else {
      mergeDefinition(t, row, entry, definition);
    }

    if (baseline !== null && baselineYear !== null) {
      // The baseline is what was measured in its year.
      addValue(reader, entry, { source: reader.source(row, columns.baseline!.col), year: baselineYear, value: baseline, stage: 'ACTUAL' }, row, columns.baseline!.col, true);
    }
    for (const { col, value } of values) addValue(reader, entry, value, row, col, false);
  }
  appendAll(output.issues, reader.issues);
}

function addValue(
  reader: SheetReader,
  entry: Entry,
  value: IndicatorValue,
  row: number,
  col: number,
  fromBaseline: boolean,
): void {
  const key = `${value.year}:${value.stage}`;
  const previous = entry.values.get(key);
  if (!previous) {
    entry.values.set(key, { value: value.value, cell: value.source.cell });
    entry.indicator.values.push(value);
    return;
  }
  if (previous.value === value.value) return; // said twice, the same: nothing lost
  const what = value.stage === 'TARGET' ? 'La cible' : 'La valeur réalisée';
  reader.issue(
    'ERROR',
    'DUPLICATE_LINE',
    `${what} ${value.year} de l'indicateur « ${entry.indicator.name ?? entry.indicator.code} » est donnée deux fois avec des valeurs différentes (${previous.value} en ${previous.cell}, ${value.value} ici${fromBaseline ? ' comme valeur de référence' : ''}) : gardez-en une.`,
    row,
    col,
  );
}

function checkLength(reader: SheetReader, row: number, column: DetectedColumn | undefined, text: string | null, max: number): boolean {
  if (text === null || text.length <= max || !column) return true;
  reader.issue('ERROR', 'VALUE_INVALID', `Ce texte est trop long (${text.length} caractères, ${max} au plus) : raccourcissez-le.`, row, column.col);
  return false;
}

/** A year column's stage: TARGET when its header says so ("Cible 2026", "Prévu 2024"), else ACTUAL. */
function yearColumnStage(column: DetectedColumn): ValueStage {
  if (column.stage === 'PLANNED') return 'TARGET';
  for (const word of normaliseText(column.header).split(' ')) if (TARGET_WORDS.has(word) && word.length > 1) return 'TARGET';
  return 'ACTUAL';
}

/** The `Type (cible/réalisé)` cell: empty means réalisé. */
function valueStage(reader: SheetReader, row: number, column: DetectedColumn | undefined): ValueStage | null {
  const text = reader.text(row, column?.col);
  if (text === null) return 'ACTUAL';
  const words = normaliseText(text).split(' ').filter((w) => w.length > 0);
  const target = words.some((w) => TARGET_WORDS.has(w));
  const actual = words.some((w) => ACTUAL_WORDS.has(w));
  if (target !== actual) return target ? 'TARGET' : 'ACTUAL';
  reader.issue('ERROR', 'VALUE_INVALID', `« ${text} » n'est pas un type de valeur : écrivez « cible » ou « réalisé » (vide : réalisé).`, row, column!.col);
  return null;
}

/** `${owner}-${NAME}` in capitals, cut to 40 characters with a hash of the whole when longer. */
export function madeUpCode(owner: string, name: string): string {
  const slug = (text: string) => normaliseText(text).toUpperCase().replace(/ /g, '-');
  const full = `${owner.trim().replace(/\s+/g, '-').toUpperCase()}-${slug(name)}`;
  if (full.length <= MAX_CODE) return full;
  return `${full.slice(0, MAX_CODE - 9).replace(/-+$/, '')}-${fnv1a(full)}`;
}

// ---------------------------------------------------------------------------------------------------
// quantities
// ---------------------------------------------------------------------------------------------------

const QUANTITY_DECIMALS = 4;
const QUANTITY_INTEGER_DIGITS = 14;

export type QuantityResult = { status: 'empty' } | { status: 'ok'; value: string } | { status: 'error'; code: 'VALUE_INVALID' | 'FORMULA_ERROR'; message: string };

const EMPTY_QUANTITY = new Set(['', '-', '–', '—', '/', 'nc', 'n c', 'nd', 'n d', 'na', 'n a', 'neant', 'sans objet', 'so']);
const toPrecision15 = (value: number) => value.toPrecision(15);

/**
 * A quantity (an indicator's value, baseline or target) → an exact decimal string, canonical as the
 * DECIMAL(18,4) columns keep it: "1234.5", "-3", "0.25", "0".
 * - numbers are read at Excel's 15 significant digits (0.1 + 0.2 is 0.3); a cell formatted as a
 *   percentage shows 12,5 % for 0.125 and is read as 12.5 (the unit says %);
 * - text: an optional sign (+, -, −), digits grouped by spaces of any kind ("1 234,5"), one decimal mark,
 *   a trailing "%" allowed; both a comma and a dot: the last one is the decimal mark, the other groups
 *   thousands ("1.234,5", "1,234.5"); a mark repeated groups thousands ("1.234.567");
 * - a single comma or dot followed by exactly three digits after 1–3 digits ("1,234", "2.500") is read
 *   with `decimalComma` when known (CSV), else it is ambiguous: VALUE_INVALID, never guessed;
 * - empty, "-", "nc", "nd", "néant" → empty; more than 4 decimals, more than 14 integer digits, words
 *   ("12 km": the unit goes in the Unité column) → VALUE_INVALID; error values → FORMULA_ERROR.
 */
export function parseQuantity(input: Cell | string | number | null | undefined, options: { decimalComma?: boolean } = {}): QuantityResult {
  if (input === null || input === undefined) return { status: 'empty' };
  let cell: Cell;
  if (typeof input === 'string') cell = { kind: 'string', value: input };
  else if (typeof input === 'number') cell = { kind: 'number', value: input };
  else cell = input;
  if (cell.kind === 'error') return { status: 'error', code: 'FORMULA_ERROR', message: formulaErrorMessage(String(cell.value)) };
  if (cell.kind === 'boolean') return invalidQuantity(String(cell.value));
  if (cell.kind === 'number') {
    const value = cell.value as number;
    if (!Number.isFinite(value)) return invalidQuantity(String(value));
    const decimal = fromExponent(toPrecision15(value));
    const percent = cell.format !== undefined && cell.format.includes('%');
    return finish(percent ? shift(decimal, 2) : decimal, String(value));
  }
  const raw = String(cell.value);
  let text = raw.trim();
  if (isFormulaErrorText(text)) return { status: 'error', code: 'FORMULA_ERROR', message: formulaErrorMessage(text) };
  if (EMPTY_QUANTITY.has(normaliseText(text)) && !/\d/.test(text)) return { status: 'empty' };
  if (text.length > 60) return invalidQuantity(raw);
  if (text.endsWith('%')) text = text.slice(0, -1).trimEnd();
  let negative = false;
  const first = text.charAt(0);
  if (first === '-' || first === '−' || first === '–' || first === '+') {
    negative = first !== '+';
    text = text.slice(1).trimStart();
  }
  // Digits, spaces between groups, marks.
  const groups: string[] = [];
  const seps: string[] = [];
  let current = '';
  for (const c of text) {
    if (c >= '0' && c <= '9') {
      current += c;
      continue;
    }
    const sep = c === ',' || c === '.' ? c : c === ' ' || c === '\u00a0' || c === '\u202f' || c === '\u2009' || c === '\u2007' ? ' ' : null;
    if (sep === null || current === '') return invalidQuantity(raw);
    groups.push(current);
    seps.push(sep);
    current = '';
  }
  if (current === '') return invalidQuantity(raw);
  groups.push(current);

  const marks = seps.filter((s) => s !== ' ');
  const commas = marks.filter((s) => s === ',').length;
  const dots = marks.length - commas;
  let decimalMark: string | null = null;
  if (commas > 0 && dots > 0) {
    decimalMark = seps[seps.length - 1];
    if (decimalMark === ' ' || (decimalMark === ',' ? commas : dots) !== 1) return invalidQuantity(raw);
  } else if (commas === 1 || dots === 1) {
    decimalMark = commas === 1 ? ',' : '.';
  }
  // Split at the decimal mark; every group before it (after the first) must be a group of three.
  const at = decimalMark === null ? -1 : seps.lastIndexOf(decimalMark);
  const whole = at < 0 ? groups : groups.slice(0, at + 1);
  const fraction = at < 0 ? '' : groups.slice(at + 1).join('');
  if (at >= 0 && seps.slice(at + 1).length > 0) return invalidQuantity(raw); // "1,5 000"
  for (let i = 1; i < whole.length; i++) if (whole[i].length !== 3) return invalidQuantity(raw);
  if (whole.length > 1 && (whole[0].length > 3 || (whole[0].startsWith('0') && whole[0] !== '0'))) return invalidQuantity(raw);
  if (at >= 0 && whole.length === 1 && fraction.length === 3 && whole[0].length <= 3 && whole[0] !== '0') {
    // "1,234": 1.234 or 1234?
    const comma = decimalMark === ',';
    if (options.decimalComma === undefined) {
      return {
        status: 'error',
        code: 'VALUE_INVALID',
        message: `${quote(raw)} peut se lire ${whole[0]}${fraction} ou ${whole[0]},${fraction} : écrivez ${whole[0]}${fraction} sans séparateur, ou la décimale avec une virgule et sans zéro final.`,
      };
    }
    if (options.decimalComma !== comma) return finish({ negative, digits: whole[0] + fraction, scale: 0 }, raw);
  }
  return finish({ negative, digits: whole.join('') + fraction, scale: fraction.length }, raw);
}

interface Decimal {
  negative: boolean;
  /** All digits, without sign nor point. */
  digits: string;
  /** How many of them are decimals. */
  scale: number;
}

/** "1.23450000000000e+5" / "-0.300000000000000" → a Decimal. */
function fromExponent(text: string): Decimal {
  let negative = false;
  let s = text;
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1);
  }
  let exponent = 0;
  const e = s.indexOf('e');
  if (e >= 0) {
    exponent = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const point = s.indexOf('.');
  const digits = point < 0 ? s : s.slice(0, point) + s.slice(point + 1);
  const scale = point < 0 ? 0 : s.length - point - 1;
  return shift({ negative, digits, scale }, exponent);
}

/** Multiplies by 10^power, exactly. */
function shift(decimal: Decimal, power: number): Decimal {
  let { digits, scale } = decimal;
  scale -= power;
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  return { negative: decimal.negative, digits, scale };
}

function finish(decimal: Decimal, raw: string): QuantityResult {
  let { digits, scale } = decimal;
  // Trailing zeros of the decimals, then leading zeros of the whole part.
  while (scale > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale--;
  }
  if (digits.length < scale + 1) digits = '0'.repeat(scale + 1 - digits.length) + digits;
  let whole = digits.slice(0, digits.length - scale).replace(/^0+(?=\d)/, '');
  const fraction = digits.slice(digits.length - scale);
  if (scale > QUANTITY_DECIMALS) {
    return { status: 'error', code: 'VALUE_INVALID', message: `${quote(raw)} a plus de ${QUANTITY_DECIMALS} décimales : arrondissez-le.` };
  }
  if (whole.length > QUANTITY_INTEGER_DIGITS) {
    return { status: 'error', code: 'VALUE_INVALID', message: `${quote(raw)} est trop grand pour une valeur d'indicateur (${QUANTITY_INTEGER_DIGITS} chiffres avant la virgule au plus).` };
  }
  if (whole === '') whole = '0';
  const zero = whole === '0' && fraction === '';
  return { status: 'ok', value: `${decimal.negative && !zero ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}` };
}

function invalidQuantity(raw: string): QuantityResult {
  return {
    status: 'error',
    code: 'VALUE_INVALID',
    message: `${quote(raw)} n'est pas un nombre : écrivez la valeur seule (par exemple 1 234,5), l'unité dans la colonne « Unité ».`,
  };
}
