import { OrganisationKind as K } from '../kernel/organisation-kind.enum';
import { buildPerimeterOrganisations } from './perimeter';
import { SeedAxis, SeedDataset, SeedOrganisation, SeedProgramme } from './seed-data.types';

/**
 * Reference data of the "CRTE du Douaisis" (signed in Douai on 1 February 2022), taken from the contract
 * text (../shared/seed/000_005d29794040cfea.txt). The territory is not typed here: it comes from Etalab's
 * lists through buildPerimeterOrganisations().
 */

const DOUAISIS_AGGLO_SIREN = '200044618';
const COEUR_D_OSTREVENT_SIREN = '245901152';

/** Axes and orientations with the titles of the contract's table of contents, verbatim. */
const AXES: SeedAxis[] = [
  {
    number: 1,
    title: 'Transition écologique',
    orientations: [
      { code: '1.1', title: "Préserver la biodiversité, la ressource en eau et lutter contre l'artificialisation (SAGE Scarpe-aval et SAGE Sensée)" },
      { code: '1.2', title: 'Étendre les mobilités durables et décarbonées' },
      { code: '1.3', title: 'Planifier la transition énergétique dans le respect du plan climat' },
      { code: '1.4', title: 'Accélérer la transition agricole' },
    ],
  },
  {
    number: 2,
    title: 'Compétitivité et attractivité',
    orientations: [
      { code: '2.1', title: "Soutenir l'attractivité économique du territoire" },
      { code: '2.2', title: "Promouvoir et accompagner les projets structurants, porteurs d'un développement du territoire" },
      { code: '2.3', title: "Développer l'offre touristique du territoire" },
    ],
  },
  {
    number: 3,
    title: 'Cohésion territoriale et structuration du territoire',
    orientations: [
      { code: '3.1', title: 'Réussir la cohésion territoriale par la reconquête des cœurs urbains' },
      { code: '3.2', title: "Promouvoir l'accès à la culture du territoire" },
      { code: '3.3', title: "Favoriser la transition vers le monde digital et faire du numérique un levier d'adaptation et de développement du territoire" },
      { code: '3.4', title: 'Promouvoir le sport' },
    ],
  },
  {
    number: 4,
    title: 'Cohésion sociale : inclure, apporter du bien-être et améliorer le vivre ensemble',
    orientations: [
      { code: '4.1', title: "Maintenir et développer l'emploi et la formation" },
      { code: '4.2', title: "Articuler politique de l'habitat et politique de peuplement" },
      { code: '4.3', title: "Promouvoir l'égalité des chances dans les quartiers en politique de la ville" },
      { code: '4.4', title: 'Accroître la sécurité sur le territoire' },
      { code: '4.5', title: 'Réduire les écarts de santé' },
    ],
  },
];

/**
 * Organisations the contract names, other than its territory. Regional or departmental acronyms
 * ("DRAC", "DDTM", "Région", "Agence de l'eau", "EPF") are contract aliases: elsewhere they would mean
 * another body. SIRENs only where certain.
 */
