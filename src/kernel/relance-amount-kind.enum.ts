export enum RelanceAmountKind {
  /** Aide: what the State gives. */
  AID = 'AID',
  /** Investissement: the total investment it supports. */
  INVESTMENT = 'INVESTMENT',
}
