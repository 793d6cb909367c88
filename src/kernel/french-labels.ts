/**
 * The French label of every value of a closed set, for the files people open (the French CSV, every
 * xlsx, the import anomalies, the terminal's summary). Files for BI tools (plain CSV, JSON, the SQL
 * views) keep the codes: a code never changes, a label may be reworded.
 *
 * One table for the whole API, so that « Prêt » is written the same in every file. The browser's pages
 * (web/assets/pages/*.js) read it too, served as /assets/labels.js (src/web/labels-module.ts).
 * test/unit/kernel/french-labels.test.ts reads every enum of src/kernel/*.enum.ts: a new enum, or a new
 * value, without a label here fails it.
 */
import { ActionStatus } from './action-status.enum';
import { ContractPartyRole } from './contract-party-role.enum';
import { CreditNature } from './credit-nature.enum';
import { DecisionKind } from './decision-kind.enum';
import { MeetingBody } from './meeting-body.enum';
import { AmendmentChangeKind } from './amendment-change-kind.enum';
import { CostBase, FundingInstrument, FundingStage } from './funding.enum';
import { ImportKind, ImportStatus, IssueSeverity } from './import-batch.enum';
import { IndicatorValueStage } from './indicator-value-stage.enum';
import { OrganisationKind } from './organisation-kind.enum';
import { RelanceAmountKind } from './relance-amount-kind.enum';
import { Role } from './role.enum';

/** Keyed by the enum's stored value (ImportKind's 'annex3', not 'ANNEX3'). */
type Labels<E extends string> = Readonly<Record<E, string>>;

interface ClosedSet<E extends string> {
  /** The enum object itself: GraphQL names (its keys) → stored values. */
  values: Readonly<Record<string, E>>;
  labels: Labels<E>;
}

function closedSet<E extends string>(values: Readonly<Record<string, E>>, labels: Labels<E>): ClosedSet<E> {
  return { values, labels };
}

/** In the order money goes through them. */
export const FUNDING_STAGE_LABELS: Labels<FundingStage> = {
  [FundingStage.PLANNED]: 'Prévu',
  [FundingStage.REQUESTED]: 'Demandé',
  [FundingStage.GRANTED]: 'Attribué',
  [FundingStage.PAID]: 'Payé',
};

export const FUNDING_INSTRUMENT_LABELS: Labels<FundingInstrument> = {
  [FundingInstrument.SUBSIDY]: 'Subvention',
  [FundingInstrument.LOAN]: 'Prêt',
  [FundingInstrument.ENGINEERING]: 'Ingénierie',
  [FundingInstrument.OWN_FUNDS]: 'Fonds propres',
  [FundingInstrument.TAX_RELIEF]: 'Avantage fiscal',
  [FundingInstrument.OTHER]: 'Autre',
};

/** As the contract's « Engagements des partenaires » names them. */
export const CREDIT_NATURE_LABELS: Labels<CreditNature> = {
  [CreditNature.RELANCE]: 'Crédits France Relance',
  [CreditNature.CONTRACTUALISED]: 'Crédits contractualisés',
  [CreditNature.VALORISED]: 'Crédits valorisés',
};

export const COST_BASE_LABELS: Labels<CostBase> = {
  [CostBase.HT]: 'HT',
  [CostBase.TTC]: 'TTC',
};

export const ACTION_STATUS_LABELS: Labels<ActionStatus> = {
  [ActionStatus.IDEA]: 'Idée',
  [ActionStatus.STUDY]: 'En étude',
  [ActionStatus.PLANNED]: 'À venir',
  [ActionStatus.UNDERWAY]: 'En cours',
  [ActionStatus.DONE]: 'Réalisée',
  [ActionStatus.PAUSED]: 'Suspendue',
  [ActionStatus.BLOCKED]: 'Bloquée',
  [ActionStatus.ABANDONED]: 'Abandonnée',
};

