/** What a COTECH or COPIL decided, about a fiche action or about the contract. */
export enum DecisionKind {
  VALIDATED = 'VALIDATED',
  POSTPONED = 'POSTPONED',
  ABANDONED = 'ABANDONED',
  CHANGED = 'CHANGED',
  CORRECTIVE_MEASURE = 'CORRECTIVE_MEASURE',
  AMENDMENT_REQUEST = 'AMENDMENT_REQUEST',
}

/** As the relevé de décisions writes them (the export, the dashboard repeats them in web/assets). */
export const DECISION_KIND_LABELS: Record<DecisionKind, string> = {
  VALIDATED: 'Validée',
  POSTPONED: 'Reportée',
  ABANDONED: 'Abandonnée',
  CHANGED: 'Modifiée',
  CORRECTIVE_MEASURE: 'Mesure corrective',
  AMENDMENT_REQUEST: "Demande d'avenant",
};
