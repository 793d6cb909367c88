/**
 * DATA — what each header of each kind of file means. A maintainer who meets a new way of writing a
 * header adds it here; the detector is not touched.
 *
 * How headers are compared: both the header and every synonym go through normaliseHeader(), which drops
 * case, accents, apostrophes (’ or '), hyphens, line breaks, (non-breaking) spaces, the units it finds
 * (`€`, `k€`, `M€`, `en milliers d'euros`, `HT`, `TTC`…) and the content of parentheses — so write the
 * synonyms as people write them: 'Coût total HT' and 'Coût total (en k€)' both read 'cout total'. When
 * the text without parentheses matches nothing, the whole text is tried ('HT/TTC').
 *
 * Order of matching for one header: `ignored` headers, the roles' synonyms (exact), the funder columns'
 * synonyms (exact), a year ('2023', 'Année 2023', 'Montant 2023', '2024 (€)'), the roles' `prefixes`
 * ('Financeur 2', 'Territoire de DA', 'Total 2021-2026'), the funder prefixes ('Région Hauts-de-France').
 *
 * ─── Kind `indicators` — the indicator template (our design) ───────────────────────────────────────
 * One row per indicator, attached to an action (`Code action`) or to an orientation (`Orientation`):
 *
 *   Code action | Code indicateur | Indicateur | Unité | Valeur de référence | Année de référence |
 *   Cible | Année cible | then EITHER one column per year of measured values (2021, 2022 … : layout
 *   `indicators`), OR `Année` | `Valeur` | `Type (cible/réalisé)` with one row per indicator × year
 *   (layout `indicators-long`; Type empty means réalisé).
 *
 * `Code indicateur` is optional (the name identifies the indicator within its action), `Unité` is free
 * text (km, logements, tCO2e, %), values are plain numbers (not money: units in headers are ignored).
 */
import type { FunderColumnSpec, ImportKindName, KindColumns, RoleSpec, RowMarkers, StageName } from './types';
import { INDICATOR_PAIR_ROLES, SCDL_GRANT_ROLES } from './column-roles.open-data.data';

// ---------------------------------------------------------------------------------------------------
// shared pieces
// ---------------------------------------------------------------------------------------------------

const ACTION_CODE: RoleSpec = {
  role: 'actionCode',
  label: "N° de l'action",
  synonyms: [
    'N° action', "N° de l'action", 'N°', 'No', 'Numéro', 'Numéro action', "Numéro de l'action", 'Référence',
    'Référence action', "Référence de l'action", 'Réf.', 'Réf. action', 'Code action', "Code de l'action",
    'Code', 'N° fiche', 'N° fiche action', 'N° de fiche', 'Numéro de fiche', 'Fiche action', 'N° projet',
    'Code projet', 'Identifiant', 'ID action', 'Id', 'numero',
  ],
  expects: 'text',
};

const ACTION_TITLE: RoleSpec = {
  role: 'actionTitle',
  label: "Intitulé de l'action",
  synonyms: [
    "Intitulé de l'action", 'Intitulé', 'Intitulé action', 'Intitulé du projet', "Intitulé de l'opération",
    'Nom du projet', 'Nom de projet', "Nom de l'action", "Nom de l'opération", 'Titre', 'Titre de la fiche action',
    "Titre de l'action", 'Titre du projet', 'Libellé', "Libellé de l'action", 'Libellé du projet', 'Projet',
    'Opération', 'Action', 'intitule',
  ],
  expects: 'text',
};

const ORIENTATION: RoleSpec = {
  role: 'orientation',
  label: 'Orientation CRTE',
  synonyms: [
    'Orientation CRTE', 'Orientation', 'Orientation stratégique', 'Orientation stratégique CRTE',
    'Orientation opérationnelle', 'Code orientation', 'N° orientation', 'Sous-axe (x.x)', 'Sous-axe',
    'Axe / orientation', 'Axe et orientation', 'Objectif stratégique', 'Objectif opérationnel', 'orientation',
  ],
  expects: 'text',
};

const LEAD: RoleSpec = {
  role: 'lead',
  label: "Maître d'ouvrage",
  synonyms: [
    "Maître d'ouvrage", "Maîtrise d'ouvrage", 'MOA', 'MO', 'Porteur', 'Porteur du projet', 'Porteur de projet',
    "Porteur de l'action", 'Structure pilote', 'Structure porteuse', 'Pilote', 'Bénéficiaire', 'Porteur / MOA',
    "Maître d'ouvrage / Porteur",
  ],
  expects: 'text',
};

