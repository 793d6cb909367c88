/**
 * Types of the "detect" stage: finding the table in one sheet (header row, column roles, layout, units,
 * group headers, and which rows are data). The synonyms and layouts themselves are data, in
 * column-roles.data.ts and layouts.data.ts; nothing here needs to change when a maintainer adds a synonym.
 */
import type { ImportKind } from '../../src/kernel/import-batch.enum';

/** 'annex3' | 'annex2' | 'dotations' | 'grants' | 'indicators' — the kinds detection knows ('manual' is no file; a `plan` is detected and read as an annex 3 of layout `action-plan`). */
export type ImportKindName = Exclude<`${ImportKind}`, 'manual' | 'plan'>;


/** What a column holds. A role means the same thing whatever the kind of file. */
export type ColumnRole =
  // actions (annex3, indicators, grants)
  | 'actionCode'
  | 'actionTitle'
  | 'description'
  | 'axis'
  | 'orientation'
  | 'lead'
  | 'location'
  | 'totalCost'
  | 'costBase'
  | 'status'
  | 'startDate'
  | 'endDate'
  // funding lines (annex3)
  | 'instrument'
  /** « Nature des crédits »: France Relance, contractualised, valorised (CreditNature). */
  | 'creditNature'
  | 'year'
  | 'funder'
  | 'programme'
  | 'amount'
  | 'stage'
  | 'amountPlanned'
  | 'amountRequested'
  | 'amountGranted'
  | 'amountPaid'
  /** A "Total" column: the sum of the row's amount columns, kept for checks, never a fact. */
  | 'rowTotal'
  /** A column whose header IS a year (2021, 'Année 2023', '2024 (€)'): see DetectedColumn.year. */
  | 'yearColumn'
  /** A column whose header names a funder or programme (DETR, Région, Autres): see DetectedColumn.funder. */
  | 'funderColumn'
  /** 'Financeur 1' / 'Montant 1': see DetectedColumn.index. */
  | 'pairFunder'
  | 'pairAmount'
  /**
   * An amount header without a number right after a funder column (Territoires en Transitions:
   * « Financeur 1 » | « Montant € HT »): see DetectedColumn.index, the funder column's pair number.
   */
  | 'planAmount'
  /** « Sous-sous axe (x.x.x) » of an action plan (Territoires en Transitions): kept on the action. */
  | 'subSubAxis'
  // annex2
  | 'measure'
  | 'beneficiaries'
  | 'aid'
  | 'investment'
  // dotations
  /** 'Territoire de DA': the amounts received by one territory; see DetectedColumn.territory. */
  | 'territoryColumn'
  // grants (DGCL national lists)
  | 'territoryCode'
  | 'sirenCode'
  | 'beneficiary'
  | 'department'
  | 'region'
  | 'rate'
  | 'category'
  // grants (SCDL « subventions » open data, décret 2017-779): the attributing body and its decision
  /** `nomAttribuant`: the body that grants the money (the line's funder). */
  | 'grantor'
  /** `idAttribuant`: the grantor's SIRET (its first nine digits are its SIREN). */
  | 'grantorId'
  /** `dateConvention`: the date of the grant's agreement (its year is the line's year). */
  | 'agreementDate'
  /** `referenceDecision`: the reference of the granting decision. */
  | 'decisionReference'
  // grants: DGCL lists since 2020 and the Fonds vert list of funded projects
  /** The State's budget programme number (119, 380): a different thing from the dispositif (DETR, DSIL). */
  | 'budgetProgramme'
  /** « Commune », « EPCI », « Syndicat »…: the kind of a beneficiary met for the first time. */
  | 'beneficiaryType'
  /** The file's own reference of the grant (numero_dossier_ds). */
  | 'fileReference'
  // indicators
  | 'indicatorCode'
  | 'indicatorName'
  | 'unit'
  | 'baseline'
  | 'baselineYear'
  | 'target'
  | 'targetYear'
  | 'value'
  | 'valueStage'
  | 'dataSource'
  /** « Valeur 1 » / « Année 1 » / « Commentaires 1 »: see DetectedColumn.index (indicator tables of pairs). */
  | 'pairValue'
  | 'pairYear'
  | 'pairComment'
  // anything
  /** Comments, observations: kept for the parser if it wants them, never a warning. */
  | 'comment'
  /** A header known to carry nothing the import uses, or a duplicate column that was set aside. */
  | 'ignored'
  /** A non-empty header nobody understands (COLUMN_UNKNOWN warning unless it is decorative). */
  | 'unknown';

