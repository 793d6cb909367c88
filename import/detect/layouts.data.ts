/**
 * DATA — the layouts of each kind of file, told apart by the roles of their columns (see
 * column-roles.data.ts). For each kind, layouts are listed in PRECEDENCE order: the first whose
 * `signature` holds is chosen. A layout with an empty signature is the kind's fallback.
 *
 * Once a layout is chosen, each of its `required` conditions that fails is a COLUMN_MISSING error; when
 * no layout of the kind fits, the table gets `layout: null` and a LAYOUT_UNKNOWN error.
 *
 * annex3 precedence: `long` first (the most specific: a single year column and stage amounts), then
 * `pairs`, `by-year`, `by-funder`. A by-funder table may hold an `Année` column; a by-year table never
 * holds stage-amount columns, so the order only matters for odd hybrids.
 */
import type { ColumnRole, ImportKindName, LayoutCondition, LayoutSpec } from './types';

/**
 * A header row must hold at least one of these roles — the columns that say what a row is about. Without
 * them a row of known words is not a table: the `Listes` sheet of choices ("Prêt | Subvention |
 * Ingénierie | Fonds propres") matches two synonyms but names no action.
 */
export const HEADER_ANCHORS: Record<ImportKindName, readonly ColumnRole[]> = {
  annex3: ['actionCode', 'actionTitle'],
  annex2: ['measure'],
  dotations: ['territoryColumn', 'year', 'programme'],
  grants: ['programme', 'amount', 'territoryCode', 'sirenCode', 'beneficiary', 'actionTitle'],
  indicators: ['indicatorCode', 'indicatorName'],
};

const ACTION: LayoutCondition = { roles: ['actionCode', 'actionTitle'], label: "« N° action » ou « Intitulé de l'action »" };
const STAGE_AMOUNTS = ['amountPlanned', 'amountRequested', 'amountGranted', 'amountPaid'] as const;