const TOTAL_COST: RoleSpec = {
  role: 'totalCost',
  label: 'Coût total',
  synonyms: [
    'Coût total HT', "Coût total de l'opération (en euros HT)", 'Coût total', "Coût total de l'opération",
    "Coût total de l'action", 'Coût total du projet', 'Coût', 'Coût global', 'Coût estimatif', 'Coût estimé',
    'Coût prévisionnel', 'Coût prévisionnel total', 'Budget prévisionnel total € HT', 'Budget prévisionnel',
    'Budget prévisionnel total', 'Budget', 'Budget total', 'Montant total du projet', "Montant total de l'opération",
    "Montant de l'opération", 'Montant du projet', 'Coût HT', 'Coût TTC', 'Dépense subventionnable',
    'Assiette éligible', 'Montant des travaux',
  ],
  expects: 'number',
};

const STATUS: RoleSpec = {
  role: 'status',
  label: "État d'avancement",
  synonyms: [
    'Statut', "État d'avancement", 'Avancement', 'Stade', "Stade d'avancement", 'Statut du projet',
    "Statut de l'action", 'Phase', 'Situation', 'État du projet', "Niveau d'avancement",
  ],
  expects: 'choice',
};

const COST_BASE: RoleSpec = {
  role: 'costBase',
  label: 'Base HT/TTC',
  synonyms: ['base', 'HT/TTC', 'HT ou TTC', 'Base HT/TTC', 'Base du coût', 'Base de calcul', 'Régime TVA'],
  expects: 'choice',
};

const YEAR: RoleSpec = {
  role: 'year',
  label: 'Année',
  synonyms: [
    'Année', 'annee', 'Exercice', 'Année de programmation', 'Année de financement', "Année d'engagement",
    'Année de la subvention', 'Millésime', 'An',
  ],
  expects: 'year',
};

const ROW_TOTAL: RoleSpec = {
  role: 'rowTotal',
  label: 'Total',
  synonyms: ['Total', 'Total (€)', 'TOTAL', 'Total général', 'Total ligne', 'Somme', 'Total financements', 'Total des financements'],
  prefixes: ['total', 'sous total'],
  expects: 'number',
};

const COMMENT: RoleSpec = {
  role: 'comment',
  label: 'Commentaire',
  synonyms: ['Commentaire', 'Commentaires', 'Observation', 'Observations', 'Remarque', 'Remarques', 'Précisions', 'Notes', 'Note'],
  expects: 'any',
  repeatable: true,
  weak: true,
};

// ─── Territoires en Transitions action plans (ADEME's national template, xlsx and ods) ──────────────
// « Axe (x) » | « Sous-axe (x.x) » | « Sous-sous axe (x.x.x) » | « Titre de la fiche action » | … |
// « Financeur 1 » | « Montant € HT » | « Financeur 2 » | « Montant € HT » …: the amount headers carry no
// number; detect/action-plan.ts gives each the pair number of the funder column before it.

/** Never matched by a header: given by position (detect/action-plan.ts). */
const PLAN_AMOUNT: RoleSpec = { role: 'planAmount', label: 'Montant € HT (du financeur qui le précède)', synonyms: [], expects: 'number', repeatable: true };
const SUB_SUB_AXIS: RoleSpec = { role: 'subSubAxis', label: 'Sous-sous axe', synonyms: ['Sous-sous axe', 'Sous sous-axe'], expects: 'text' };
/** The template's columns that carry nothing the import uses (no COLUMN_UNKNOWN for each). */
const ACTION_PLAN_IGNORED = [
  'Partenaires', 'Niveau de priorité', 'Priorité', 'Personne pilote', 'Personnes pilotes', 'Élu référent', 'Élus référents',
  'Service pilote', 'Services pilotes', 'Direction ou service pilote', 'Cibles', 'Ambition', 'Résultats attendus',
  'Moyens humains et techniques', 'Calendrier', 'Actions liées', 'Fiches des plans liées', 'Indicateurs liés',
  'Documents et liens', 'Thématique', 'Thématiques', 'Sous-thématique', 'Sous-thématiques', 'Instances de gouvernance',
  'Participation citoyenne', 'Action en amélioration continue', 'Financements', 'Objectifs', 'Effets attendus',
];

