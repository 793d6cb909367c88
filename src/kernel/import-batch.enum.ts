export enum ImportKind {
  annex3 = 'annex3',
  annex2 = 'annex2',
  dotations = 'dotations',
  grants = 'grants',
  indicators = 'indicators',
}

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
}
