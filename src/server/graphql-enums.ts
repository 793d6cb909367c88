/**
 * The GraphQL face of the kernel's closed sets: their names, descriptions and value descriptions in the
 * schema. The enums themselves (src/kernel/*.enum.ts) stay plain TypeScript, so that the import stages
 * load no GraphQL framework. Imported by schema.ts before buildSchema.
 */
import { registerEnumType } from 'type-graphql';
import { ActionStatus } from '../kernel/action-status.enum';
import { AmendmentChangeKind } from '../kernel/amendment-change-kind.enum';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { CreditNature } from '../kernel/credit-nature.enum';
import { DecisionKind } from '../kernel/decision-kind.enum';
import { CostBase, FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { ImportKind, ImportStatus, IssueSeverity } from '../kernel/import-batch.enum';
import { MeetingBody } from '../kernel/meeting-body.enum';
import { AMENDMENT_CHANGE_KIND_LABELS } from '../kernel/french-labels';
import { IndicatorValueStage } from '../kernel/indicator-value-stage.enum';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { RelanceAmountKind } from '../kernel/relance-amount-kind.enum';
import { Role } from '../kernel/role.enum';

registerEnumType(ActionStatus, {
  name: 'ActionStatus',
  description: "Avancement de l'action",
  valuesConfig: {
    IDEA: { description: 'Idée' },
    STUDY: { description: 'En étude' },
    PLANNED: { description: 'À venir' },
    UNDERWAY: { description: 'En cours' },
    DONE: { description: 'Réalisée' },
    PAUSED: { description: 'Suspendue' },
    BLOCKED: { description: 'Bloquée' },
    ABANDONED: { description: 'Abandonnée' },
  },
});
registerEnumType(ContractPartyRole, { name: 'ContractPartyRole' });
registerEnumType(AmendmentChangeKind, {
  name: 'AmendmentChangeKind',
  description: 'Ce que change une modification d’un avenant',
  // The kernel's French labels (one table: the pages and files say the same).
  valuesConfig: Object.fromEntries(Object.values(AmendmentChangeKind).map((kind) => [kind, { description: AMENDMENT_CHANGE_KIND_LABELS[kind] }])),
});
registerEnumType(FundingStage, {
  name: 'FundingStage',
  description: 'Étape du financement',
  valuesConfig: {
    PLANNED: { description: 'Prévu' },
    REQUESTED: { description: 'Demandé' },
    GRANTED: { description: 'Attribué / engagé' },
    PAID: { description: 'Payé / mandaté' },
  },
});
registerEnumType(FundingInstrument, { name: 'FundingInstrument', description: 'Nature du financement' });
registerEnumType(CreditNature, {
  name: 'CreditNature',
  description: 'Nature des crédits, comme le contrat les nomme (Engagements des partenaires)',
  valuesConfig: {
    RELANCE: { description: 'Crédits du plan France Relance' },
    CONTRACTUALISED: { description: 'Crédits contractualisés : nouveaux engagements' },
    VALORISED: { description: 'Crédits valorisés : rappels des engagements antérieurs et dispositifs articulés non intégrés' },
  },
});
registerEnumType(CostBase, { name: 'CostBase', description: 'Base du coût : hors taxes ou toutes taxes comprises' });
registerEnumType(ImportKind, {
  name: 'ImportKind',
  description: 'Nature du fichier importé',
  valuesConfig: { PLAN: { description: 'Plan d’action Territoires en Transitions : crée les axes, orientations et fiches actions du contrat, avec leurs financeurs (administrateurs seulement)' } },
});
registerEnumType(ImportStatus, { name: 'ImportStatus' });
registerEnumType(IssueSeverity, {
  name: 'IssueSeverity',
  valuesConfig: { ERROR: { description: 'Bloque le fichier' }, WARNING: { description: 'Ne bloque pas' }, NOTE: { description: 'Pas un problème : ce que l’import a compris seul (feuille de documentation, année prise du nom de la feuille)' } },
});
registerEnumType(IndicatorValueStage, {
  name: 'IndicatorValueStage',
  valuesConfig: { TARGET: { description: 'Cible' }, ACTUAL: { description: 'Réalisé' } },
});
registerEnumType(OrganisationKind, { name: 'OrganisationKind', description: "Nature de l'organisation" });
registerEnumType(RelanceAmountKind, { name: 'RelanceAmountKind' });
registerEnumType(Role, { name: 'Role' });
registerEnumType(MeetingBody, {
  name: 'MeetingBody',
  description: 'Instance de pilotage du contrat',
  valuesConfig: { COTECH: { description: 'Comité technique' }, COPIL: { description: 'Comité de pilotage' } },
});
registerEnumType(DecisionKind, {
  name: 'DecisionKind',
  description: 'Nature d’une décision d’un COTECH ou d’un COPIL',
  valuesConfig: {
    VALIDATED: { description: 'Validée' },
    POSTPONED: { description: 'Reportée' },
    ABANDONED: { description: 'Abandonnée' },
    CHANGED: { description: 'Modifiée' },
    CORRECTIVE_MEASURE: { description: 'Mesure corrective' },
    AMENDMENT_REQUEST: { description: 'Demande d’avenant au contrat' },
  },
});
