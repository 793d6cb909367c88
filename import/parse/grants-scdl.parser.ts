import { normaliseText } from '../../src/kernel/normalise-text';
import { FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { columnWithRole } from '../detect';
import { DetectedColumn } from '../detect/types';
import { appendAll, Cell, SheetGrid } from '../common/model';
import { ParseOptions } from './annex3.parser';
import { LaidOutTable } from './each-table';
import { FunderRef, ParsedAction, ParseOutput } from './parsed.types';
import { SheetReader } from './sheet-reader';
import { excelSerialToIso, frenchDate } from './values/date';

/** What the SCDL reading needs of the grants options: the SIRENs of the contract's communes and EPCIs. */
export interface ScdlParseOptions extends ParseOptions {
  perimeter: { sirens: ReadonlySet<string> };
}

/** Excel serials of 01/01/1990 and 31/12/2100: a five-digit text in that range in a date column is a serial. */
const SERIAL_MIN = 32874;
const SERIAL_MAX = 73415;
/** An action's title column (action.entity.ts). */
const MAX_TITLE = 500;

/**
 * The open-data grants format (SCDL « subventions », décret 2017-779: ADEME, Régions, Départements publish
 * every grant over 23 000 €), layout `scdl` of the kind `grants`. Columns: see
 * import/detect/column-roles.open-data.data.ts.
 *
 * - Perimeter: a row is read when its beneficiary's SIREN (the first nine digits of `idBeneficiaire`, a
 *   SIRET written with or without spaces, as text or as a number) is one of the contract's communes or
 *   EPCIs; every other row (another territory, a SIRET that cannot be read, an association's RNA number)
 *   is counted in `outsidePerimeter`, as for the DGCL lists.
 * - Funder: the attributing body, `nomAttribuant` with the SIREN of `idAttribuant`: resolve finds it by
 *   that SIREN first, else by name; an unknown name is an organisation to create (ORGANISATION_UNKNOWN);
 *   neither a name nor a known SIREN is FUNDER_MISSING.
 * - Year: the year of `dateConvention` (ISO `2023-05-12`, `12/05/2023`, a date cell, an Excel serial, or a
 *   serial exported as text `45058`); empty → the year given at upload, else YEAR_MISSING at the cell.
 * - Amount: `montant`, exact. The format writes a decimal point, hand-made copies a decimal comma: the
 *   decimal mark is read from the cell alone, never from the file's habit (a `;` CSV is taken for decimal
 *   commas), so `23000.5` and `23 000,50` are both 23 000,50 €, and a single mark followed by exactly
 *   three digits after at most three (`1.234`, `123,456`) is AMOUNT_AMBIGUOUS. More than two decimals are
 *   rounded to the cent with AMOUNT_ROUNDED (values/amount.ts).
 * - A row that repeats an earlier one cell for cell is DUPLICATE_LINE, left out (see isRepeat).
 * - Each row inside is an action to classify (as a DGCL row): title `objet`, lead the beneficiary's
 *   SIREN, description the decision's reference and the agreement's date (and the whole object when it is
 *   longer than the 500 characters of a title, which then ends with « … »), code
 *   `SUBV-${year}-${siren}-${hash}` (hash: FNV-1a of the attributing body and the title folded, so that
 *   the same file imported twice gives the same codes; `-2`, `-3`… for a repeat in one file); and one
 *   GRANTED SUBSIDY line, funder the attributing body, beneficiary the SIREN (with `nomBeneficiaire`).
 */
export function parseScdlSheet(sheet: SheetGrid, table: LaidOutTable<'grants'>, options: ScdlParseOptions, output: ParseOutput, codes: Map<string, number>): void {
  const reader = new SheetReader(sheet);
  const col = (role: DetectedColumn['role']) => columnWithRole(table, role);
  const beneficiaryId = col('sirenCode');
  const amount = col('amount');
  // Detection has said COLUMN_MISSING: without them no row says anything.
  if (!beneficiaryId || !amount) return;
  const columns: ScdlColumns = {
    grantor: col('grantor'),
    grantorId: col('grantorId'),
    date: col('agreementDate'),
    decision: col('decisionReference'),
    beneficiary: col('beneficiary'),
    beneficiaryId,
    title: col('actionTitle'),
    amount,
  };
  if (!columns.date && !options.year) {
    reader.issue(
      'ERROR',
      'YEAR_MISSING',
      "L'année des subventions n'est indiquée ni par une colonne « dateConvention » ni au dépôt du fichier : ajoutez-la.",
      table.headerRow,
      columns.amount.col,
    );
  }
  const seen = new Map<string, string>();
  for (const row of table.dataRows) {
    const siren = sirenOf(reader.cell(row, columns.beneficiaryId.col));
    if (siren === null || !options.perimeter.sirens.has(siren)) {
      output.outsidePerimeter = (output.outsidePerimeter ?? 0) + 1;
      continue;
    }
    if (isRepeat(reader, row, siren, columns, seen)) continue;
    readRow(reader, row, siren, columns, options, output, codes);
  }
  appendAll(output.issues, reader.issues);
}

interface ScdlColumns {
  grantor: DetectedColumn | undefined;
  grantorId: DetectedColumn | undefined;
  date: DetectedColumn | undefined;
  decision: DetectedColumn | undefined;
  beneficiary: DetectedColumn | undefined;
  beneficiaryId: DetectedColumn;
  title: DetectedColumn | undefined;
  amount: DetectedColumn;
}

function readRow(reader: SheetReader, row: number, siren: string, columns: ScdlColumns, options: ScdlParseOptions, output: ParseOutput, codes: Map<string, number>): void {
  const date = agreementDate(reader, row, columns.date);
  let year = date !== null ? Number(date.slice(0, 4)) : null;
  if (year === null && !(columns.date && reader.cell(row, columns.date.col))) {
    if (options.year) year = options.year;
    else if (columns.date) reader.issue('ERROR', 'YEAR_MISSING', "La date de la convention n'est pas indiquée : l'année de cette subvention est inconnue. Remplissez « dateConvention » ou indiquez l'année au dépôt.", row, columns.date.col);
  }
  const funder = grantor(reader, row, columns);
  const objet = reader.text(row, columns.title?.col);
  // Published objects may be long: the title holds 500 characters, the description the whole text.
  const title = objet !== null && objet.length > MAX_TITLE ? `${objet.slice(0, MAX_TITLE - 1).trimEnd()}…` : objet;
  const decision = reader.text(row, columns.decision?.col);

  const cells: ParsedAction['cells'] = { lead: reader.source(row, columns.beneficiaryId.col) };
  if (title !== null) cells.title = reader.source(row, columns.title!.col);
  cells.code = cells.title ?? reader.source(row, columns.amount.col);
  const grantorKey = funder?.siren ?? (funder ? normaliseText(funder.text) : '');
  const baseCode = `SUBV-${year ?? '0000'}-${siren}-${fnv1a(`${grantorKey} ${normaliseText(title ?? '')}`)}`;
  const seen = (codes.get(baseCode) ?? 0) + 1;
  codes.set(baseCode, seen);
  const reference = [decision !== null ? `Décision ${decision}` : null, date !== null ? `convention du ${frenchDate(date)}` : null].filter((part) => part !== null).join(', ');
  const description = title !== objet ? [objet, reference].filter((part) => part).join('\n\n') : reference;
  const actionIndex = output.actions.length;
  output.actions.push({
    sheet: reader.sheet.name,
    row,
    code: seen === 1 ? baseCode : `${baseCode}-${seen}`,
    title,
    orientationCode: null,
    leadText: siren,
    totalCostCents: null,
    costBase: null,
    status: null,
    startDate: null,
    endDate: null,
    description: description || null,
    cells,
  });

  const amountCell = reader.cell(row, columns.amount.col);
  // The decimal mark from the cell alone (see above): undefined lets the amount rules refuse `1.234`.
  const amount = amountCell ? reader.amount(row, columns.amount.col, { multiplier: columns.amount.multiplier }) : null;
  if (!amountCell) reader.issue('ERROR', 'AMOUNT_INVALID', "Le montant de cette subvention n'est pas indiqué.", row, columns.amount.col);
  if (!amount || year === null || funder === null) return;
  const beneficiaryName = reader.text(row, columns.beneficiary?.col);
  output.lines.push({
    source: reader.amountSource(row, columns.amount.col, amount),
    actionIndex,
    funder,
    programmeCode: null,
    beneficiary: beneficiaryName !== null ? { siren, text: beneficiaryName } : { siren },
    year,
    cents: amount.cents,
    approximate: amount.approximate,
    stage: FundingStage.GRANTED,
    instrument: FundingInstrument.SUBSIDY,
    costBase: null,
  });
}

/**
 * A row that repeats an earlier one of the sheet cell for cell (attributing body, beneficiary, date,
 * decision, object, amount) is one grant written twice: counting it twice would be a silently wrong euro,
 * so it is DUPLICATE_LINE at its amount and left out.
 */
function isRepeat(reader: SheetReader, row: number, siren: string, columns: ScdlColumns, seen: Map<string, string>): boolean {
  const text = (column: DetectedColumn | undefined) => (column ? normaliseText(reader.text(row, column.col) ?? '') : '');
  const key = [text(columns.grantor), text(columns.grantorId).replace(/ /g, ''), siren, text(columns.date), text(columns.decision), text(columns.title), text(columns.amount)].join('|');
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, reader.address(row, columns.amount.col));
    return false;
  }
  reader.issue('ERROR', 'DUPLICATE_LINE', `Cette subvention répète celle de la ligne de ${first} (même attribuant, bénéficiaire, date, décision, objet et montant) : elle n'est comptée qu'une fois. Supprimez la ligne en double, ou distinguez-la (référence de la décision).`, row, columns.amount.col);
  return true;
}