/**
 * What a column's cells should hold: used to tell instruction rows ("texte", "nombre") from data.
 * 'choice': one value from a list (status, nature, HT/TTC…), where "Prêt / Subvention" is an instruction.
 */
export type ValueExpectation = 'number' | 'year' | 'text' | 'choice' | 'any';

export type Multiplier = 1 | 1000 | 1000000;
export type CostBaseName = 'HT' | 'TTC';
export type StageName = 'PLANNED' | 'REQUESTED' | 'GRANTED' | 'PAID';

/**
 * Who gives the money of a funder column. Generic funders are resolved later on the action's territory
 * (Région → the region of the action's commune…).
 */
export interface FunderDescriptor {
  /** A programme code as in the `programme` table: 'DETR', 'DSIL', 'FNADT', 'FONDS_VERT', 'FEDER'… */
  programme?: string;
  /**
   * 'ETAT' | 'GENERIC_REGION' | 'GENERIC_DEPARTMENT' | 'GENERIC_EPCI' | 'GENERIC_COMMUNE' | 'LEAD' (the
   * action's own lead: self-financing), or an organisation's name as written in the header
   * ('ADEME', 'Banque des Territoires', 'Région Hauts-de-France').
   */
  funder?: string;
  /** 'Autres': each cell names its funder in free text ("DRAC : 1 500 000"). */
  other?: true;
  /** Self-financing ('Autofinancement', 'Fonds propres'): instrument OWN_FUNDS, funder 'LEAD'. */
  ownFunds?: true;
}

// ---------------------------------------------------------------------------------------------------
// the data (column-roles.data.ts, layouts.data.ts)
// ---------------------------------------------------------------------------------------------------

export interface RoleSpec {
  role: ColumnRole;
  /** In French, for messages: « N° de l'action ». */
  label: string;
  /** Headers that mean this role, written as people write them: compared after normaliseHeader. */
  synonyms: readonly string[];
  /**
   * Headers that START with one of these words mean this role, whatever follows; the rest is kept as
   * DetectedColumn.territory when `capture` is 'territory' ('Territoire de la CCCO' → 'CCCO'), or must be
   * a number 1–99 kept as DetectedColumn.index when `capture` is 'index' ('Financeur 2'). Without
   * `capture` the rest is ignored ('Total 2021-2026').
   */
  prefixes?: readonly string[];
  capture?: 'territory' | 'index';
  expects: ValueExpectation;
  /** Several columns may hold this role (no COLUMN_DUPLICATED). Default false. */
  repeatable?: boolean;
  /** Does not count when scoring candidate header rows (comments, 'Suivi'…). */
  weak?: boolean;
  /**
   * When no header says it, find the column from its cells, left of the first recognised column:
   * mostly years ('year'), or mostly programme names such as DETR / DSIL / FNADT ('programme').
   */
  fromContent?: 'year' | 'programme';
}

export interface FunderColumnSpec {
  synonyms: readonly string[];
  /** Omitted `funder`: the header as written is the funder's name (for organisations). */
  descriptor: FunderDescriptor | 'AS_WRITTEN';
}

export interface KindColumns {
  roles: readonly RoleSpec[];
  /** Columns named after a funder or programme (role 'funderColumn'); none for kinds without them. */
  funderColumns?: readonly FunderColumnSpec[];
  /** Headers that START with one of these are funder columns named after an organisation, as written. */
  funderPrefixes?: readonly string[];
  /**
   * Headers that ARE a year (role 'yearColumn'): the normalised header minus its year must be empty or
   * one of these words ('annee', 'montant', 'exercice'…) or a stage word (then DetectedColumn.stage).
   */
  yearColumns?: { words: readonly string[]; expects: ValueExpectation };
  /** Headers known to carry nothing the import uses: role 'ignored', no warning. */
  ignored?: readonly string[];
}

