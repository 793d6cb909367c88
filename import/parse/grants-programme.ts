import { normaliseText } from '../../src/kernel/normalise-text';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';
import { FUNDER_COLUMNS } from '../detect/column-roles.data';

/**
 * What the national grant lists since 2020 add to the reading of a programme and of a beneficiary: the
 * spellings the DGCL writes that the funder columns do not know, the Fonds vert's measures (its list has no
 * programme column: the whole file is the Fonds vert), and the kind of a beneficiary met for the first time.
 */

/** Spellings → programme code, compared folded (normaliseText) and without spaces (« D.E.T.R. » → 'detr'). */
export const EXTRA_PROGRAMME_SPELLINGS: ReadonlyArray<[string, string]> = [
  // The DSID's 2021 rénovation thermique envelope was part of the DSID (programme 119), which has no code of its own here:
  // the line is the DSID's and the spelling stays in the action's description.
  ['DSID RT', 'DSID'],
  ['DSID rénovation thermique', 'DSID'],
  ['DSID exceptionnelle', 'DSID'],
  ['DSIL RT', 'DSIL_RENOVATION_THERMIQUE'],
  ['DSIL exceptionnelle', 'DSIL_RELANCE'],
  ['Fonds vert', 'FONDS_VERT'],
  ['Fonds d’accélération de la transition écologique', 'FONDS_VERT'],
];

/**
 * The Fonds vert's measures as its national list names them in `nom_demarche_ds` (one démarche per measure
 * and year): a measure containing one of these (folded) recognises the list as the Fonds vert's.
 */
const FONDS_VERT_MEASURES = [
  'fonds vert',
  'renovation energetique des batiments publics locaux',
  'performance environnementale des batiments publics locaux',
  'recyclage des friches',
  'renovation des parcs de luminaires',
  'eclairage public',
  'zones a faibles emissions',
  'zfe m',
  'prevention des risques d incendies de foret',
  'risques naturels',
  'prevention des inondations',
  'renaturation des villes et des villages',
  'biodiversite 2030',
  'strategie nationale biodiversite',
  'recul du trait de cote',
  'adaptation des territoires de montagne',
  'tri a la source et valorisation des biodechets',
  'biodechets',
  'elaboration des plu',
  'ingenierie',
  'mobilite durable en milieu rural',
  'covoiturage',
  'adaptation au changement climatique',
  'qualite de l air',
];

/** 'FONDS_VERT' when the measure is one of the Fonds vert's; null otherwise. */
export function programmeOfMeasure(measure: string): string | null {
  const key = ` ${normaliseText(measure)} `;
  for (const words of FONDS_VERT_MEASURES) if (key.includes(` ${words} `)) return 'FONDS_VERT';
  return null;
}

/** « Commune », « EPCI », « Syndicat mixte », « SEM »… → the kind a beneficiary met for the first time is created with. */
export function organisationKindOf(type: string | null): OrganisationKind {
  if (!type) return OrganisationKind.OTHER;
  const key = ` ${normaliseText(type)} `;
  if (/ (commune|communes|ville|mairie) /.test(key)) return OrganisationKind.COMMUNE;
  if (/ (epci|ca|cc|cu|communaute|metropole|intercommunalite) /.test(key) && !key.includes(' syndicat ')) return OrganisationKind.EPCI;
  if (/ (departement|cd|conseil departemental) /.test(key)) return OrganisationKind.DEPARTMENT;
  if (/ (region|conseil regional) /.test(key)) return OrganisationKind.REGION;
  if (/ (sem|spl|sa|sas|societe|entreprise|semop|bailleur|oph|esh) /.test(key)) return OrganisationKind.COMPANY;
  if (/ (association|asso) /.test(key)) return OrganisationKind.ASSOCIATION;
  return OrganisationKind.OTHER;
}

/** The programmes by their spellings folded: the funder columns' synonyms (column-roles.data.ts) and EXTRA_PROGRAMME_SPELLINGS. */
const PROGRAMME_BY_SPELLING = new Map<string, string>();
for (const spec of FUNDER_COLUMNS) {
  const programme = spec.descriptor !== 'AS_WRITTEN' ? spec.descriptor.programme : undefined;
  if (!programme) continue;
  PROGRAMME_BY_SPELLING.set(normaliseText(programme), programme);
  for (const synonym of spec.synonyms) PROGRAMME_BY_SPELLING.set(normaliseText(synonym), programme);
}
for (const [spelling, programme] of EXTRA_PROGRAMME_SPELLINGS) PROGRAMME_BY_SPELLING.set(normaliseText(spelling), programme);
/** The same spellings without spaces: « D.E.T.R. » folds to 'd e t r'. */
const PROGRAMME_BY_COMPACT_SPELLING = new Map([...PROGRAMME_BY_SPELLING].map(([spelling, programme]) => [spelling.replace(/ /g, ''), programme]));
const YEAR_TOKEN = /(?:^|\s)(?:19|20)\d\d(?=\s|$)/g;

/** A programme as the lists write it → its code; null when unknown. Cached per spelling. */
export function programmeCode(text: string, cache?: Map<string, string | null>): string | null {
  const cached = cache?.get(text);
  if (cached !== undefined) return cached;
  const key = normaliseText(text);
  let code = PROGRAMME_BY_SPELLING.get(key) ?? null;
  if (code === null) {
    // "DETR 2021", "DSIL 2020 exceptionnelle".
    const withoutYear = key.replace(YEAR_TOKEN, ' ').replace(/\s+/g, ' ').trim();
    code = PROGRAMME_BY_SPELLING.get(withoutYear) ?? PROGRAMME_BY_COMPACT_SPELLING.get(withoutYear.replace(/ /g, '')) ?? null;
  }
  cache?.set(text, code);
  return code;
}