/** Headers that carry nothing the import uses. */
const IGNORED = ['Suivi', 'Contact', 'Contacts', 'Lien', 'Liens', 'Pièces jointes', 'Date de mise à jour', 'Mise à jour', '#', 'Colonne1', 'Column1'];

/** Funder and programme columns (annex 3 by-funder). Codes are the `programme` table's. */
export const FUNDER_COLUMNS: readonly FunderColumnSpec[] = [
  { synonyms: ['DETR', "Dotation d'équipement des territoires ruraux"], descriptor: { programme: 'DETR' } },
  { synonyms: ['DSIL', 'DSIL classique', 'DSIL droit commun', "Dotation de soutien à l'investissement local"], descriptor: { programme: 'DSIL' } },
  { synonyms: ['DSIL relance', 'DSIL exceptionnelle', 'DSIL plan de relance'], descriptor: { programme: 'DSIL_RELANCE' } },
  {
    synonyms: [
      'DSIL rénovation thermique', 'DSIL rénovation énergétique', 'DSIL RT', 'DSIL rénovation thermique des bâtiments publics',
      'DSIL rénovation énergétique des bâtiments', 'DSIL rénovation énergétique des bâtiments publics',
    ],
    descriptor: { programme: 'DSIL_RENOVATION_THERMIQUE' },
  },
  { synonyms: ['DSID', "Dotation de soutien à l'investissement des départements", "Dotation de soutien à l'investissement départemental"], descriptor: { programme: 'DSID' } },
  { synonyms: ['DPV', 'Dotation politique de la ville'], descriptor: { programme: 'DPV' } },
  { synonyms: ['FNADT'], descriptor: { programme: 'FNADT' } },
  {
    synonyms: ['Fonds vert', "Fonds d'accélération de la transition écologique", "Fonds d'accélération de la transition écologique dans les territoires"],
    descriptor: { programme: 'FONDS_VERT' },
  },
  { synonyms: ['Fonds friches', 'Fonds friche', 'Recyclage des friches', 'Recyclage foncier des friches'], descriptor: { programme: 'FONDS_FRICHES' } },
  { synonyms: ['FEDER', 'Fonds européen de développement régional'], descriptor: { programme: 'FEDER' } },
  { synonyms: ['FSE', 'FSE+', 'Fonds social européen'], descriptor: { programme: 'FSE' } },
  { synonyms: ['ERBM', 'Renouveau du bassin minier'], descriptor: { programme: 'ERBM' } },
  { synonyms: ['NPNRU'], descriptor: { programme: 'NPNRU' } },
  { synonyms: ['FIPD'], descriptor: { programme: 'FIPD' } },
  { synonyms: ['MaPrimeRénov', "MaPrimeRénov'", 'Ma prime rénov'], descriptor: { programme: 'MAPRIMERENOV' } },
  { synonyms: ['État', 'Etat', 'Crédits État', "Crédits d'État", 'État autres'], descriptor: { funder: 'ETAT' } },
  { synonyms: ['Région', 'Conseil régional', 'CR', 'Région (CR)'], descriptor: { funder: 'GENERIC_REGION' } },
  { synonyms: ['Département', 'Conseil départemental', 'CD', 'Conseil général'], descriptor: { funder: 'GENERIC_DEPARTMENT' } },
  {
    synonyms: ['EPCI', 'Intercommunalité', 'Interco', "Communauté d'agglomération", 'Communauté de communes', 'Agglo', 'Agglomération'],
    descriptor: { funder: 'GENERIC_EPCI' },
  },
  { synonyms: ['Commune', 'Communes', 'Ville', 'Commune / ville'], descriptor: { funder: 'GENERIC_COMMUNE' } },
  {
    synonyms: ['Autofinancement', 'Fonds propres', "Part du maître d'ouvrage", 'Part MOA', 'Reste à charge', 'Autofinancement MOA'],
    descriptor: { funder: 'LEAD', ownFunds: true },
  },
  {
    synonyms: ['Autres', 'Autre', 'Autres financements', 'Autres financeurs', 'Autres partenaires', 'Autres (préciser)', 'Autres financements (préciser)'],
    descriptor: { other: true },
  },
  {
    synonyms: [
      'ADEME', 'Banque des Territoires', 'BdT', 'Caisse des dépôts', 'CDC', "Agence de l'eau", "Agence de l'eau Artois-Picardie",
      'AEAP', 'Anah', 'ANRU', 'ANCT', 'Bpifrance', 'BPI', 'CAF', 'Action Logement', 'Europe', 'UE', 'Union européenne',
      'FEADER', 'LEADER', 'DRAC', 'DREAL', 'ARS', 'OFB', 'EPF', 'CNDS', 'Agence nationale du sport', 'ANS', 'SMTD',
      'Fondation du patrimoine', 'CEREMA', 'VNF', 'ONF',
    ],
    descriptor: 'AS_WRITTEN',
  },
];