export const ORGANISATION_KIND_LABELS: Labels<OrganisationKind> = {
  [OrganisationKind.STATE]: 'État',
  [OrganisationKind.STATE_OPERATOR]: 'Opérateur de l’État',
  [OrganisationKind.REGION]: 'Région',
  [OrganisationKind.DEPARTMENT]: 'Département',
  [OrganisationKind.EPCI]: 'EPCI',
  [OrganisationKind.COMMUNE]: 'Commune',
  [OrganisationKind.EU]: 'Union européenne',
  [OrganisationKind.COMPANY]: 'Entreprise',
  [OrganisationKind.ASSOCIATION]: 'Association',
  [OrganisationKind.OTHER]: 'Autre',
};

export const IMPORT_KIND_LABELS: Labels<ImportKind> = {
  [ImportKind.ANNEX3]: 'Annexe 3 — investissements',
  [ImportKind.ANNEX2]: 'Annexe 2 — mesures de relance',
  [ImportKind.DOTATIONS]: 'Dotations de l’État (DETR, DSIL, FNADT)',
  [ImportKind.GRANTS]: 'Listes nationales de subventions',
  [ImportKind.INDICATORS]: 'Indicateurs',
  [ImportKind.PLAN]: 'Plan d’action — axes, orientations et fiches actions',
  [ImportKind.MANUAL]: 'Saisie',
};

export const IMPORT_STATUS_LABELS: Labels<ImportStatus> = {
  [ImportStatus.PREVIEWED]: 'Aperçu',
  [ImportStatus.APPLIED]: 'Appliqué',
  [ImportStatus.REJECTED]: 'Rejeté',
  [ImportStatus.SUPERSEDED]: 'Remplacé',
  [ImportStatus.ROLLED_BACK]: 'Annulé',
  [ImportStatus.UNCHANGED]: 'Inchangé',
  [ImportStatus.ABANDONED]: 'Abandonné',
};

export const ISSUE_SEVERITY_LABELS: Labels<IssueSeverity> = {
  [IssueSeverity.ERROR]: 'Erreur',
  [IssueSeverity.WARNING]: 'Avertissement',
  [IssueSeverity.NOTE]: 'Note',
};

export const INDICATOR_VALUE_STAGE_LABELS: Labels<IndicatorValueStage> = {
  [IndicatorValueStage.TARGET]: 'Cible',
  [IndicatorValueStage.ACTUAL]: 'Réalisé',
};

export const RELANCE_AMOUNT_KIND_LABELS: Labels<RelanceAmountKind> = {
  [RelanceAmountKind.AID]: 'Aide',
  [RelanceAmountKind.INVESTMENT]: 'Investissement soutenu',
};

export const CONTRACT_PARTY_ROLE_LABELS: Labels<ContractPartyRole> = {
  [ContractPartyRole.SIGNATORY]: 'Signataire',
  [ContractPartyRole.PARTNER]: 'Partenaire',
  [ContractPartyRole.PERIMETER]: 'Périmètre',
};

/** As the relevé de décisions writes them (the export, and the dashboard through /assets/labels.js). */
export const DECISION_KIND_LABELS: Labels<DecisionKind> = {
  [DecisionKind.VALIDATED]: 'Validée',
  [DecisionKind.POSTPONED]: 'Reportée',
  [DecisionKind.ABANDONED]: 'Abandonnée',
  [DecisionKind.CHANGED]: 'Modifiée',
  [DecisionKind.CORRECTIVE_MEASURE]: 'Mesure corrective',
  [DecisionKind.AMENDMENT_REQUEST]: 'Demande d’avenant',
};

export const AMENDMENT_CHANGE_KIND_LABELS: Labels<AmendmentChangeKind> = {
  [AmendmentChangeKind.ADD_AXIS]: 'Axe ajouté',
  [AmendmentChangeKind.RENAME_AXIS]: 'Axe renommé',
  [AmendmentChangeKind.CLOSE_AXIS]: 'Axe clos',
  [AmendmentChangeKind.ADD_ORIENTATION]: 'Orientation ajoutée',
  [AmendmentChangeKind.RENAME_ORIENTATION]: 'Orientation renommée',
  [AmendmentChangeKind.CLOSE_ORIENTATION]: 'Orientation close',
  [AmendmentChangeKind.MOVE_ACTION]: 'Action déplacée vers une autre orientation',
  [AmendmentChangeKind.ADD_COMMUNE]: 'Commune entrée dans le périmètre',
  [AmendmentChangeKind.REMOVE_COMMUNE]: 'Commune sortie du périmètre',
  [AmendmentChangeKind.ADD_EPCI]: 'EPCI entré dans le périmètre (avec ses communes)',
  [AmendmentChangeKind.REMOVE_EPCI]: 'EPCI sorti du périmètre (avec ses communes)',
};