/** `as const`: the layout names are literal types, the closed set LayoutName (types.ts). */
export const LAYOUTS = {
  annex3: [
    {
      name: 'long',
      description: 'Une ligne par action × financeur × année, avec les montants par étape (demandé, attribué, payé)',
      signature: [
        { roles: ['year'], label: '« Année »' },
        {
          anyOf: [
            { roles: STAGE_AMOUNTS, label: '« Montant demandé », « Montant attribué », « Montant payé » ou « Montant prévu »' },
            {
              allOf: [
                { roles: ['amount'], label: '« Montant »' },
                { roles: ['stage'], label: '« Étape »' },
              ],
              label: '« Montant » et « Étape »',
            },
          ],
          label: 'des montants par étape (« Montant demandé », « Montant attribué », « Montant payé »), ou « Montant » et « Étape »',
        },
      ],
      // The funder is the `financeur` column, else the organisation that sent the file.
      required: [ACTION],
    },
    {
      name: 'pairs',
      description: 'Une ligne par action, les financeurs par paires « Financeur 1 » / « Montant 1 », « Financeur 2 » / « Montant 2 »…',
      signature: [
        { roles: ['pairFunder'], label: '« Financeur 1 »' },
        { roles: ['pairAmount'], label: '« Montant 1 »' },
      ],
      required: [ACTION],
      pairedRoles: [['pairFunder', 'pairAmount']],
    },
    {
      name: 'by-year',
      description: 'Une ligne par action, une colonne par année (2021 … 2026)',
      signature: [ACTION, { roles: ['yearColumn'], min: 2, label: 'au moins deux colonnes d’année (2021, 2022…)' }],
      required: [ACTION],
    },
    {
      name: 'by-funder',
      description: 'Une ligne par action, une colonne par financeur ou dispositif (DETR, DSIL, Région, Autres…)',
      signature: [ACTION, { roles: ['funderColumn'], min: 2, label: 'au moins deux colonnes de financeurs (DETR, DSIL, Région…)' }],
      required: [ACTION],
    },
    // Territoires en Transitions action plans (ADEME's national template): last, as its signature's
    // 'planAmount' (an unnumbered « Montant € HT » after « Financeur n », see detect/action-plan.ts) is
    // found in no other layout.
    {
      name: 'action-plan',
      description:
        "Plan d'action Territoires en Transitions : une ligne par fiche action (« Titre de la fiche action », axes), les financeurs par paires « Financeur 1 » / « Montant € HT »…",
      signature: [
        { roles: ['pairFunder'], label: '« Financeur 1 »' },
        { roles: ['planAmount'], label: '« Montant € HT » juste après « Financeur 1 »' },
      ],
      required: [ACTION],
      pairedRoles: [['pairFunder', 'planAmount']],
    },
  ],
  annex2: [
    {
      name: 'annex2',
      description: 'Bilan des mesures du plan de relance : Mesure | Projet | Aide | Investissement, par volet',
      signature: [],
      required: [
        { roles: ['measure'], label: '« Mesure »' },
        { roles: ['aid', 'investment'], label: '« Aide » ou « Investissement »' },
      ],
    },
  ],
  dotations: [
    {
      name: 'dotations',
      description: 'Dotations perçues par année, dotation (DETR, DSIL, FNADT) et territoire',
      signature: [],
      required: [
        { roles: ['year'], label: '« Année » (ou une colonne d’années)' },
        { roles: ['programme'], label: '« Dotation » (ou une colonne DETR / DSIL / FNADT)' },
        { roles: ['territoryColumn'], label: '« Territoire de … »' },
      ],
    },
  ],
  grants: [
    // The SCDL « subventions » open-data format (ADEME, Régions, Départements): told apart by its
    // attributing body, which DGCL lists never name (their funder is the programme's operator).
    {
      name: 'scdl',
      description: "Données ouvertes des subventions (format SCDL, décret 2017-779) : nomAttribuant, idBeneficiaire, dateConvention, objet, montant",
      signature: [{ roles: ['grantor', 'grantorId'], label: '« nomAttribuant » ou « idAttribuant »' }],
      required: [
        { roles: ['amount'], label: '« montant »' },
        { roles: ['sirenCode'], label: '« idBeneficiaire » (SIRET du bénéficiaire)' },
      ],
    },
    {
      name: 'grants',
      description: "Liste nationale des subventions d'investissement de l'État (DGCL), une ligne par projet",
      signature: [],
      // No « Dotation » column is required: a list of one programme (the Fonds vert's) has none, and its
      // programme is given at upload or recognised from its measures (grants.parser.ts says which).
      required: [
        { roles: ['amount'], label: '« Montant de la subvention » (SUBVENTION)' },
        { roles: ['territoryCode', 'sirenCode'], label: '« Code INSEE » (INSEECOM) ou « SIREN »' },
      ],
    },
  ],
  indicators: [
    // Indicator tables of pairs « Valeur 1 » / « Année 1 » (/ « Commentaires 1 ») … « Valeur 4 » / « Année 4 ».
    {
      name: 'indicators-pairs',
      description: 'Une ligne par indicateur, ses valeurs par paires « Valeur 1 » / « Année 1 » … « Valeur 4 » / « Année 4 »',
      signature: [
        { roles: ['pairValue'], label: '« Valeur 1 »' },
        { roles: ['pairYear'], label: '« Année 1 »' },
      ],
      required: [
        { roles: ['indicatorName', 'indicatorCode'], label: "« Nom de l'indicateur » ou « Code indicateur »" },
        { roles: ['actionCode', 'orientation'], label: '« N° Mesure », « N° action » ou « Orientation »' },
      ],
      pairedRoles: [['pairValue', 'pairYear']],
    },
    {
      name: 'indicators-long',
      description: 'Une ligne par indicateur × année : « Année », « Valeur », « Type (cible/réalisé) »',
      signature: [
        { roles: ['year'], label: '« Année »' },
        { roles: ['value'], label: '« Valeur »' },
      ],
      required: [
        { roles: ['indicatorName', 'indicatorCode'], label: '« Indicateur » ou « Code indicateur »' },
        { roles: ['actionCode', 'orientation'], label: '« Code action » ou « Orientation »' },
      ],
    },
    {
      name: 'indicators',
      description: 'Une ligne par indicateur, les valeurs réalisées en colonnes par année (ou aucune valeur)',
      signature: [],
      required: [
        { roles: ['indicatorName', 'indicatorCode'], label: '« Indicateur » ou « Code indicateur »' },
        { roles: ['actionCode', 'orientation'], label: '« Code action » ou « Orientation »' },
      ],
    },
  ],
} as const satisfies Record<ImportKindName, readonly LayoutSpec[]>;
