import { normaliseText } from '../kernel/normalise-text';
import { OrganisationKind } from '../kernel/organisation-kind.enum';

/**
 * Reference data for one contract, free of any database concern. Spellings are stored as written; the
 * loader normalises them with normaliseText().
 *
 * Alias scopes:
 * - global: `name`, `shortName` and `aliases` mean this organisation in any contract (a full name,
 *   an unambiguous acronym such as "ADEME", a commune's INSEE code);
 * - contract: `contractAliases` only mean it inside the dataset's contract ("Région", "DA", "DRAC",
 *   "Sous-préfecture"…), because another contract would mean another Région, EPCI or DRAC.
 * Use globalSpellings() / contractSpellings() below rather than reading the fields one by one.
 */
export interface SeedOrganisation {
  /** Stable key, used to link data together inside the seed (never shown). */
  key: string;
  name: string;
  shortName?: string;
  kind: OrganisationKind;
  siren?: string;
  inseeCode?: string;
  /** For a commune (or a body of one EPCI), the EPCI whose territory its fundings belong to. */
  parentKey?: string;
  /** Spellings met in files, valid in any contract (name and shortName resolve too: no need to repeat them). */
  aliases: string[];
  /** Spellings that only mean this organisation inside the dataset's contract ('Région', 'DA', 'Etat'…). */
  contractAliases?: string[];
}

export interface SeedProgramme {
  code: string;
  name: string;
  /** Key of the organisation that runs the scheme and so is the funder of its lines. */
  operatorKey: string;
  description?: string;
  /** Other spellings of the programme met in files ("Fonds vert", "DSIL exceptionnelle"…). */
  aliases?: string[];
}

export interface SeedOrientation {
  /** "1.1" … "4.5" */
  code: string;
  title: string;
}

export interface SeedAxis {
  number: number;
  title: string;
  orientations: SeedOrientation[];
}

export interface SeedContract {
  code: string;
  name: string;
  /** YYYY-MM-DD */
  signedOn: string | null;
  startYear: number;
  endYear: number;
  /** SIRENs of the EPCIs whose communes make up the territory; their organisations are in the dataset. */
  perimeterEpciSirens: string[];
  signatoryKeys: string[];
  partnerKeys: string[];
  axes: SeedAxis[];
}

export interface SeedDataset {
  contract: SeedContract;
  /** Every organisation the contract needs: hand-written partners plus the perimeter built from Etalab data. */
  organisations: SeedOrganisation[];
  programmes: SeedProgramme[];
}

/** Keeps the first spelling of each normalised form, dropping blanks. */
export function uniqueSpellings(spellings: readonly (string | undefined)[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const spelling of spellings) {
    if (spelling === undefined) continue;
    const normalised = normaliseText(spelling);
    if (normalised === '' || seen.has(normalised)) continue;
    seen.add(normalised);
    out.push(spelling);
  }
  return out;
}

/** Every spelling that means this organisation in any contract: name, short name and global aliases. */
export function globalSpellings(org: SeedOrganisation): string[] {
  return uniqueSpellings([org.name, org.shortName, ...org.aliases]);
}

/** The contract-scoped spellings, minus those that already resolve globally to the same organisation. */
export function contractSpellings(org: SeedOrganisation): string[] {
  const global = new Set(globalSpellings(org).map(normaliseText));
  return uniqueSpellings(org.contractAliases ?? []).filter((s) => !global.has(normaliseText(s)));
}