const NAMED_ORGANISATIONS: SeedOrganisation[] = [
  // The State and the services the contract names.
  {
    key: 'ETAT', name: 'État', kind: K.STATE,
    aliases: ['Préfecture du Nord', 'Préfet du Nord', 'Préfet de la région Hauts-de-France', 'Sous-préfecture de Douai', 'Sous-préfet de Douai'],
    contractAliases: ['Préfecture', 'Préfet', 'Sous-préfecture', 'Sous-préfet'],
  },
  { key: 'DDTM_NORD', name: 'Direction départementale des territoires et de la mer du Nord', shortName: 'DDTM du Nord', kind: K.STATE, aliases: ['DDTM 59'], contractAliases: ['DDTM'] },
  { key: 'DRAC_HDF', name: 'Direction régionale des affaires culturelles Hauts-de-France', shortName: 'DRAC Hauts-de-France', kind: K.STATE, aliases: [], contractAliases: ['DRAC', 'Direction régionale des affaires culturelles'] },
  { key: 'DREAL_HDF', name: "Direction régionale de l'environnement, de l'aménagement et du logement Hauts-de-France", shortName: 'DREAL Hauts-de-France', kind: K.STATE, aliases: [], contractAliases: ['DREAL'] },
  { key: 'DRAAF_HDF', name: "Direction régionale de l'alimentation, de l'agriculture et de la forêt Hauts-de-France", shortName: 'DRAAF Hauts-de-France', kind: K.STATE, aliases: [], contractAliases: ['DRAAF'] },
  // DDCS (annex 4) merged into DDETS on 1 April 2021.
  { key: 'DDETS_NORD', name: "Direction départementale de l'emploi, du travail et des solidarités du Nord", shortName: 'DDETS du Nord', kind: K.STATE, aliases: ['DDETS 59', 'DDCS du Nord'], contractAliases: ['DDETS', 'DDCS'] },
  { key: 'EDUCATION_NATIONALE', name: 'Éducation nationale', kind: K.STATE, aliases: ['DSDEN du Nord', 'Académie de Lille'], contractAliases: ['DSDEN'] },
  { key: 'ARS_HDF', name: 'Agence régionale de santé Hauts-de-France', shortName: 'ARS Hauts-de-France', kind: K.STATE_OPERATOR, aliases: [], contractAliases: ['ARS'] },

  // State operators and public establishments.
  { key: 'ADEME', name: 'Agence de la transition écologique', shortName: 'ADEME', kind: K.STATE_OPERATOR, aliases: ["Agence de l'environnement et de la maîtrise de l'énergie", 'ADEME Hauts-de-France'] },
  {
    key: 'BANQUE_DES_TERRITOIRES', name: 'Banque des Territoires', kind: K.STATE_OPERATOR,
    aliases: ['BdT', 'Caisse des dépôts', 'Caisse des dépôts et consignations', 'CDC', 'Caisse des dépôts – Banque des territoires', 'Groupe Caisse des dépôts'],
  },
  { key: 'ANCT', name: 'Agence nationale de la cohésion des territoires', shortName: 'ANCT', kind: K.STATE_OPERATOR, aliases: [] },
  { key: 'OFB', name: 'Office français de la biodiversité', shortName: 'OFB', kind: K.STATE_OPERATOR, aliases: ['Office français pour la biodiversité'] },
  { key: 'ANAH', name: "Agence nationale de l'habitat", shortName: 'Anah', kind: K.STATE_OPERATOR, aliases: ["Agence nationale pour l'amélioration de l'habitat"] },
  { key: 'ANRU', name: 'Agence nationale pour la rénovation urbaine', shortName: 'ANRU', kind: K.STATE_OPERATOR, aliases: [] },
  { key: 'BPIFRANCE', name: 'Bpifrance', kind: K.STATE_OPERATOR, aliases: ['BPI', 'BPI France', "Banque publique d'investissement"] },
  { key: 'AFD', name: 'Agence française de développement', shortName: 'AFD', kind: K.STATE_OPERATOR, aliases: [] },
  { key: 'ONF', name: 'Office national des forêts', shortName: 'ONF', kind: K.STATE_OPERATOR, aliases: [] },
  { key: 'CEREMA', name: 'Cerema', kind: K.STATE_OPERATOR, aliases: ["Centre d'études et d'expertise sur les risques, l'environnement, la mobilité et l'aménagement"] },
  { key: 'AGENCE_EAU_AP', name: "Agence de l'eau Artois-Picardie", shortName: 'AEAP', kind: K.STATE_OPERATOR, aliases: [], contractAliases: ["Agence de l'eau"] },
  // The contract's "établissement public foncier du Nord (EPFN)", renamed by decree 2021-1061 of 6 August 2021.
  {
    key: 'EPF_HDF', name: 'Établissement public foncier de Hauts-de-France', shortName: 'EPF Hauts-de-France', kind: K.STATE_OPERATOR,
    aliases: ['EPF Nord-Pas de Calais', 'Établissement public foncier du Nord-Pas de Calais', 'Établissement public foncier du Nord', 'EPF HdF'],
    contractAliases: ['EPF', 'EPFN', 'Établissement public foncier'],
  },
  { key: 'VNF', name: 'Voies navigables de France', shortName: 'VNF', kind: K.STATE_OPERATOR, aliases: [] },
  // Named for the renovation of its Douai buildings (orientation 1.3, annex 2).
  { key: 'IMT_NORD_EUROPE', name: 'IMT Nord Europe', kind: K.STATE_OPERATOR, aliases: ['IMT Douai', 'Institut Mines-Télécom Nord Europe'], contractAliases: ['IMT'] },

  // Local authorities and the European Union.
  {
    key: 'REGION_HDF', name: 'Région Hauts-de-France', kind: K.REGION, siren: '200053742',
    aliases: ['Conseil régional Hauts-de-France', 'Conseil régional des Hauts-de-France', 'Région HDF', 'Hauts-de-France'],
    contractAliases: ['Région', 'Conseil régional'],
  },
  {
    key: 'DEPARTEMENT_NORD', name: 'Département du Nord', kind: K.DEPARTMENT, siren: '225900018',
    aliases: ['Conseil départemental du Nord', 'CD59', 'CD 59', 'Département 59'],
    contractAliases: ['Département', 'Conseil départemental', 'CD'],
  },
  // Not named by the contract; the funder behind FEDER / FSE lines that say "Europe".
  { key: 'UE', name: 'Union européenne', kind: K.EU, aliases: ['UE', 'Europe', 'Commission européenne'] },

  // Other public bodies the contract names.
  { key: 'SMTD', name: 'Syndicat mixte des transports du Douaisis', shortName: 'SMTD', kind: K.OTHER, aliases: [] },
  { key: 'POLE_METROPOLITAIN', name: 'Pôle métropolitain Artois-Douaisis', kind: K.OTHER, aliases: [], contractAliases: ['Pôle métropolitain'] },
  { key: 'SCOT_GRAND_DOUAISIS', name: 'Syndicat mixte du SCoT du Grand Douaisis', shortName: 'SCoT du Grand Douaisis', kind: K.OTHER, aliases: [], contractAliases: ['SCoT'] },
  { key: 'PNR_SCARPE_ESCAUT', name: 'Parc naturel régional Scarpe-Escaut', shortName: 'PNR Scarpe-Escaut', kind: K.OTHER, aliases: [], contractAliases: ['Parc naturel régional', 'PNR'] },
  { key: 'CAUE_NORD', name: "Conseil d'architecture, d'urbanisme et de l'environnement du Nord", shortName: 'CAUE du Nord', kind: K.OTHER, aliases: [], contractAliases: ['CAUE'] },
  { key: 'CHAMBRE_AGRICULTURE', name: "Chambre d'agriculture du Nord-Pas de Calais", kind: K.OTHER, aliases: [], contractAliases: ["Chambre d'agriculture"] },
  // Douai's cantons belong to the CCI Grand Lille (code de commerce, circonscriptions des CCI).
  { key: 'CCI_GRAND_LILLE', name: 'CCI Grand Lille', kind: K.OTHER, aliases: ["Chambre de commerce et d'industrie Grand Lille"], contractAliases: ['CCI', "Chambre de commerce et d'industrie"] },
  { key: 'CMA_HDF', name: "Chambre de métiers et de l'artisanat Hauts-de-France", shortName: 'CMA Hauts-de-France', kind: K.OTHER, aliases: [], contractAliases: ['CMA', "Chambre des métiers et de l'artisanat", 'Chambre des métiers'] },
  { key: 'FONDATION_CARASSO', name: 'Fondation Daniel et Nina Carasso', kind: K.OTHER, aliases: ['Fondation Carasso'] },
  // The EPCIs' tourist offices (EPIC), likely project owners (orientation 2.3).
  { key: 'DOUAISIS_TOURISME', name: 'Douaisis Tourisme', kind: K.OTHER, parentKey: 'DOUAISIS_AGGLO', aliases: [] },
  { key: 'COEUR_D_OSTREVENT_TOURISME', name: "Cœur d'Ostrevent Tourisme", kind: K.OTHER, parentKey: 'CCCO', aliases: [] },
  // Social landlords of the mining estates (annex 1.3 map: "M&C", "SIA").
  { key: 'MAISONS_ET_CITES', name: 'Maisons & Cités', kind: K.COMPANY, aliases: ['Maisons et Cités'], contractAliases: ['M&C'] },
  { key: 'SIA_HABITAT', name: 'SIA Habitat', kind: K.COMPANY, aliases: [], contractAliases: ['SIA'] },
];

