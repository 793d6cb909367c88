import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { SeedOrganisation, uniqueSpellings } from './seed-data.types';

/** Shape of @etalab/decoupage-administratif data/epci.json (only what we read). */
interface EtalabEpci {
  code: string; // SIREN
  nom: string; // "CA Douaisis Agglo"
  type: string; // CA, CC, CU, METRO…
  membres: { code: string; siren: string; nom: string }[]; // code = INSEE
}

// Typed require rather than a JSON import: tsc would otherwise infer a type for the whole file.
const ETALAB_EPCIS: EtalabEpci[] = require('@etalab/decoupage-administratif/data/epci.json');

/** Legal forms as abbreviated at the start of Etalab EPCI names. */
const LEGAL_FORMS: Record<string, string> = {
  CA: "Communauté d'agglomération",
  CC: 'Communauté de communes',
  CU: 'Communauté urbaine',
};

/** "de" + article, as in "Ville du Quesnoy". */
const CONTRACTED_ARTICLES: Record<string, string> = { Le: 'du ', La: 'de la ', Les: 'des ', "L'": "de l'" };

/** An EPCI of the pinned Etalab lists by SIREN (null: none), with its member communes' INSEE codes. */
export function findEtalabEpci(siren: string): { siren: string; name: string; communeInseeCodes: string[] } | null {
  const epci = ETALAB_EPCIS.find((e) => e.code === siren);
  return epci ? { siren: epci.code, name: epci.nom, communeInseeCodes: epci.membres.map((m) => m.code) } : null;
}

export interface PerimeterOptions {
  /** Friendlier keys by EPCI SIREN; an EPCI without one gets epciKey(siren). */
  keys?: Record<string, string>;
  /** Extra global aliases by EPCI SIREN (e.g. a former name). */
  aliases?: Record<string, string[]>;
  /** Contract-scoped aliases by EPCI SIREN ('DA', 'CCCO'…). */
  contractAliases?: Record<string, string[]>;
}

const epciKey = (siren: string): string => `EPCI_${siren}`;
const communeKey = (inseeCode: string): string => `COMMUNE_${inseeCode}`;

/**
 * The organisations of a contract's territory, from Etalab's official lists (never typed by hand):
 * each EPCI, then its member communes with their SIREN and INSEE code and the EPCI as parent.
 *
 * EPCI naming: `name` is Etalab's official name ("CA Douaisis Agglo"), `shortName` the same without
 * its legal form ("Douaisis Agglo"), and the spelled-out form ("Communauté d'agglomération Douaisis
 * Agglo") is an alias. Commune naming: `name` is the commune's name ("Douai"); aliases are the ways
 * files name the town hall ("Ville de Douai", "Commune d'Aniche", "Mairie de…") and the INSEE code.
 *
 * @throws Error if a SIREN is not an EPCI known to the pinned package.
 */
export function buildPerimeterOrganisations(epciSirens: string[], options: PerimeterOptions = {}): SeedOrganisation[] {
  const out: SeedOrganisation[] = [];
  for (const siren of epciSirens) {
    const epci = ETALAB_EPCIS.find((e) => e.code === siren);
    if (!epci) {
      throw new Error(
        `SIREN ${siren} is not an EPCI known to @etalab/decoupage-administratif: check the contract perimeter.`,
      );
    }
    const key = options.keys?.[siren] ?? epciKey(siren);
    const { shortName, longName } = epciNames(epci);
    out.push({
      key,
      name: epci.nom,
      shortName,
      kind: OrganisationKind.EPCI,
      siren,
      aliases: uniqueSpellings([longName, ...(options.aliases?.[siren] ?? [])]).filter(
        (a) => a !== epci.nom && a !== shortName,
      ),
      contractAliases: uniqueSpellings(options.contractAliases?.[siren] ?? []),
    });
    for (const commune of epci.membres) {
      out.push({
        key: communeKey(commune.code),
        name: commune.nom,
        kind: OrganisationKind.COMMUNE,
        siren: commune.siren,
        inseeCode: commune.code,
        parentKey: key,
        aliases: communeAliases(commune.nom, commune.code),
      });
    }
  }
  return out;
}

function epciNames(epci: EtalabEpci): { shortName?: string; longName?: string } {
  const match = /^(CA|CC|CU)\s+(.+)$/.exec(epci.nom);
  if (!match) return {};
  return { shortName: match[2], longName: `${LEGAL_FORMS[match[1]]} ${match[2]}` };
}

/** "Ville de X", "Commune de X", "Mairie de X" (with elision and article contraction), variants, INSEE code. */
function communeAliases(name: string, inseeCode: string): string[] {
  const variants = nameVariants(name);
  const aliases: string[] = variants.filter((v) => v !== name);
  for (const prefix of ['Ville', 'Commune', 'Mairie']) {
    for (const variant of variants) aliases.push(...withDe(prefix, variant));
  }
  aliases.push(inseeCode);
  return uniqueSpellings(aliases);
}

/** Spellings files use for the same name: "-lez-" / "-lès-", "Saint-" / "St-". */
function nameVariants(name: string): string[] {
  const variants = [name];
  const swaps: [RegExp, string][] = [
    [/-lez-/g, '-lès-'],
    [/-lès-/g, '-lez-'],
    [/\bSaint-/g, 'St-'],
    [/\bSainte-/g, 'Ste-'],
  ];
  for (const [pattern, replacement] of swaps) {
    for (const v of [...variants]) {
      const swapped = v.replace(pattern, replacement);
      if (swapped !== v) variants.push(swapped);
    }
  }
  return variants;
}

/** "Ville de Douai", "Ville d'Aniche" (and "de Aniche", as typed), "Ville du Quesnoy" for "Le Quesnoy". */
function withDe(prefix: string, name: string): string[] {
  const article = /^(?:(Le|La|Les) |(L'))(.+)$/.exec(name);
  if (article) {
    const contracted = CONTRACTED_ARTICLES[article[1] ?? article[2]];
    return [`${prefix} ${contracted}${article[3]}`, `${prefix} de ${name}`];
  }
  const forms = [`${prefix} de ${name}`];
  // Elision before a vowel or a (mute or not, we cannot tell) h.
  if (/^[aeiouyhœæ]/i.test(name.normalize('NFKD'))) forms.push(`${prefix} d'${name}`);
  return forms;
}