/** A header starting with one of these names an organisation: 'Région Hauts-de-France', 'Ville de Douai'. */
const FUNDER_PREFIXES = [
  'Région', 'Conseil régional', 'Département', 'Département du', 'Conseil départemental', "Agence de l'eau", 'Ville de',
  'Commune de', "Communauté d'agglomération", 'Communauté de communes', 'Fonds', 'Caisse',
];

/** Words around a year in a year header ('Année 2023', 'Montant 2023', '2023 prévisionnel'). */
const YEAR_WORDS = ['annee', 'montant', 'montants', 'exercice', 'en', 'an', 'budget', 'credits', 'programmation', 'financement', 'previsionnel', 'previsionnelle'];

// ---------------------------------------------------------------------------------------------------
// grants — the DGCL lists since 2020 (exercice;dispositif;programme;beneficiaire_type;beneficiaire_siren;
// beneficiaire_dep;beneficiaire_nom;beneficiaire_code_insee;intitule;cout_ht;subvention;taux) and the
// national Fonds vert list (nom_region;code_departement;nom_departement;code_commune;nom_commune;axe;
// numero_demarche_ds;nom_demarche_ds;numero_dossier_ds;nom_du_projet;nom_beneficiaire_principal;siren;
// montant_engage). The roles the older lists share get these spellings too (see SINCE_2020_SYNONYMS).
// ---------------------------------------------------------------------------------------------------

const GRANTS_SINCE_2020_ROLES: RoleSpec[] = [
  {
    role: 'budgetProgramme',
    label: 'Programme budgétaire',
    synonyms: ['programme', 'Programme budgétaire', 'N° programme', 'Numéro de programme', 'Programme LOLF', 'BOP'],
    expects: 'any',
  },
  { role: 'beneficiaryType', label: 'Type de bénéficiaire', synonyms: ['beneficiaire_type', 'Type de bénéficiaire', 'Type bénéficiaire', 'Catégorie de bénéficiaire'], expects: 'text' },
  {
    role: 'measure',
    label: 'Mesure',
    synonyms: ['nom_demarche_ds', 'nom_demarche', 'Démarche', 'Nom de la démarche', 'Mesure', 'Mesure Fonds vert'],
    expects: 'text',
  },
  { role: 'fileReference', label: 'N° de dossier', synonyms: ['numero_dossier_ds', 'numero_dossier', 'N° dossier', 'N° de dossier', 'Numéro de dossier', 'Dossier DS'], expects: 'text' },
];

/** Columns of these lists that carry nothing the import uses (names beside codes, the DS démarche's number). */
const GRANTS_SINCE_2020_IGNORED = ['nom_departement', 'nom_commune', 'numero_demarche_ds', 'numero_demarche', 'Nom du département', 'Nom de la commune'];

/** Spellings of the lists since 2020 for roles every grants list has (added to their synonyms below). */
const SINCE_2020_SYNONYMS: Partial<Record<ColumnRoleName, string[]>> = {
  amount: ['montant_engage', 'Montant engagé', 'subvention_accordee'],
  territoryCode: ['beneficiaire_code_insee', 'code_insee_commune'],
  sirenCode: ['beneficiaire_siren', 'siren_beneficiaire_principal'],
  beneficiary: ['beneficiaire_nom', 'nom_beneficiaire_principal', 'Bénéficiaire principal', 'Nom du bénéficiaire principal'],
  actionTitle: ['intitule', 'nom_du_projet', 'intitule_operation'],
  department: ['beneficiaire_dep'],
  region: ['nom_region'],
  category: ['axe', 'Axe Fonds vert'],
};
type ColumnRoleName = RoleSpec['role'];

