import { ActionStatus } from '../../src/kernel/action-status.enum';
import { CostBase, FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { CreditNature } from '../../src/kernel/credit-nature.enum';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';

/** Where a value was read: every fact keeps its sheet and cell. */
export interface SourceRef {
  sheet: string;
  /** 'A1' style. */
  cell: string;
  /** The cell's text as written. */
  raw: string;
}

/** An action as one row of a file describes it (codes and names as written; resolved later). */
export interface ParsedAction {
  sheet: string;
  /** 0-based row of the sheet. */
  row: number;
  code: string | null;
  title: string | null;
  orientationCode: string | null;
  leadText: string | null;
  totalCostCents: bigint | null;
  costBase: CostBase | null;
  status: ActionStatus | null;
  /** ISO 'YYYY-MM-DD' (annex 3's « Date de début » / « Date de fin »). */
  startDate: string | null;
  endDate: string | null;
  /** A text for the action's description when it is created (an open-data grant's decision and agreement date; a grants list's measure, budget programme, file number). */
  description?: string | null;
  /** Sources of the fields above, for messages that point at the right cell. */
  cells: Partial<Record<'code' | 'title' | 'orientation' | 'lead' | 'totalCost' | 'status' | 'startDate' | 'endDate' | 'place', SourceRef>>;
  /**
   * An action plan's fiche (Territoires en Transitions): where it sits in the plan, as written — kept for
   * the contract's structure. Its orientation is the sub-axis's code when the contract has it; otherwise
   * the action waits to be classified (a warning, not an error).
   */
  plan?: ActionPlanPlace;
  /**
   * The code to give the action when no action of the contract has its code or its title (an action
   * plan's fiches have no number): deterministic, so the same file twice gives the same code.
   */
  codeIfNew?: string;
  /**
   * Grants lists: the lead's name and kind when `leadText` is a SIREN, so that a beneficiary met for the
   * first time (a syndicate, a SEM) is created with its SIREN and its name rather than named by its SIREN.
   */
  leadName?: string | null;
  leadKind?: OrganisationKind;
  /** Grants lists: the commune where the project stands (INSEE code), kept as the action's place. */
  placeInseeCode?: string | null;
}

/** One level of an action plan (« 1. Titre », « 1.1 Sous-titre », « Axe 1 : Titre »): its number, if any, and its title. */
export interface ActionPlanLevel {
  /** '1', '1.1', '1.1.1'; null when the cell gives no number. */
  code: string | null;
  title: string;
  source: SourceRef;
}

export interface ActionPlanPlace {
  axis: ActionPlanLevel | null;
  subAxis: ActionPlanLevel | null;
  subSubAxis: ActionPlanLevel | null;
}

/** Who gives the money, as the file says it. */
export type FunderRef =
  /** The organisation that sent the file (a by-year annex 3 from the Banque des Territoires). */
  | { kind: 'source' }
  /**
   * A name as written ("ADEME", "DRAC", "Agence de l'eau"), with the cell that names it (a « Financeur »
   * cell, a column header) when it is not the amount's own cell ("DRAC : 1 500 000").
   */
  | {
      kind: 'named';
      text: string;
      source?: SourceRef;
      /** The funder's SIREN when the file gives it (open-data grants' idAttribuant): looked up first. */
      siren?: string;
      /**
       * The names a cell gives for one amount (« Caisse des Dépôts / Banque des Territoires »): one funder
       * when they are one organisation's (its aliases), else FUNDERS_IN_ONE_CELL — decided at resolution.
       */
      oneOf?: { names: string[]; listed: boolean };
    }
  /** A generic column: the contract's Région or Département, the action's EPCI or commune, the State. */
  | { kind: 'generic'; generic: 'STATE' | 'REGION' | 'DEPARTMENT' | 'EPCI' | 'COMMUNE' }
  /** The organisation that runs the line's programme (DSIL → the State, FEDER → the Région). */
  | { kind: 'programme' }
  /** The action's own lead: self-financing. */
  | { kind: 'lead' };

/** Who receives the money, when the file says it (grant tables and lists). */
export interface BeneficiaryRef {
  text?: string;
  inseeCode?: string;
  siren?: string;
  /** The kind a beneficiary met for the first time is created with (a grants list's beneficiaire_type). */
  kind?: OrganisationKind;
}

/** One amount read from one cell: a candidate funding line. */
export interface ParsedLine {
  source: SourceRef;
  /** Index into the parse result's `actions`, or null for a territory-level line (dotations). */
  actionIndex: number | null;
  funder: FunderRef;
  programmeCode: string | null;
  beneficiary: BeneficiaryRef | null;
  year: number;
  cents: bigint;
  approximate: boolean;
  stage: FundingStage;
  instrument: FundingInstrument;
  costBase: CostBase | null;
  /** « Nature des crédits » (annex 3's column): absent or null when the file does not say. */
  creditNature?: CreditNature | null;
}

/** A subtotal or total the file states, to check against the lines it covers. */
export interface StatedTotal {
  source: SourceRef;
  kind: 'subtotal' | 'total' | 'row-total';
  cents: bigint;
  /** Indexes into `lines` that this total must equal the sum of. */
  lineIndexes: number[];
  label: string;
}

/** What a kind's parser makes of a workbook, before anything is matched to the contract. */
export interface ParseOutput {
  /** The layout recognised, per sheet joined with ', ' when sheets differ ("by-year"). */
  layout: string;
  actions: ParsedAction[];
  lines: ParsedLine[];
  totals: StatedTotal[];
  issues: import('../common/model').IssueDraft[];
  /** Annex 2 only. */
  measures?: ParsedMeasure[];
  /** Indicators only. */
  indicators?: ParsedIndicator[];
  /** Grants lists only: rows left out because they are outside the contract's perimeter. */
  outsidePerimeter?: number;
}

/** One amount of an annex 2 measure, read from its cell (several may share a cell). */
export interface ParsedMeasureAmount {
  source: SourceRef;
  kind: 'AID' | 'INVESTMENT';
  instrument: FundingInstrument;
  cents: bigint;
  year: number | null;
  approximate: boolean;
}

/** A recovery-plan measure of annex 2, its cells kept verbatim beside what was read from them. */
export interface ParsedMeasure {
  voletNumber: string;
  voletTitle: string;
  name: string;
  beneficiaries: string | null;
  /** Column label → the cells' text as written (continuation rows joined by a line break). */
  rawTexts: Record<string, string>;
  source: SourceRef;
  amounts: ParsedMeasureAmount[];
}

/** An indicator with its yearly values (kind `indicators`). */
export interface ParsedIndicator {
  source: SourceRef;
  actionCode: string | null;
  orientationCode: string | null;
  code: string;
  name: string | null;
  unit: string | null;
  baseline: string | null;
  target: string | null;
  targetYear: number | null;
  values: Array<{ source: SourceRef; year: number; value: string; stage: 'TARGET' | 'ACTUAL' }>;
}