/**
 * The territory, from Etalab. Etalab now calls Cœur d'Ostrevent a CA; the contract signed it as a
 * communauté de communes, hence the former names as aliases.
 */
const PERIMETER: SeedOrganisation[] = buildPerimeterOrganisations([DOUAISIS_AGGLO_SIREN, COEUR_D_OSTREVENT_SIREN], {
  keys: { [DOUAISIS_AGGLO_SIREN]: 'DOUAISIS_AGGLO', [COEUR_D_OSTREVENT_SIREN]: 'CCCO' },
  aliases: {
    [DOUAISIS_AGGLO_SIREN]: ["Communauté d'agglomération du Douaisis"],
    [COEUR_D_OSTREVENT_SIREN]: ["Communauté de communes Cœur d'Ostrevent", "CC Cœur d'Ostrevent", "Communauté de communes du Cœur d'Ostrevent"],
  },
  contractAliases: {
    // "Douais Agglo" is how the contract's own map legend spells it.
    [DOUAISIS_AGGLO_SIREN]: ['DA', 'CAD', 'Douais Agglo', 'Agglomération du Douaisis'],
    [COEUR_D_OSTREVENT_SIREN]: ['CCCO'],
  },
});

/** Programmes are global: operatorKey is the organisation that runs the scheme, hence the funder. */
const PROGRAMMES: SeedProgramme[] = [
  { code: 'DETR', name: "Dotation d'équipement des territoires ruraux", operatorKey: 'ETAT' },
  { code: 'DSIL', name: "Dotation de soutien à l'investissement local (classique)", operatorKey: 'ETAT', aliases: ['DSIL classique'] },
  { code: 'DSIL_RELANCE', name: 'DSIL relance', operatorKey: 'ETAT', description: 'DSIL exceptionnelle du plan de relance (2020-2021)', aliases: ['DSIL exceptionnelle', 'DSIL plan de relance'] },
  {
    code: 'DSIL_RENOVATION_THERMIQUE', name: 'DSIL rénovation thermique', operatorKey: 'ETAT',
    description: 'DSIL dédiée à la rénovation énergétique des bâtiments publics (plan de relance)',
    aliases: ['DSIL rénovation énergétique', 'DSIL RT', 'DSIL rénovation thermique des bâtiments publics', 'DSIL rénovation énergétique des bâtiments'],
  },
  { code: 'DSID', name: "Dotation de soutien à l'investissement des départements", operatorKey: 'ETAT' },
  { code: 'DPV', name: 'Dotation politique de la ville', operatorKey: 'ETAT' },
  { code: 'FNADT', name: "Fonds national d'aménagement et de développement du territoire", operatorKey: 'ETAT' },
  {
    code: 'FONDS_VERT', name: "Fonds d'accélération de la transition écologique dans les territoires", operatorKey: 'ETAT',
    aliases: ['Fonds vert'],
  },
  {
    code: 'FONDS_FRICHES', name: 'Fonds friches', operatorKey: 'ETAT', description: 'Recyclage foncier des friches (plan de relance, puis fonds vert)',
    aliases: ['Fonds friche', 'Recyclage des friches', 'Recyclages des friches', 'Recyclage foncier des friches'],
  },
  { code: 'FEDER', name: 'Fonds européen de développement régional', operatorKey: 'REGION_HDF', description: "Programme opérationnel géré par la Région Hauts-de-France, autorité de gestion" },
  {
    code: 'FSE', name: 'Fonds social européen', operatorKey: 'ETAT', aliases: ['FSE+'],
    description: "Programme national géré par l'État ; la Région gère une part dans son programme régional",
  },
  { code: 'MAPRIMERENOV', name: "MaPrimeRénov'", operatorKey: 'ANAH', aliases: ['Ma prime rénov'] },
  // Further schemes the contract names.
  { code: 'ERBM', name: 'Engagement pour le renouveau du bassin minier', operatorKey: 'ETAT', aliases: ['Renouveau du bassin minier'] },
  { code: 'NPNRU', name: 'Nouveau programme national de renouvellement urbain', operatorKey: 'ANRU' },
  { code: 'ACV', name: 'Action cœur de ville', operatorKey: 'ANCT', description: 'Programme national ; financements apportés par ses partenaires' },
  { code: 'PVD', name: 'Petites villes de demain', operatorKey: 'ANCT', description: 'Programme national ; financements apportés par ses partenaires' },
  { code: 'POLITIQUE_DE_LA_VILLE', name: 'Crédits politique de la ville', operatorKey: 'ETAT', aliases: ['Contrat de ville', 'Politique de la ville'] },
  { code: 'CITES_EDUCATIVES', name: 'Cités éducatives', operatorKey: 'ETAT', aliases: ['Cité éducative'] },
  { code: 'FIPD', name: 'Fonds interministériel de prévention de la délinquance', operatorKey: 'ETAT' },
  // Annex 2 spells it "Masiéro".
  { code: 'MASSIRENO', name: 'MassiRéno', operatorKey: 'ETAT', description: 'Appel à projets de rénovation massive des logements sociaux (plan de relance)', aliases: ['AAP Massiréno', 'Masiéro', 'AAP Masiéro'] },
];

const NOT_PARTNERS = new Set(['UE', 'IMT_NORD_EUROPE', 'DOUAISIS_TOURISME', 'COEUR_D_OSTREVENT_TOURISME', 'MAISONS_ET_CITES', 'SIA_HABITAT']);

export const DOUAISIS_DATASET: SeedDataset = {
  contract: {
    code: 'CRTE-DOUAISIS',
    name: 'Contrat de Relance et de Transition Écologique du Douaisis',
    signedOn: '2022-02-01',
    startYear: 2021,
    endYear: 2026,
    perimeterEpciSirens: [DOUAISIS_AGGLO_SIREN, COEUR_D_OSTREVENT_SIREN],
    signatoryKeys: ['ETAT', 'DOUAISIS_AGGLO', 'CCCO'],
    // Everyone the contract names as acting in it; beneficiaries merely mentioned and the EU are not partners.
    partnerKeys: ['DOUAISIS_AGGLO', 'CCCO', ...NAMED_ORGANISATIONS.map((o) => o.key).filter((k) => !NOT_PARTNERS.has(k))],
    axes: AXES,
  },
  organisations: [...NAMED_ORGANISATIONS, ...PERIMETER],
  programmes: PROGRAMMES,
};
