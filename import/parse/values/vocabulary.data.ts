/**
 * The words partners write for statuses, funding stages, instruments and cost bases.
 *
 * To accept a new spelling, add it to the right list: nothing else changes. Write it as a person would
 * (accents, case and punctuation do not matter: every word is compared after `normaliseText`, and a final
 * "s" or "e" is ignored, so "réalisé", "Réalisée" and "REALISES" are the same word). The FIRST word of
 * each list is the one that messages show to the partner. A spelling listed under two values is refused
 * when the module loads (test/unit/values/vocabulary.test.ts checks it).
 */
import { ActionStatus } from '../../../src/kernel/action-status.enum';
import { CostBase, FundingInstrument, FundingStage } from '../../../src/kernel/funding.enum';
import { CreditNature } from '../../../src/kernel/credit-nature.enum';

export const ACTION_STATUS_WORDS: Record<ActionStatus, readonly string[]> = {
  [ActionStatus.IDEA]: ['idée', 'en projet', 'projet', 'intention', 'piste', 'envisagé', 'en réflexion', 'réflexion', 'à discuter'],
  [ActionStatus.STUDY]: [
    'en étude',
    'étude',
    "à l'étude",
    "en cours d'étude",
    'études en cours',
    'étude en cours',
    'phase étude',
    'en phase étude',
    "phase d'étude",
    'étude de faisabilité',
    'conception',
    'en conception',
    'diagnostic',
  ],
  [ActionStatus.PLANNED]: [
    'à venir',
    'avenir',
    'prévu',
    'programmé',
    'planifié',
    'à lancer',
    'non démarré',
    'non commencé',
    'pas commencé',
    'à engager',
    'à démarrer',
  ],
  [ActionStatus.UNDERWAY]: [
    'en cours',
    'engagé',
    'démarré',
    'commencé',
    'lancé',
    'en travaux',
    'travaux en cours',
    'en cours de réalisation',
    'en réalisation',
    'en chantier',
    'chantier en cours',
    // Territoires en Transitions: a fiche under way, behind its schedule
    'en retard',
  ],
  [ActionStatus.DONE]: [
    'réalisé',
    'terminé',
    'achevé',
    'livré',
    'fait',
    'clos',
    'clôturé',
    'soldé',
    'finalisé',
    'mis en service',
    'opérationnel',
    'inauguré',
  ],
  [ActionStatus.PAUSED]: ['suspendu', 'en pause', 'en attente', 'reporté', 'différé', 'en suspens', 'ajourné'],
  [ActionStatus.BLOCKED]: ['bloqué', 'en difficulté', 'bloquage', 'blocage'],
  [ActionStatus.ABANDONED]: ['abandonné', 'annulé', 'arrêté', 'sans suite', 'retiré', 'renoncé', 'non retenu'],
};

export const FUNDING_STAGE_WORDS: Record<FundingStage, readonly string[]> = {
  [FundingStage.PLANNED]: [
    'prévu',
    'prévisionnel',
    'programmé',
    'montant prévu',
    'prévision',
    'envisagé',
    'estimé',
    'estimation',
    'plan de financement',
    'budget prévisionnel',
    'inscrit',
  ],
  [FundingStage.REQUESTED]: [
    'demandé',
    'sollicité',
    'montant demandé',
    'demande',
    'en demande',
    'déposé',
    'dossier déposé',
    'sollicitation',
    'en instruction',
    'instruction',
  ],
  [FundingStage.GRANTED]: [
    'attribué',
    'accordé',
    'engagé',
    'notifié',
    'montant attribué',
    'obtenu',
    'acquis',
    'validé',
    'voté',
    'conventionné',
    'convention signée',
    'arrêté attributif',
    'programmation',
  ],
  [FundingStage.PAID]: [
    'payé',
    'versé',
    'mandaté',
    'perçu',
    'perçues',
    'encaissé',
    'liquidé',
    'montant payé',
    'montant versé',
    'soldé',
    'décaissé',
    'reçu',
  ],
};