export const MEETING_BODY_LABELS: Labels<MeetingBody> = {
  [MeetingBody.COTECH]: 'Comité technique (COTECH)',
  [MeetingBody.COPIL]: 'Comité de pilotage (COPIL)',
};

export const ROLE_LABELS: Labels<Role> = {
  [Role.ADMIN]: 'Administrateur',
  [Role.EDITOR]: 'Éditeur',
  [Role.READER]: 'Lecteur',
};

/**
 * The layouts an import recognises (import/detect/layouts.data.ts, `import_batch.layout`): not a kernel
 * enum (the kernel imports nothing of import/), so keyed by name; the unit test checks every layout has one.
 */
export const LAYOUT_LABELS: Readonly<Record<string, string>> = {
  'by-year': 'une colonne par année',
  'by-funder': 'une colonne par financeur',
  pairs: 'des paires financeur / montant',
  long: 'une ligne par action, financeur et année',
  'action-plan': 'plan d’action Territoires en Transitions',
  annex2: 'bilan du plan de relance (annexe 2)',
  dotations: 'tableau des dotations perçues',
  scdl: 'données ouvertes des subventions (SCDL)',
  grants: 'liste nationale des subventions',
  'indicators-pairs': 'des paires valeur / année par indicateur',
  'indicators-long': 'une ligne par valeur d’indicateur',
  indicators: 'modèle d’indicateurs du contrat',
};

/** Every closed set, by its enum's name (which is also its GraphQL name). */
export const CLOSED_SETS = {
  ActionStatus: closedSet(ActionStatus, ACTION_STATUS_LABELS),
  ContractPartyRole: closedSet(ContractPartyRole, CONTRACT_PARTY_ROLE_LABELS),
  FundingStage: closedSet(FundingStage, FUNDING_STAGE_LABELS),
  FundingInstrument: closedSet(FundingInstrument, FUNDING_INSTRUMENT_LABELS),
  CostBase: closedSet(CostBase, COST_BASE_LABELS),
  CreditNature: closedSet(CreditNature, CREDIT_NATURE_LABELS),
  DecisionKind: closedSet(DecisionKind, DECISION_KIND_LABELS),
  MeetingBody: closedSet(MeetingBody, MEETING_BODY_LABELS),
  AmendmentChangeKind: closedSet(AmendmentChangeKind, AMENDMENT_CHANGE_KIND_LABELS),
  ImportKind: closedSet(ImportKind, IMPORT_KIND_LABELS),
  ImportStatus: closedSet(ImportStatus, IMPORT_STATUS_LABELS),
  IssueSeverity: closedSet(IssueSeverity, ISSUE_SEVERITY_LABELS),
  IndicatorValueStage: closedSet(IndicatorValueStage, INDICATOR_VALUE_STAGE_LABELS),
  OrganisationKind: closedSet(OrganisationKind, ORGANISATION_KIND_LABELS),
  RelanceAmountKind: closedSet(RelanceAmountKind, RELANCE_AMOUNT_KIND_LABELS),
  Role: closedSet(Role, ROLE_LABELS),
} as const;

export type ClosedSetName = keyof typeof CLOSED_SETS;

/**
 * The labels of a closed set for values written either way: its stored values ('annex3') and its
 * GraphQL names ('ANNEX3'), which differ for ImportKind and Role. A value not in the set is absent.
 */
export function frenchLabelsOf(name: string): Readonly<Record<string, string>> | undefined {
  const set = (CLOSED_SETS as Record<string, ClosedSet<string>>)[name];
  if (!set) return undefined;
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(set.values)) {
    labels[value] = set.labels[value];
    labels[key] = set.labels[value];
  }
  return labels;
}
