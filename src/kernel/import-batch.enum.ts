/** The keys are the GraphQL names (ANNEX3…); the values are what import_batch.kind stores and `crte import --kind` takes. */
export enum ImportKind {
  ANNEX3 = 'annex3',
  ANNEX2 = 'annex2',
  DOTATIONS = 'dotations',
  GRANTS = 'grants',
  INDICATORS = 'indicators',
  /** A Territoires en Transitions action plan read as the contract's structure: axes, orientations, fiches actions and their funders (admins only). */
  PLAN = 'plan',
  /** Not a file: a funding line created, corrected or ended by hand (createFunding…), one batch per entry. */
  MANUAL = 'manual',
}

/** The kinds a file can be imported as (uploads, `crte import --kind`): all but MANUAL. */
export const FILE_IMPORT_KINDS: readonly ImportKind[] = Object.values(ImportKind).filter((kind) => kind !== ImportKind.MANUAL);

export enum ImportStatus {
  PREVIEWED = 'PREVIEWED',
  APPLIED = 'APPLIED',
  REJECTED = 'REJECTED',
  SUPERSEDED = 'SUPERSEDED',
  ROLLED_BACK = 'ROLLED_BACK',
  /** The same file as the source's current one: nothing to do. */
  UNCHANGED = 'UNCHANGED',
  /** A preview that its depositor dropped (the upload page's « Abandonner »): it will never be applied. */
  ABANDONED = 'ABANDONED',
}

export enum IssueSeverity {
  ERROR = 'ERROR',
  WARNING = 'WARNING',
  /** Not a problem: what the import understood on its own (a documentation sheet left aside, a year taken from a sheet's name). */
  NOTE = 'NOTE',
}
