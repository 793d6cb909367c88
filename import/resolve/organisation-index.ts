import { normaliseText } from '../../src/kernel/normalise-text';
import { ContractReference, ReferenceOrganisation } from './contract-reference';

export type OrganisationMatch =
  | { status: 'found'; organisation: ReferenceOrganisation; via: 'alias' | 'name' | 'siren' | 'insee' }
  | { status: 'ambiguous'; candidates: ReferenceOrganisation[] }
  | { status: 'unknown'; normalised: string };

const PREFIXES = ['territoire de la', 'territoire de l', 'territoire de', 'territoire du', 'territoire des'];

/**
 * Finds organisations by any spelling met in files: the contract's own aliases first ("Région", "DA"),
 * then global aliases and names, then SIREN or INSEE codes. Built once per import.
 */
export class OrganisationIndex {
  private readonly byId = new Map<number, ReferenceOrganisation>();
  private readonly contractSpellings = new Map<string, Set<number>>();
  private readonly globalSpellings = new Map<string, Set<number>>();
  private readonly bySiren = new Map<string, ReferenceOrganisation>();
  private readonly byInsee = new Map<string, ReferenceOrganisation>();
  /** Texts already looked up: a file names the same few organisations on thousands of rows. Bounded. */
  private readonly seen = new Map<string, OrganisationMatch>();

  constructor(reference: ContractReference) {
    for (const organisation of reference.organisations) {
      this.byId.set(organisation.id, organisation);
      if (organisation.siren) this.bySiren.set(organisation.siren, organisation);
      if (organisation.inseeCode) this.byInsee.set(organisation.inseeCode, organisation);
      add(this.globalSpellings, normaliseText(organisation.name), organisation.id);
      if (organisation.shortName) add(this.globalSpellings, normaliseText(organisation.shortName), organisation.id);
    }
    for (const alias of reference.aliases) {
      if (alias.contractId === reference.contract.id) add(this.contractSpellings, alias.normalised, alias.organisationId);
      else if (alias.contractId === null) add(this.globalSpellings, alias.normalised, alias.organisationId);
    }
  }

  get(id: number): ReferenceOrganisation | undefined {
    return this.byId.get(id);
  }

  find(text: string): OrganisationMatch {
    let match = this.seen.get(text);
    if (match === undefined) {
      match = this.lookup(text);
      if (this.seen.size >= 10_000) this.seen.clear();
      this.seen.set(text, match);
    }
    return match;
  }

  private lookup(text: string): OrganisationMatch {
    const trimmed = text.trim();
    const compact = trimmed.replace(/\s+/g, '');
    if (/^\d{9}$/.test(compact) && this.bySiren.has(compact)) return { status: 'found', organisation: this.bySiren.get(compact)!, via: 'siren' };
    if (/^(\d{5}|2[AB]\d{3})$/i.test(compact) && this.byInsee.has(compact.toUpperCase())) {
      return { status: 'found', organisation: this.byInsee.get(compact.toUpperCase())!, via: 'insee' };
    }
    let normalised = normaliseText(trimmed);
    for (const prefix of PREFIXES) {
      if (normalised.startsWith(`${prefix} `)) {
        normalised = normalised.slice(prefix.length + 1);
        break;
      }
    }
    for (const spellings of [this.contractSpellings, this.globalSpellings]) {
      const ids = spellings.get(normalised);
      if (!ids) continue;
      const candidates = [...ids].map((id) => this.byId.get(id)!).filter(Boolean);
      if (candidates.length === 1) return { status: 'found', organisation: candidates[0], via: 'alias' };
      if (candidates.length > 1) return { status: 'ambiguous', candidates };
    }
    return { status: 'unknown', normalised };
  }

  /** The EPCI an organisation belongs to: itself for an EPCI, its parent for a commune. */
  territoryOf(organisationId: number | null): ReferenceOrganisation | null {
    if (organisationId === null) return null;
    const organisation = this.byId.get(organisationId);
    if (!organisation) return null;
    if (organisation.kind === 'EPCI') return organisation;
    return organisation.parentId ? (this.byId.get(organisation.parentId) ?? null) : null;
  }
}

function add(map: Map<string, Set<number>>, key: string, id: number): void {
  if (!key) return;
  const ids = map.get(key);
  if (ids) ids.add(id);
  else map.set(key, new Set([id]));
}