function withSince2020Synonyms(roles: RoleSpec[]): RoleSpec[] {
  return roles.map((spec) => {
    const extra = SINCE_2020_SYNONYMS[spec.role];
    return extra ? { ...spec, synonyms: [...spec.synonyms, ...extra] } : spec;
  });
}

// ---------------------------------------------------------------------------------------------------
// per kind
// ---------------------------------------------------------------------------------------------------

export const COLUMN_ROLES: Record<ImportKindName, KindColumns> = {
  annex3: {
    roles: [
      ACTION_CODE,
      ACTION_TITLE,
      { role: 'description', label: 'Description', synonyms: ['Description', 'Descriptif', 'Descriptif du projet', 'Description du projet', 'Contenu', 'Objet'], expects: 'text' },
      { role: 'axis', label: 'Axe', synonyms: ['Axe', 'Axe stratégique', 'Axe CRTE', 'N° axe'], expects: 'text' },
      ORIENTATION,
      LEAD,
      {
        role: 'location',
        label: 'Localisation',
        synonyms: ['Localisation', 'Lieu', 'Commune(s) concernée(s)', 'Commune concernée', "Commune d'implantation", 'Communes concernées', 'Territoire', 'Territoire concerné', 'Site'],
        expects: 'text',
      },
      TOTAL_COST,
      COST_BASE,
      STATUS,
      {
        role: 'startDate',
        label: 'Date de début',
        synonyms: ['Date de début', 'Début', 'Date de démarrage', 'Démarrage', 'Début des travaux', 'Démarrage des travaux', 'Date de lancement'],
        expects: 'any',
      },
      {
        role: 'endDate',
        label: 'Date de fin',
        synonyms: ['Date de fin', 'Fin', 'Fin des travaux', 'Date de livraison', 'Livraison', 'Achèvement', "Date d'achèvement", 'Échéance', 'Date de fin prévisionnelle'],
        expects: 'any',
      },
      {
        role: 'instrument',
        label: 'Nature du financement',
        synonyms: ['Nature', 'Type de financement', "Nature de l'aide", 'Nature du financement', "Type d'aide", 'Instrument', "Type d'intervention", "Nature de l'intervention", 'Type'],
        expects: 'choice',
      },
      {
        role: 'creditNature',
        label: 'Nature des crédits',
        synonyms: ['Nature des crédits', 'Type de crédits', 'Nature de crédits', 'Type des crédits', 'Catégorie de crédits', 'Nature des crédits (relance, contractualisés, valorisés)'],
        expects: 'choice',
      },
      YEAR,
      {
        role: 'funder',
        label: 'Financeur',
        synonyms: ['Financeur', 'financeur', 'Financeurs', 'Partenaire financeur', 'Partenaire', 'Source de financement', 'Source', 'Organisme financeur', 'Cofinanceur'],
        expects: 'text',
      },
      { role: 'programme', label: 'Dispositif', synonyms: ['Dispositif', 'Programme', 'Dispositif de financement', 'Dotation', "Fonds / dispositif", 'Ligne budgétaire'], expects: 'text' },
      { role: 'amount', label: 'Montant', synonyms: ['Montant', 'Montant (€)', 'Montant de la participation', 'Participation', 'Montant du financement', 'Montant de l\'aide', 'Subvention'], expects: 'number' },
      { role: 'stage', label: 'Étape du financement', synonyms: ['Étape', 'Stade du financement', 'Type de montant', "Niveau d'engagement", 'Étape du financement', 'État du financement', 'Statut du financement'], expects: 'choice' },
      { role: 'amountPlanned', label: 'Montant prévu', synonyms: ['Montant prévu', 'Prévu', 'Prévisionnel', 'Montant prévisionnel', 'Montant programmé'], expects: 'number' },
      { role: 'amountRequested', label: 'Montant demandé', synonyms: ['montant_demande', 'Montant demandé', 'Demandé', 'sollicité', 'Montant sollicité', 'Subvention sollicitée', 'Aide sollicitée', 'Aide demandée'], expects: 'number' },
      {
        role: 'amountGranted',
        label: 'Montant attribué',
        synonyms: ['montant_attribue', 'Montant attribué', 'Attribué', 'accordé', 'Montant accordé', 'engagé', 'Montant engagé', 'Montant obtenu', 'Obtenu', 'Subvention accordée', 'Aide accordée', 'Notifié', 'Montant notifié'],
        expects: 'number',
      },
      {
        role: 'amountPaid',
        label: 'Montant payé',
        synonyms: ['montant_paye', 'Montant payé', 'Payé', 'versé', 'Montant versé', 'mandaté', 'Montant mandaté', 'Montant réalisé', 'Décaissé'],
        expects: 'number',
      },
      ROW_TOTAL,
      { role: 'pairFunder', label: 'Financeur n', synonyms: [], prefixes: ['Financeur', 'Financeur n°', 'Cofinanceur', 'Partenaire', 'Nom du financeur'], capture: 'index', expects: 'text', repeatable: true },
      { role: 'pairAmount', label: 'Montant n', synonyms: [], prefixes: ['Montant', 'Montant n°', 'Montant financeur', 'Montant du financeur', 'Participation'], capture: 'index', expects: 'number', repeatable: true },
      COMMENT,
      // Territoires en Transitions action plans
      PLAN_AMOUNT,
      SUB_SUB_AXIS,
    ],
    funderColumns: FUNDER_COLUMNS,
    funderPrefixes: FUNDER_PREFIXES,
    yearColumns: { words: YEAR_WORDS, expects: 'number' },
    ignored: [...IGNORED, ...ACTION_PLAN_IGNORED],
  },

  annex2: {
    roles: [
      { role: 'measure', label: 'Mesure', synonyms: ['Mesure', 'Mesures', 'Mesure / AAP', 'Dispositif', 'Appel à projets', 'Mesure du plan de relance'], expects: 'text' },
      {
        role: 'beneficiaries',
        label: 'Projet / bénéficiaires',
        synonyms: ['Projet', 'Projets', 'Bénéficiaires', 'Bénéficiaire', 'Lauréats', 'Nombre de projets', 'Nombre de bénéficiaires', 'Projets / bénéficiaires'],
        expects: 'text',
      },
      { role: 'aid', label: 'Aide', synonyms: ['Aide', 'Aides', "Montant de l'aide", 'Aide accordée', 'Montant aide', 'Aide versée', 'Aide de l\'État', 'Subvention'], expects: 'number' },
      {
        role: 'investment',
        label: 'Investissement',
        synonyms: ['Investissement', 'Investissements', "Montant de l'investissement", 'Investissement total', 'Investissement généré', 'Investissements générés', 'Montant investi'],
        expects: 'number',
      },
      COMMENT,
    ],
    ignored: IGNORED,
  },

  dotations: {
    roles: [
      { ...YEAR, fromContent: 'year' },
      {
        role: 'programme',
        label: 'Dotation',
        synonyms: ['Dotation', 'Dotations', 'Dispositif', 'Programme', 'Fonds', 'Type de dotation'],
        expects: 'text',
        fromContent: 'programme',
      },
      {
        role: 'territoryColumn',
        label: 'Territoire',
        synonyms: [],
        prefixes: ['Territoire de', 'Territoire du', 'Territoire de la', "Territoire d'", 'Territoire', 'Montant perçu par', 'Montant', 'Perçu par', 'EPCI'],
        capture: 'territory',
        expects: 'number',
        repeatable: true,
      },
      ROW_TOTAL,
      COMMENT,
    ],
    ignored: IGNORED,
  },

  grants: {
    roles: withSince2020Synonyms([
      // « Programme » is the budget programme's (119) in the DGCL lists since 2020: see GRANTS_SINCE_2020_ROLES.
      { role: 'programme', label: 'Dotation', synonyms: ['DOT', 'dotation', 'Dotation', 'Dispositif', 'Type de dotation', 'Fonds'], expects: 'text' },
      {
        role: 'amount',
        label: 'Montant de la subvention',
        synonyms: ['SUBVENTION', 'montant_sub', 'Montant subvention', 'Montant de la subvention', 'Subvention accordée', 'Subvention', 'Montant attribué', 'montant_attribue', 'Montant accordé', 'Aide'],
        expects: 'number',
      },
      {
        role: 'totalCost',
        label: 'Coût total',
        synonyms: ['COUT', 'cout_total', 'Coût HT', 'Coût total', 'Coût total HT', 'Coût du projet', 'Montant du projet', 'Coût', 'cout_ht', 'Dépense subventionnable', 'Assiette'],
        expects: 'number',
      },
      { role: 'territoryCode', label: 'Code INSEE', synonyms: ['INSEECOM', 'id_terr', 'Code INSEE', 'code_insee', 'INSEE', 'Code commune', 'code_commune', 'COG', 'Code INSEE commune', 'insee_com'], expects: 'text' },
      { role: 'sirenCode', label: 'SIREN', synonyms: ['SIREN', 'siren_epci', 'Siren', 'SIREN EPCI', 'N° SIREN', 'siren_beneficiaire', 'SIREN bénéficiaire', 'siren'], expects: 'text' },
      {
        role: 'beneficiary',
        label: 'Bénéficiaire',
        synonyms: ['BENEFICIAIRE', 'nom_terr', 'Bénéficiaire', 'Nom du bénéficiaire', 'Maître d\'ouvrage', 'Collectivité', 'Collectivité bénéficiaire', 'nom_beneficiaire', 'Porteur'],
        expects: 'text',
      },
      {
        role: 'actionTitle',
        label: 'Objet du projet',
        synonyms: ['OBJET', 'libelle', 'Intitulé du projet', 'objet_projet', 'Objet', 'Objet du projet', 'Libellé', 'Libellé du projet', 'Intitulé', 'Projet', 'Opération', 'Nom du projet', 'intitule_projet',
          // The SCDL schema's own label of `objet` (published files that write labels, not names).
          'Objet de la subvention'],
        expects: 'text',
      },
      { ...YEAR, synonyms: ['ANNEE', 'annee', 'Exercice', 'Année', 'Année de programmation', 'exercice', 'millesime'] },
      { role: 'department', label: 'Département', synonyms: ['DEP', 'departement', 'Département', 'code_departement', 'code_dep', 'DEPT', 'dept', 'num_dep'], expects: 'text' },
      { role: 'region', label: 'Région', synonyms: ['REG', 'region', 'Région', 'code_region', 'code_reg'], expects: 'text' },
      { role: 'rate', label: 'Taux de subvention', synonyms: ['TAUX', 'taux', 'taux_sub', 'Taux de subvention', 'Taux', 'Taux (%)'], expects: 'number' },
      { role: 'category', label: 'Catégorie', synonyms: ['CATEGORIE', 'categorie', 'Catégorie', 'Catégorie de projet', 'Thématique', 'thematique', 'Priorité', 'type_projet'], expects: 'text' },
      COMMENT,
      // The SCDL « subventions » open-data format (column-roles.open-data.data.ts).
      ...SCDL_GRANT_ROLES,
      ...GRANTS_SINCE_2020_ROLES,
    ]),
    ignored: [...IGNORED, ...GRANTS_SINCE_2020_IGNORED],
  },

  indicators: {
    roles: [
      { ...ACTION_CODE, synonyms: ['Code action', 'N° action', 'Référence action', "Code de l'action", 'Action', 'Numéro action', 'Réf. action', 'Fiche action', 'N° fiche'] },
      { ...ORIENTATION, synonyms: ['Orientation', 'Code orientation', 'Orientation CRTE', 'N° orientation', 'Sous-axe'] },
      { role: 'indicatorCode', label: 'Code indicateur', synonyms: ['Code indicateur', 'N° indicateur', 'Référence indicateur', 'Réf. indicateur', "Code de l'indicateur", 'Numéro indicateur'], expects: 'text' },
      {
        role: 'indicatorName',
        label: 'Indicateur',
        synonyms: ['Indicateur', "Intitulé de l'indicateur", "Nom de l'indicateur", 'Libellé indicateur', "Libellé de l'indicateur", 'Intitulé indicateur', 'Indicateurs'],
        expects: 'text',
      },
      { role: 'unit', label: 'Unité', synonyms: ['Unité', 'Unité de mesure', 'Unités', 'Unite'], expects: 'text' },
      { role: 'baseline', label: 'Valeur de référence', synonyms: ['Valeur de référence', 'Valeur initiale', 'Situation initiale', 'Situation de départ', 'Référence', 'Point de départ', 'Valeur de départ'], expects: 'number' },
      { role: 'baselineYear', label: 'Année de référence', synonyms: ['Année de référence', 'Année de la valeur de référence', 'Année initiale'], expects: 'year' },
      { role: 'target', label: 'Cible', synonyms: ['Cible', 'Valeur cible', 'Objectif', 'Objectif chiffré', 'Valeur visée'], expects: 'number' },
      { role: 'targetYear', label: 'Année cible', synonyms: ['Année cible', "Année de l'objectif", 'Échéance', 'Horizon', 'Année de la cible'], expects: 'year' },
      { ...YEAR, synonyms: ['Année', 'annee', 'Année de mesure', 'Exercice', 'Année de la valeur'] },
      { role: 'value', label: 'Valeur', synonyms: ['Valeur', 'Valeur mesurée', 'Valeur constatée', 'Mesure'], expects: 'number' },
      { role: 'valueStage', label: 'Type (cible/réalisé)', synonyms: ['Type (cible/réalisé)', 'Type', 'Type de valeur', 'Nature de la valeur', 'Cible ou réalisé', 'Cible / réalisé'], expects: 'choice' },
      { role: 'dataSource', label: 'Source', synonyms: ['Source', 'Source de la donnée', 'Source des données', 'Producteur de la donnée'], expects: 'text' },
      COMMENT,
      // Indicator tables of « Valeur 1 » / « Année 1 » / « Commentaires 1 » pairs (column-roles.open-data.data.ts).
      ...INDICATOR_PAIR_ROLES,
    ],
    // 'Cible 2026', 'Objectif 2026', 'Valeur cible 2026': the parser reads them as targets, the others as actual values.
    yearColumns: { words: ['annee', 'valeur', 'realise', 'realisee', 'mesure', 'en', 'cible', 'objectif', 'reel', 'constate'], expects: 'number' },
    ignored: IGNORED,
  },
};

