/** What a COTECH or COPIL decided, about a fiche action or about the contract. */
export enum DecisionKind {
  VALIDATED = 'VALIDATED',
  POSTPONED = 'POSTPONED',
  ABANDONED = 'ABANDONED',
  CHANGED = 'CHANGED',
  CORRECTIVE_MEASURE = 'CORRECTIVE_MEASURE',
  AMENDMENT_REQUEST = 'AMENDMENT_REQUEST',
}

