import { normaliseText } from '../../src/kernel/normalise-text';
import { CostBase, FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { columnWithRole } from '../detect';
import { DetectedColumn } from '../detect/types';
import { appendAll, Cell, IssueDraft, SheetGrid, WorkbookGrid } from '../common/model';
import { ParseOptions } from './annex3.parser';
import { LaidOutTable, parseEachTable } from './each-table';
import { parseScdlSheet } from './grants-scdl.parser';
import { BeneficiaryRef, ParsedAction, ParsedLine, ParseOutput } from './parsed.types';
import { SheetReader } from './sheet-reader';
import { SheetYear } from './sheet-year';
import { AmountOptions } from './values/amount';
import { organisationKindOf, programmeCode, programmeOfMeasure } from './grants-programme';

/** The contract's territory: the INSEE codes of its communes, the SIRENs of its EPCIs and communes. */
export interface GrantsPerimeter {
  inseeCodes: ReadonlySet<string>;
  sirens: ReadonlySet<string>;
}

export interface GrantsParseOptions extends ParseOptions {
  perimeter: GrantsPerimeter;
  /**
   * The programme given with the upload (« Fonds vert »), for a list of one programme that has no
   * dispositif column; a row's own dispositif cell wins over it.
   */
  programme?: string | null;
}

/**
 * Programme codes (the `programme` table's) by every spelling the detect data knows for a funder column:
 * 'DETR', 'DSIL', 'DSIL exceptionnelle' / 'DSIL relance' → DSIL_RELANCE, 'DSIL rénovation thermique' →
 * DSIL_RENOVATION_THERMIQUE, 'DSID', 'DPV'… (FUNDER_COLUMNS in import/detect/column-roles.data.ts).
 */

/**
 * The national lists of the State's investment grants (DGCL open data: DETR, DSIL, DSID, DPV — one row
 * per subsidised project in France, tens of thousands of rows, column names that change every year).
 *
 * Only the rows inside the contract's perimeter are read: a row is inside when its INSEE commune code
 * (`INSEECOM`, `id_terr`…) or its SIREN (`id_terr` holding a 9-digit EPCI SIREN, `siren_epci`…) is one of
 * the perimeter's. The other rows are counted in `outsidePerimeter`, never reported: they are other
 * territories' projects, not problems. A row with no code at all cannot be placed and is counted there
 * too.
 *
 * Each row inside becomes:
 * - an action "to classify" (no orientation), its title the project's description, its lead the
 *   beneficiary's INSEE code or SIREN (so resolve finds the commune or EPCI exactly), its total cost
 *   from the cost column, and a deterministic code `${programme}-${year}-${inseeOrSiren}-${hash}` where
 *   the hash is 8 hex digits of the FNV-1a hash of the title folded for comparison (see titleHash) (long programme codes shortened:
 *   DSIL_RENOVATION_THERMIQUE → DSIL_RT), so that the same list imported twice gives the same codes; a
 *   second row with the same code in one file gets `-2`, `-3`… in file order;
 * - a GRANTED SUBSIDY line of the grant, funder the programme's operator (the State), beneficiary the
 *   same code (and the beneficiary's name as written), year from the year column, else from the sheet's
 *   name (« 2024 », « Exercice 2024 »: sheet-year.ts), else the year given with the upload, else YEAR_MISSING.
 *
 * Years outside the contract's period are history and raise nothing. Amounts with more than two
 * decimals are rounded to the cent with an AMOUNT_ROUNDED warning (values/amount.ts).
 *
 * Cost: one pass over the rows; a row outside the perimeter costs a cell read and two set lookups
 * (programme spellings are normalised once per distinct spelling).
 */
export function parseGrants(workbook: WorkbookGrid, options: GrantsParseOptions): ParseOutput {
  const output: ParseOutput = { layout: '', actions: [], lines: [], totals: [], issues: [], outsidePerimeter: 0 };
  const codes = new Map<string, number>();
  parseEachTable(workbook, 'grants', output, "Aucune liste de subventions n'a été trouvée : la ligne d'en-têtes doit nommer la dotation (DOT, dotation), le montant de la subvention (SUBVENTION, montant_sub) et le code INSEE (INSEECOM, id_terr) ou le SIREN du bénéficiaire.", {
    grants: (sheet, table) => parseSheet(sheet, table, options, output, codes),
    // The SCDL « subventions » open-data format: grants-scdl.parser.ts.
    scdl: (sheet, table) => parseScdlSheet(sheet, table, options, output, codes),
  });
  if (output.actions.length === 0 && output.outsidePerimeter! > 0) output.issues.push(nothingInPerimeter(output.outsidePerimeter!));
  return output;
}

/** A list read whole with nothing for the contract: said with its figures, not as a missing table. */
function nothingInPerimeter(outside: number): IssueDraft {
  return {
    severity: 'WARNING',
    code: 'NOTHING_IN_PERIMETER',
    message:
      `0 ligne dans le périmètre du contrat, ${outside} hors périmètre : aucune subvention de cette liste ne va à une commune ou à un EPCI du contrat ` +
      '(code INSEE ou SIREN). Vérifiez le contrat choisi au dépôt, ou que la liste couvre bien son département.',
    sheet: null,
    cell: null,
    value: null,
  };
}

interface Place {
  inseeCode?: string;
  siren?: string;
}

/** The columns of a grants list (an amount column at least; the programme may come with the upload). */
interface GrantsColumns {
  programme: DetectedColumn | undefined;
  /** The budget programme's number (119): kept on the action, never read as the dispositif unless it holds a dispositif's name. */
  budgetProgramme: DetectedColumn | undefined;
  amount: DetectedColumn;
  territory: DetectedColumn | undefined;
  siren: DetectedColumn | undefined;
  /**
   * True when the SIREN column is the beneficiary's own (beneficiaire_siren, siren): the grant is then
   * booked to that SIREN and the commune column is only the project's place. False for `siren_epci`
   * (the EPCI of the commune, in the lists of 2018-2019), where the commune stays the beneficiary.
   */
  sirenIsBeneficiary: boolean;
  title: DetectedColumn | undefined;
  beneficiary: DetectedColumn | undefined;
  beneficiaryType: DetectedColumn | undefined;
  cost: DetectedColumn | undefined;
  year: DetectedColumn | undefined;
  measure: DetectedColumn | undefined;
  fileReference: DetectedColumn | undefined;
}

/** Null without an amount column: detection has reported it missing (COLUMN_MISSING), and no row says anything without it. */
function grantsColumns(table: LaidOutTable<'grants'>): GrantsColumns | null {
  const col = (role: DetectedColumn['role']) => columnWithRole(table, role);
  const amount = col('amount');
  if (!amount) return null;
  const siren = col('sirenCode');
  return {
    programme: col('programme'),
    budgetProgramme: col('budgetProgramme'),
    amount,
    territory: col('territoryCode'),
    siren,
    sirenIsBeneficiary: siren !== undefined && !normaliseText(siren.header).split(' ').includes('epci'),
    title: col('actionTitle'),
    beneficiary: col('beneficiary'),
    beneficiaryType: col('beneficiaryType'),
    cost: col('totalCost'),
    year: col('year'),
    measure: col('measure'),
    fileReference: col('fileReference'),
  };
}

/** Who a row's grant goes to and where its project stands, when the row is inside the perimeter. */
interface GrantWhere {
  /** The beneficiary: its own SIREN when the row gives it, else the place inside the perimeter (a commune's INSEE code, an EPCI's SIREN). */
  beneficiary: Place;
  beneficiaryCode: string;
  beneficiaryColumn: DetectedColumn;
  /** The commune where the project stands (its INSEE code), when the row says it. */
  placeInseeCode: string | null;
  placeColumn: DetectedColumn | null;
  /** What the action's code is built from: the code that put the row inside the perimeter (as in the lists of 2018-2019). */
  codeKey: string;
}

/**
 * A row is inside the perimeter when its commune (INSEE code) or its SIREN is one of the perimeter's: a
 * syndicate outside the perimeter's SIRENs is inside by the commune where its project stands, an EPCI's
 * project by the EPCI's SIREN.
 */
function whereInPerimeter(cells: SheetGrid['rows'][number], columns: GrantsColumns, perimeter: GrantsPerimeter): GrantWhere | null {
  const { inseeCodes, sirens } = perimeter;
  const fromTerritory = columns.territory ? placeOf(cells[columns.territory.col]) : null;
  const fromSiren = columns.siren ? placeOf(cells[columns.siren.col]) : null;
  const inside = insidePlace(fromTerritory, inseeCodes, sirens) ?? insidePlace(fromSiren, inseeCodes, sirens);
  if (!inside) return null;
  const insideColumn = fromTerritory && inside === fromTerritory ? columns.territory! : columns.siren!;
  const codeKey = (inside.inseeCode ?? inside.siren)!;
  const placeInseeCode = fromTerritory?.inseeCode ?? fromSiren?.inseeCode ?? null;
  const placeColumn = fromTerritory?.inseeCode ? columns.territory! : fromSiren?.inseeCode ? columns.siren! : null;
  if (columns.sirenIsBeneficiary && fromSiren?.siren) {
    return { beneficiary: { siren: fromSiren.siren }, beneficiaryCode: fromSiren.siren, beneficiaryColumn: columns.siren!, placeInseeCode, placeColumn, codeKey };
  }
  return { beneficiary: inside, beneficiaryCode: codeKey, beneficiaryColumn: insideColumn, placeInseeCode, placeColumn, codeKey };
}

/** The programme of every row of a sheet that does not say its own: the upload's, else the one its measures name. */
interface SheetProgramme {
  code: string;
  /** How it was known, for the description: « donné au dépôt », a measure. */
  from: 'upload' | 'measure';
}

/**
 * The sheet's programme: the one given with the upload (an ERROR when unknown), else the Fonds vert when a
 * measure of the sheet is one of its own. Null (and an ERROR at the header when no column gives it either)
 * when nothing says it.
 */
function sheetProgramme(reader: SheetReader, table: LaidOutTable<'grants'>, columns: GrantsColumns, options: GrantsParseOptions): SheetProgramme | null {
  const anchor = (columns.programme ?? columns.budgetProgramme ?? columns.amount).col;
  const uploaded = options.programme?.trim();
  if (uploaded) {
    const code = programmeCode(uploaded);
    if (code) return { code, from: 'upload' };
    reader.issue(
      'ERROR',
      'VALUE_INVALID',
      `Le programme « ${uploaded} » donné au dépôt du fichier n'est pas reconnu (Fonds vert, DETR, DSIL, DSIL exceptionnelle, DSIL rénovation thermique, DSID, DPV, FNADT…).`,
      table.headerRow,
      anchor,
    );
    return null;
  }
  if (columns.measure) {
    for (const row of table.dataRows) {
      const measure = reader.text(row, columns.measure.col);
      const code = measure ? programmeOfMeasure(measure) : null;
      if (code) return { code, from: 'measure' };
    }
  }
  if (!columns.programme && !budgetProgrammeNamesDispositifs(reader, table, columns)) {
    reader.issue(
      'ERROR',
      'FUNDER_MISSING',
      "Le programme de ces subventions n'est indiqué ni par une colonne « dispositif » (DETR, DSIL…) ni au dépôt du fichier, et leurs mesures ne le font pas reconnaître : indiquez-le au dépôt (crte import … --programme \"Fonds vert\", ou le champ « programme » du formulaire de dépôt et de POST /api/imports).",
      table.headerRow,
      anchor,
    );
  }
  return null;
}

/** True when the « programme » column holds dispositifs' names (DETR, DSIL) rather than budget programme numbers (119). */
function budgetProgrammeNamesDispositifs(reader: SheetReader, table: LaidOutTable<'grants'>, columns: GrantsColumns): boolean {
  if (!columns.budgetProgramme) return false;
  for (const row of table.dataRows) {
    const text = reader.text(row, columns.budgetProgramme.col);
    if (text !== null) return !isProgrammeNumber(text);
  }
  return false;
}

/** « 119 », « P119 », « Programme 380 », « BOP 362 »: a budget programme's number. */
function isProgrammeNumber(text: string): boolean {
  return /^\s*(?:(?:programme|prog\.?|bop|p)\s*)?\d{3}\s*$/i.test(text);
}

/** The row's programme code and the spelling it was read from; code null (and an error at its cell) when missing or unknown. */
function readProgramme(
  reader: SheetReader,
  row: number,
  columns: GrantsColumns,
  fromSheet: SheetProgramme | null,
  programmes: Map<string, string | null>,
): { code: string | null; written: string | null } {
  let column = columns.programme;
  if (!column && columns.budgetProgramme) {
    const text = reader.text(row, columns.budgetProgramme.col);
    if (text !== null && !isProgrammeNumber(text)) column = columns.budgetProgramme;
  }
  const programmeText = column ? reader.text(row, column.col) : null;
  if (programmeText === null) {
    if (fromSheet) return { code: fromSheet.code, written: null };
    // A sheet without any programme column has said so once (sheetProgramme).
    if (column) reader.issue('ERROR', 'FUNDER_MISSING', 'La dotation de cette subvention (DETR, DSIL, DSID, DPV…) n’est pas indiquée.', row, column.col);
    return { code: null, written: null };
  }
  const programme = programmeCode(programmeText, programmes);
  if (programme === null) {
    reader.issue(
      'ERROR',
      'VALUE_INVALID',
      `La dotation « ${programmeText} » n'est pas reconnue (DETR, DSIL, DSIL exceptionnelle, DSIL rénovation thermique, DSID, DPV, FNADT…).`,
      row,
      column!.col,
    );
  }
  return { code: programme, written: programmeText };
}

/** The row's year: its year cell, else its sheet's name's, else the upload's; null when none (said per row only when the sheet has a year column). */
function readGrantYear(reader: SheetReader, row: number, cells: SheetGrid['rows'][number], yearColumn: DetectedColumn | undefined, sheetYear: SheetYear): number | null {
  if (yearColumn && cells[yearColumn.col] && reader.text(row, yearColumn.col) !== null) return reader.year(row, yearColumn.col);
  const year = sheetYear.fallback();
  if (year === null && yearColumn) reader.issue('ERROR', 'YEAR_MISSING', `L'année de cette subvention n'est pas indiquée${sheetYear.whyNoYear()}.`, row, yearColumn.col);
  return year;
}

/**
 * What the list says of a grant besides its money, kept as the action's description: the dispositif as
 * written when it is not the programme's own code (« DSID RT »), the budget programme's number, the
 * measure, the file's reference. Null when none.
 */
function grantDescription(reader: SheetReader, row: number, columns: GrantsColumns, programme: { code: string | null; written: string | null }): string | null {
  const parts: string[] = [];
  if (programme.written && programme.code && normaliseText(programme.written) !== normaliseText(programme.code.replace(/_/g, ' '))) parts.push(`Dispositif : ${programme.written}`);
  const budgetProgramme = columns.budgetProgramme ? reader.text(row, columns.budgetProgramme.col) : null;
  if (budgetProgramme !== null && isProgrammeNumber(budgetProgramme)) parts.push(`Programme budgétaire : ${budgetProgramme}`);
  const measure = columns.measure ? reader.text(row, columns.measure.col) : null;
  if (measure !== null) parts.push(`Mesure : ${measure}`);
  const reference = columns.fileReference ? reader.text(row, columns.fileReference.col) : null;
  if (reference !== null) parts.push(`Dossier : ${reference}`);
  return parts.length ? parts.join('\n') : null;
}

/** The project of a grant: an action to classify, its code deterministic (see parseGrants), its lead the beneficiary, its place the commune. */
function grantAction(
  reader: SheetReader,
  row: number,
  cells: SheetGrid['rows'][number],
  columns: GrantsColumns,
  where: GrantWhere,
  programme: { code: string | null; written: string | null },
  year: number | null,
  codes: Map<string, number>,
  options: GrantsParseOptions,
): ParsedAction {
  const { title: titleColumn, cost: costColumn } = columns;
  const title = titleColumn ? reader.text(row, titleColumn.col) : null;
  const cellsOf: ParsedAction['cells'] = { lead: reader.source(row, where.beneficiaryColumn.col) };
  if (title !== null) cellsOf.title = reader.source(row, titleColumn!.col);
  cellsOf.code = title !== null ? cellsOf.title : reader.source(row, (columns.programme ?? columns.amount).col);
  if (where.placeColumn && where.placeColumn !== where.beneficiaryColumn) cellsOf.place = reader.source(row, where.placeColumn.col);
  let totalCostCents: bigint | null = null;
  if (costColumn && cells[costColumn.col]) {
    const cost = reader.amount(row, costColumn.col, { multiplier: costColumn.multiplier, decimalComma: options.decimalComma });
    if (cost) {
      totalCostCents = cost.cents;
      cellsOf.totalCost = reader.source(row, costColumn.col);
    }
  }
  const costBase = costColumn?.costBase ? CostBase[costColumn.costBase] : null;
  const baseCode = `${programmeTag(programme.code ?? 'DOTATION')}-${year ?? '0000'}-${where.codeKey}-${titleHash(title)}`;
  const seen = (codes.get(baseCode) ?? 0) + 1;
  codes.set(baseCode, seen);
  const action: ParsedAction = {
    sheet: reader.sheet.name,
    row,
    code: seen === 1 ? baseCode : `${baseCode}-${seen}`,
    title,
    orientationCode: null,
    leadText: where.beneficiaryCode,
    totalCostCents,
    costBase: totalCostCents !== null ? costBase : null,
    status: null,
    startDate: null,
    endDate: null,
    cells: cellsOf,
  };
  if (where.beneficiary.siren && columns.sirenIsBeneficiary) {
    // A beneficiary met for the first time is created with its SIREN and its name as written.
    action.leadName = columns.beneficiary ? reader.text(row, columns.beneficiary.col) : null;
    action.leadKind = organisationKindOf(columns.beneficiaryType ? reader.text(row, columns.beneficiaryType.col) : null);
  }
  if (where.placeInseeCode) action.placeInseeCode = where.placeInseeCode;
  const description = grantDescription(reader, row, columns, programme);
  if (description !== null) action.description = description;
  return action;
}

/** The grant itself: a GRANTED subsidy of the programme to the beneficiary; null without an amount, a year or a programme. */
function grantLine(reader: SheetReader, row: number, cells: SheetGrid['rows'][number], columns: GrantsColumns, action: ParsedAction, where: GrantWhere, actionIndex: number, programme: string | null, year: number | null, amountOptions: AmountOptions): ParsedLine | null {
  const amount = cells[columns.amount.col] ? reader.amount(row, columns.amount.col, amountOptions) : null;
  if (!amount || year === null || programme === null) return null;
  const beneficiary: BeneficiaryRef = { ...where.beneficiary };
  const name = columns.beneficiary ? reader.text(row, columns.beneficiary.col) : null;
  if (name !== null) beneficiary.text = name;
  if (action.leadKind) beneficiary.kind = action.leadKind;
  return {
    source: reader.source(row, columns.amount.col),
    actionIndex,
    funder: { kind: 'programme' },
    programmeCode: programme,
    beneficiary,
    year,
    cents: amount.cents,
    approximate: amount.approximate,
    stage: FundingStage.GRANTED,
    instrument: FundingInstrument.SUBSIDY,
    costBase: null,
  };
}

function parseSheet(sheet: SheetGrid, table: LaidOutTable<'grants'>, options: GrantsParseOptions, output: ParseOutput, codes: Map<string, number>): void {
  const reader = new SheetReader(sheet);
  const columns = grantsColumns(table);
  if (!columns) return;
  const amountOptions: AmountOptions = { multiplier: columns.amount.multiplier, decimalComma: options.decimalComma };
  const programmes = new Map<string, string | null>();
  const rows = sheet.rows;
  const sheetYear = new SheetYear(sheet.name, options.year);

  if (!columns.year && !sheetYear.known) {
    // Said once: every row of the sheet lacks it.
    reader.issue(
      'ERROR',
      'YEAR_MISSING',
      `L'année des subventions n'est indiquée ni dans une colonne « Année » (ANNEE, annee, exercice), ni dans le nom de la feuille${sheetYear.whyNoYear()}, ni au dépôt du fichier : ajoutez-la.`,
      table.headerRow,
      (columns.programme ?? columns.amount).col,
    );
  }
  const fromSheet = sheetProgramme(reader, table, columns, options);

  for (const row of table.dataRows) {
    const cells = rows[row];
    const where = whereInPerimeter(cells, columns, options.perimeter);
    if (!where) {
      output.outsidePerimeter!++;
      continue;
    }
    const programme = readProgramme(reader, row, columns, fromSheet, programmes);
    const year = readGrantYear(reader, row, cells, columns.year, sheetYear);
    const actionIndex = output.actions.length;
    const action = grantAction(reader, row, cells, columns, where, programme, year, codes, options);
    output.actions.push(action);
    const line = grantLine(reader, row, cells, columns, action, where, actionIndex, programme.code, year, amountOptions);
    if (line) output.lines.push(line);
  }
  appendAll(output.issues, reader.issues);
  appendAll(output.issues, sheetYear.issues());
}

function insidePlace(place: Place | null, inseeCodes: ReadonlySet<string>, sirens: ReadonlySet<string>): Place | null {
  if (!place) return null;
  if (place.inseeCode !== undefined) return inseeCodes.has(place.inseeCode) ? place : null;
  return sirens.has(place.siren!) ? place : null;
}

/**
 * An INSEE commune code or a SIREN from a cell: numbers lose their leading zeros in spreadsheets, so 1001
 * is '01001'; text may hold spaces ('200 044 618'); five characters ('59178', '2A004') are an INSEE code,
 * nine digits a SIREN, fourteen a SIRET (its SIREN is kept). Anything else: null.
 */
export function placeOf(cell: Cell | null | undefined): Place | null {
  if (!cell) return null;
  let text: string;
  if (cell.kind === 'number') {
    const value = cell.value as number;
    if (!Number.isInteger(value) || value <= 0) return null;
    text = String(value);
    if (text.length < 5) text = text.padStart(5, '0');
    else if (text.length > 5 && text.length < 9) text = text.padStart(9, '0');
  } else if (cell.kind === 'string') {
    text = compact(cell.value as string);
    if (text.length === 4 && allDigits(text)) text = `0${text}`;
  } else {
    return null;
  }
  if (text.length === 5) {
    if (allDigits(text)) return { inseeCode: text };
    const c0 = text.charCodeAt(0);
    const c1 = text.charCodeAt(1);
    if (c0 === 50 && (c1 === 65 || c1 === 66) && allDigits(text.slice(2))) return { inseeCode: text };
    return null;
  }
  if (!allDigits(text)) return null;
  if (text.length === 9) return { siren: text };
  if (text.length === 14) return { siren: text.slice(0, 9) };
  return null;
}

/** Upper case, without spaces of any kind. */
function compact(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 32 || code === 9 || code === 0xa0 || code === 0x202f || code === 0x2009) continue;
    out += value[i];
  }
  return out.toUpperCase();
}

function allDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}


/** A programme code short enough for an action code: DSIL_RENOVATION_THERMIQUE → DSIL_RT. */
function programmeTag(code: string): string {
  if (code.length <= 12) return code;
  const [first, ...rest] = code.split('_');
  return `${first}_${rest.map((part) => part.charAt(0)).join('')}`;
}

/**
 * 8 hex digits of the 32-bit FNV-1a hash of the title folded for comparison: lower case (NFC when it
 * holds accents), runs of anything but letters and digits as one space, trimmed — so " VOIRIE " and
 * "Voirie" give one hash. Hashed on the fly, without building the folded text nor a crypto object (both
 * cost more than the rest of the row). Stable across runs and machines; two different titles of one
 * beneficiary, programme and year that collide only get a `-2` suffix.
 */
export function titleHash(title: string | null): string {
  let text = (title ?? '').toLowerCase();
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      text = text.normalize('NFC');
      break;
    }
  }
  let hash = 0x811c9dc5;
  let pendingSpace = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const kept = (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code > 0x7f && !isSpaceLike(code));
    if (!kept) {
      pendingSpace = started;
      continue;
    }
    if (pendingSpace) {
      hash = Math.imul(hash ^ 32, 0x01000193);
      pendingSpace = false;
    }
    hash = Math.imul(hash ^ code, 0x01000193);
    started = true;
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Non-ASCII spaces and punctuation that separate words like a space does. */
function isSpaceLike(code: number): boolean {
  return code === 0xa0 || code === 0x202f || code === 0x2009 || code === 0x2007 || code === 0x2019 || code === 0x2018 || code === 0xab || code === 0xbb || (code >= 0x2010 && code <= 0x2015) || code === 0x2026;
}

/** 32-bit FNV-1a of a text's UTF-16 code units, as 8 hex digits. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