// ---------------------------------------------------------------------------------------------------
// stages, rows
// ---------------------------------------------------------------------------------------------------

/**
 * Stage words in a year header ('Demandé 2023') or a group header ('Montants attribués (k€)'), compared
 * on normalised text as whole words. The first stage whose word appears wins.
 */
export const STAGE_WORDS: Readonly<Record<StageName, readonly string[]>> = {
  REQUESTED: ['demande', 'demandes', 'demandee', 'demandees', 'sollicite', 'sollicites', 'sollicitee', 'sollicitees'],
  GRANTED: ['attribue', 'attribues', 'attribuee', 'attribuees', 'accorde', 'accordes', 'accordee', 'accordees', 'engage', 'engages', 'engagee', 'engagees', 'obtenu', 'obtenus', 'notifie', 'notifies'],
  PAID: ['paye', 'payes', 'payee', 'payees', 'verse', 'verses', 'versee', 'versees', 'mandate', 'mandates', 'mandatee', 'mandatees', 'decaisse', 'decaisses'],
  PLANNED: ['prevu', 'prevus', 'prevue', 'prevues', 'previsionnel', 'previsionnels', 'previsionnelle', 'previsionnelles'],
};

export const ROW_MARKERS: RowMarkers = {
  subtotal: ['sous total', 's total', 'total partiel', 'total intermediaire'],
  total: ['total', 'totaux', 'total general', 'montant total'],
  example: ['ex', 'exemple', 'exemples', 'par exemple', 'e g', 'eg'],
  instruction: [
    'texte', 'texte libre', 'nombre', 'nombre sans espace', 'nombre entier', 'montant', 'montant en euros', 'chiffre',
    'date', 'jj mm aaaa', 'aaaa', 'annee', 'oui non', 'liste', 'liste deroulante', 'choisir', 'choisir dans la liste',
    'a choisir dans la liste', 'a remplir', 'a completer', 'saisir', 'saisie libre', 'obligatoire', 'facultatif',
    'optionnel', 'code', 'xx', 'x x', 'xxx', 'format', 'en euros', 'euros', 'numerique', 'alphanumerique',
  ],
  instructionStart: [
    'saisir', 'indiquer', 'preciser', 'renseigner', 'choisir', 'a remplir', 'a completer', 'a renseigner', 'format',
    'selectionner', 'menu deroulant', 'liste deroulante', 'en euros', 'montant en', 'nombre', 'texte',
    // Territoires en Transitions: « Champ texte », « Champ numérique », « Champ date », « Champ liste »
    'champ',
  ],
  none: ['', 'neant', 'n a', 'na', 'nc', 'sans objet', 'so', 'aucun', 'aucune', 'nul', 'zero', 'non', 'x'],
  note: ['nb', 'n b', 'note', 'notes', 'source', 'sources', 'remarque', 'attention', 'rappel'],
  section: ['axe', 'volet', 'partie', 'titre', 'orientation', 'chapitre'],
};