/** Words ignored around a stage when the whole does not match: "Montant demandé" → "demandé". */
export const FUNDING_STAGE_IGNORED_WORDS: readonly string[] = [
  'montant',
  'montants',
  'financement',
  'financements',
  'subvention',
  'subventions',
  'aide',
  'aides',
  'credit',
  'credits',
  'total',
  'en',
  'euros',
  'eur',
  'ht',
  'ttc',
];

export const FUNDING_INSTRUMENT_WORDS: Record<FundingInstrument, readonly string[]> = {
  [FundingInstrument.SUBSIDY]: [
    'subvention',
    'subv.',
    'aide',
    'dotation',
    'fonds de concours',
    'aide financière',
    'aide à l’investissement',
    'subvention d’investissement',
    'subvention de fonctionnement',
    'crédits',
  ],
  [FundingInstrument.LOAN]: [
    'prêt',
    'emprunt',
    'avance remboursable',
    'prêt à taux zéro',
    'PTZ',
    'prêt bonifié',
    'prêt relance',
    'avance',
  ],
  [FundingInstrument.ENGINEERING]: [
    'ingénierie',
    'AMO',
    "assistance à maîtrise d'ouvrage",
    'étude',
    'appui',
    'accompagnement',
    'ingénierie financière',
    'ingénierie technique',
    'chef de projet',
  ],
  [FundingInstrument.OWN_FUNDS]: [
    'fonds propres',
    'autofinancement',
    'part du maître d’ouvrage',
    'reste à charge',
    'apport',
    'fonds propre',
  ],
  [FundingInstrument.TAX_RELIEF]: [
    'exonération',
    'dégrèvement',
    'allègement fiscal',
    "baisse d'impôts",
    "crédit d'impôt",
    'exonération fiscale',
    'abattement',
  ],
  [FundingInstrument.OTHER]: ['autre', 'divers', 'mixte'],
};

/**
 * The nature of the credits, as a CRTE's « Engagements des partenaires » lists them: « des crédits du plan
 * France Relance ; des crédits contractualisés (nouveaux engagements) ; des crédits valorisés (rappels des
 * engagements antérieurs et des dispositifs articulés non intégrés) ».
 */
export const CREDIT_NATURE_WORDS: Record<CreditNature, readonly string[]> = {
  [CreditNature.RELANCE]: [
    'France Relance',
    'relance',
    'plan de relance',
    'plan France Relance',
    'crédits relance',
    'crédits France Relance',
    'crédits du plan France Relance',
    'crédits du plan de relance',
  ],
  [CreditNature.CONTRACTUALISED]: [
    'crédits contractualisés',
    'contractualisé',
    'nouveaux engagements',
    'nouvel engagement',
    'nouveau',
    'crédits nouveaux',
  ],
  [CreditNature.VALORISED]: [
    'crédits valorisés',
    'valorisé',
    'valorisation',
    'engagement antérieur',
    'engagements antérieurs',
    'rappel',
    'rappel des engagements antérieurs',
    'dispositif articulé non intégré',
  ],
};

export const COST_BASE_WORDS: Record<CostBase, readonly string[]> = {
  [CostBase.HT]: ['HT', 'H.T.', 'hors taxes', 'hors taxe', 'hors TVA', 'montant HT', 'en euros HT', '€ HT'],
  [CostBase.TTC]: ['TTC', 'T.T.C.', 'toutes taxes comprises', 'toutes taxes', 'montant TTC', 'en euros TTC', '€ TTC'],
};

/**
 * Inside amount cells of several amounts ("20 M€ en prêt et 5 M€ en subv."), the single words that
 * tell a loan from a subsidy (compared like the words above).
 */
export const AMOUNT_INSTRUMENT_WORDS: { LOAN: readonly string[]; SUBSIDY: readonly string[] } = {
  LOAN: ['prêt', 'prêts', 'emprunt', 'avance'],
  SUBSIDY: ['subvention', 'subv', 'subventions'],
};