/** The attributing body: its name and SIREN as the row gives them; null (and FUNDER_MISSING) when neither. */
function grantor(reader: SheetReader, row: number, columns: ScdlColumns): Extract<FunderRef, { kind: 'named' }> | null {
  const name = reader.text(row, columns.grantor?.col);
  const siren = columns.grantorId ? sirenOf(reader.cell(row, columns.grantorId.col)) : null;
  if (name === null && siren === null) {
    const at = (columns.grantor ?? columns.grantorId)!;
    reader.issue('ERROR', 'FUNDER_MISSING', "L'attribuant de cette subvention n'est pas indiqué : remplissez « nomAttribuant » (ou son SIRET dans « idAttribuant »).", row, at.col);
    return null;
  }
  const funder: Extract<FunderRef, { kind: 'named' }> = { kind: 'named', text: name ?? '', source: reader.source(row, (name !== null ? columns.grantor : columns.grantorId)!.col) };
  if (siren !== null) funder.siren = siren;
  return funder;
}

/** The agreement's date as ISO; a five-digit text in the range of recent Excel serials is one (a CSV export of a date cell). */
function agreementDate(reader: SheetReader, row: number, column: DetectedColumn | undefined): string | null {
  if (!column) return null;
  const cell = reader.cell(row, column.col);
  if (!cell) return null;
  if (cell.kind === 'string') {
    const text = cell.value as string;
    const trimmed = text.trim();
    if (/^\d{5}$/.test(trimmed) && Number(trimmed) >= SERIAL_MIN && Number(trimmed) <= SERIAL_MAX) return excelSerialToIso(Number(trimmed));
  }
  return reader.date(row, column.col);
}

/**
 * The SIREN of a SIRET or SIREN cell: digits only once spaces of any kind are removed ('215 901 786 00014'),
 * 14 digits (a SIRET: its first nine) or 9; a number cell loses leading zeros, put back. Else null.
 */
export function sirenOf(cell: Cell | null): string | null {
  if (!cell) return null;
  let digits: string;
  if (cell.kind === 'number') {
    const value = cell.value as number;
    if (!Number.isSafeInteger(value) || value <= 0) return null;
    digits = String(value);
    if (digits.length > 9 && digits.length < 14) digits = digits.padStart(14, '0');
    else if (digits.length < 9) digits = digits.padStart(9, '0');
  } else if (cell.kind === 'string') {
    digits = (cell.value as string).replace(/[\s\u00a0\u202f\u2009.\-]/g, '');
    if (!/^\d+$/.test(digits)) return null;
  } else {
    return null;
  }
  if (digits.length === 14 || digits.length === 9) return digits.slice(0, 9);
  return null;
}

/** 32-bit FNV-1a of a text's UTF-16 code units, as 8 hex digits (the same hash as the DGCL lists' codes). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