/** A condition on the recognised columns: `min` (default 1) columns hold one of `roles`. */
export type LayoutCondition =
  | { roles: readonly ColumnRole[]; min?: number; label: string }
  | { allOf: readonly LayoutCondition[]; label: string }
  | { anyOf: readonly LayoutCondition[]; label: string };

export interface LayoutSpec {
  name: string;
  description: string;
  /** All must hold for the layout to be recognised. Empty: the kind's only (or fallback) layout. */
  signature: readonly LayoutCondition[];
  /** Checked once the layout is chosen; each one that fails is a COLUMN_MISSING error. */
  required: readonly LayoutCondition[];
  /** Indexed roles that go in pairs: 'Financeur 2' without 'Montant 2' is a COLUMN_MISSING error. */
  pairedRoles?: ReadonlyArray<readonly [ColumnRole, ColumnRole]>;
}

/** Words that mark rows below the header; compared on normalised text. */
export interface RowMarkers {
  /** The row's label cell starts with one of these (whole words): a subtotal row. Checked first. */
  subtotal: readonly string[];
  /** The row's label cell starts with one of these (whole words): a total row. */
  total: readonly string[];
  /** A cell starting with one of these (whole words) is an example. */
  example: readonly string[];
  /** A cell that is exactly one of these is an instruction ('texte', 'nombre, sans espace'). */
  instruction: readonly string[];
  /** A cell starting with one of these (whole words) is an instruction ('Saisir le montant…'). */
  instructionStart: readonly string[];
  /** A cell that says "nothing" in an amount column ('-', 'néant'): not an instruction. */
  none: readonly string[];
  /** A row with a single cell starting with one of these is a footnote. */
  note: readonly string[];
  /** A row with a single cell starting with one of these (then a number) is a section heading. */
  section: readonly string[];
}

// ---------------------------------------------------------------------------------------------------
// the result
// ---------------------------------------------------------------------------------------------------

export interface DetectedColumn {
  /** 0-based column index. */
  col: number;
  /** The header text as written (a vertical merge's text for a label merged down into the header row). */
  header: string;
  role: ColumnRole;
  /** yearColumn: the year the header names. */
  year?: number;
  /** funderColumn: who gives the money. */
  funder?: FunderDescriptor;
  /** pairFunder / pairAmount: the pair number ('Financeur 2' → 2). */
  index?: number;
  /** territoryColumn: the territory as written after the prefix ('Territoire de la CCCO' → 'CCCO'). */
  territory?: string;
  /** A stage stated by the header or its group ('Montant demandé', 'Montants attribués (k€)'). */
  stage?: StageName;
  /** Multiply the cells by this: from the header's units, else its group header's units. */
  multiplier: Multiplier;
  /** HT / TTC stated by the header, else by its group header. */
  costBase?: CostBaseName;
  /** The merged group header above ('Montants par année (€)'). */
  group?: string;
  expects: ValueExpectation;
  /** Found from its cells (no header said it): dotations' year and programme columns. */
  inferred?: true;
  /** Set aside because an earlier column already holds its role (role becomes 'ignored'). */
  duplicateOf?: number;
}

export type SkipReason = 'example' | 'instruction' | 'blank' | 'subtotal' | 'total' | 'group-heading' | 'note';

export interface SkippedRow {
  row: number;
  reason: SkipReason;
}

export interface TotalRow {
  row: number;
  kind: 'subtotal' | 'total';
  /** The label as written: 'Sous-total Axe 2', 'TOTAL', 'TOTAL 2017 à 2021'. */
  label: string;
  /** The column of that label. */
  col: number;
}

export interface Section {
  row: number;
  /** As written: 'I. Volet Compétitivité'. */
  label: string;
}

