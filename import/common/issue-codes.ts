/**
 * Every problem the import can report, with a stable code (for tests, filters and the partner's support
 * desk) and its usual severity. Messages are written where the problem is found, in French, naming the
 * value and what to do.
 */
export const ISSUE_CODES = {
  // reading the file
  FILE_EMPTY: 'ERROR',
  FILE_TOO_LARGE: 'ERROR',
  FILE_CORRUPT: 'ERROR',
  FILE_ENCRYPTED: 'ERROR',
  FILE_NOT_SPREADSHEET: 'ERROR',
  FILE_ZIP_BOMB: 'ERROR',
  FILE_TIMEOUT: 'ERROR',
  FILE_TOO_COMPLEX: 'ERROR',
  FILE_ENCODING: 'WARNING',
  SHEET_HIDDEN_SKIPPED: 'WARNING',
  // finding the table
  NO_TABLE_FOUND: 'ERROR',
  SHEET_WITHOUT_TABLE: 'WARNING',
  LAYOUT_UNKNOWN: 'ERROR',
  COLUMN_MISSING: 'ERROR',
  COLUMN_DUPLICATED: 'WARNING',
  COLUMN_UNKNOWN: 'WARNING',
  // issue 15 — documentation sheets, years from sheet names, files that hold nothing to read
  /** A sheet of documentation (« METADONNEES », « Lisez-moi », lists of choices…): left aside, said once. */
  SHEET_DOCUMENTATION: 'NOTE',
  /** An example sheet (« Exemple ») that holds a table, an action plan's among them: not read, said so (its figures are not the sender's). */
  SHEET_EXAMPLE_SKIPPED: 'WARNING',
  /** The rows of a sheet named after one year (« 2024 », « Exercice 2024 ») take that year when they do not say it. */
  YEAR_FROM_SHEET_NAME: 'NOTE',
  /** The upload's year differs from the one a sheet's name gives: the sheet's wins for its rows. */
  YEAR_UPLOAD_DIFFERS: 'WARNING',
  /** A table found, its header read, and not one row filled below it (an empty template). */
  NO_DATA: 'ERROR',
  /** A national list read whole, not one row of which is inside the contract's perimeter. */
  NOTHING_IN_PERIMETER: 'WARNING',
  // reading values
  AMOUNT_INVALID: 'ERROR',
  AMOUNT_AMBIGUOUS: 'ERROR',
  AMOUNT_NEGATIVE: 'ERROR',
  AMOUNT_ABSURD: 'ERROR',
  AMOUNT_APPROXIMATE: 'WARNING',
  AMOUNT_MULTIPLE: 'WARNING',
  AMOUNT_ROUNDED: 'WARNING',
  AMOUNT_NOT_MONEY: 'WARNING',
  FORMULA_ERROR: 'ERROR',
  YEAR_INVALID: 'ERROR',
  YEAR_MISSING: 'ERROR',
  YEAR_OUTSIDE_CONTRACT: 'WARNING',
  DATE_INVALID: 'ERROR',
  STATUS_UNKNOWN: 'ERROR',
  STAGE_UNKNOWN: 'ERROR',
  INSTRUMENT_UNKNOWN: 'ERROR',
  COST_BASE_UNKNOWN: 'WARNING',
  /** A « Nature des crédits » cell that names none: the line is kept, its nature left unsaid. */
  CREDIT_NATURE_UNKNOWN: 'WARNING',
  VALUE_INVALID: 'ERROR',
  TEXT_TOO_LONG: 'ERROR',
  // totals and duplicates
  SUBTOTAL_MISMATCH: 'ERROR',
  TOTAL_MISMATCH: 'ERROR',
  ROW_TOTAL_MISMATCH: 'ERROR',
  DUPLICATE_LINE: 'ERROR',
  // resolving against the contract
  ACTION_CODE_MISSING: 'ERROR',
  ACTION_UNKNOWN: 'WARNING',
  ACTION_MATCHED_BY_TITLE: 'WARNING',
  ACTION_DIFFERS: 'WARNING',
  /**
   * An editor's file names another organisation as the lead of a new action (created without a lead),
   * or names any lead for an existing action that has none (left to classify).
   */
  ACTION_LEAD_REFUSED: 'WARNING',
  UNKNOWN_ORIENTATION: 'ERROR',
  /** An orientation an amendment closed, named for an action or a new indicator: nothing new goes under it. */
  ORIENTATION_CLOSED: 'ERROR',
  ORGANISATION_UNKNOWN: 'WARNING',
  ORGANISATION_AMBIGUOUS: 'ERROR',
  FUNDER_MISSING: 'ERROR',
  /** One funder cell names several funders for one amount (« Métropole, Région »): the amount is not split. */
  FUNDERS_IN_ONE_CELL: 'ERROR',
  /** An action plan's sub-axis that is no orientation of the contract: the action is created to classify. */
  ORIENTATION_TO_CLASSIFY: 'WARNING',
  /** An editor's line on an action its organisation does not lead, for another funder. */
  FUNDING_NOT_ALLOWED: 'ERROR',
  INDICATOR_OWNER_UNKNOWN: 'ERROR',
  /** An editor's indicator that follows an action its organisation does not lead, or an orientation. */
  INDICATOR_NOT_ALLOWED: 'ERROR',
  // kind `plan`: an action plan read as the contract's structure
  /** A file imported as a plan that is not a Territoires en Transitions action plan. */
  PLAN_NOT_ACTION_PLAN: 'ERROR',
  /** An axis, sub-axis or sub-sub-axis cell with no recognisable code and title. */
  PLAN_LEVEL_INVALID: 'ERROR',
  /** A sub-axis without its axis, a sub-sub-axis without its sub-axis. */
  PLAN_PARENT_MISSING: 'ERROR',
  /** One code written with two titles in the file. */
  PLAN_TITLE_CONFLICT: 'ERROR',
  /** An axis or orientation the contract has under this code, worded otherwise by the file: its title is updated. */
  PLAN_TITLE_CHANGED: 'WARNING',
} as const;

export type IssueCode = keyof typeof ISSUE_CODES;
