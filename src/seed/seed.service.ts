import { DataSource, EntityManager, EntityTarget, In, IsNull, ObjectLiteral } from 'typeorm';
import { normaliseText } from '../kernel/normalise-text';
import { Axis } from '../contract/axis.entity';
import { ContractParty } from '../contract/contract-party.entity';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { OrganisationAlias } from '../organisation/organisation-alias.entity';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { bumpAllVersions } from '../cache/data-version';
import { DOUAISIS_DATASET } from './douaisis.seed-data';
import { contractSpellings, globalSpellings, SeedDataset, SeedOrganisation } from './seed-data.types';

/**
 * Idempotent loader of a contract's reference data: organisations (with their aliases), programmes, the
 * contract, its axes, orientations and parties.
 *
 * - Everything runs in one transaction: a failing seed writes nothing.
 * - Rows are matched on natural keys (see each step) and updated when the dataset says something else,
 *   so that a corrected dataset takes effect; updated_at only moves when a field really changed.
 * - Rows are NEVER deleted, even when the dataset no longer lists them: imports, fundings and users may
 *   reference them. Retiring reference data is a deliberate, manual operation.
 * - Each table is read once (rows matching the dataset's keys) and new rows are inserted in bulk.
 */

export interface SeedCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export const SEED_TABLES = ['organisations', 'aliases', 'programmes', 'contract', 'axes', 'orientations', 'parties'] as const;
export type SeedTable = (typeof SEED_TABLES)[number];
export type SeedSummary = Record<SeedTable, SeedCounts>;

/** One line per table, for the CLI: "organisations: 2 created, 0 updated, 95 unchanged". */
export function formatSeedSummary(summary: SeedSummary): string {
  return SEED_TABLES.map(
    (table) => `${table}: ${summary[table].created} created, ${summary[table].updated} updated, ${summary[table].unchanged} unchanged`,
  ).join('\n');
}

const INSERT_CHUNK_SIZE = 500;

/** Whether the contract's reference data has been loaded (its contract row exists). */
export async function isSeeded(dataSource: DataSource, code: string = DOUAISIS_DATASET.contract.code): Promise<boolean> {
  return dataSource.manager.existsBy(Contract, { code });
}

/**
 * Loads (or brings up to date) the reference data of one contract. Safe to run at every start: loading
 * the same dataset twice changes nothing and reports every row as unchanged.
 *
 * @throws Error when the dataset is inconsistent (duplicate keys, unknown organisation keys, one spelling
 *   for two organisations) or when an alias already means another organisation in the database.
 */
export async function seedReferenceData(dataSource: DataSource, dataset: SeedDataset = DOUAISIS_DATASET): Promise<SeedSummary> {
  const plan = validateDataset(dataset, 'refuse');
  return dataSource.transaction(async (manager) => {
    const seeder = new Seeder(manager, dataset, plan, new Date(), 'refuse');
    const summary = await seeder.run();
    await bumpAllVersions(manager);
    return summary;
  });
}

/**
 * What to do with a spelling that would mean two organisations (homonym communes: « Ville de Beaumont »):
 * 'refuse' (the hand-written seed: a data bug) or 'skip' (a perimeter taken from Etalab's lists, where
 * homonyms are real: the spelling is left out, the organisation stays reachable by SIREN or INSEE code).
 */
export type AmbiguousSpellings = 'refuse' | 'skip';

/** What seedWithin wrote, and the ids it gave the dataset's contract and organisations (by dataset key). */
export interface SeedOutcome {
  summary: SeedSummary;
  contractId: number;
  organisationIds: ReadonlyMap<string, number>;
}

/**
 * The seed of one dataset inside the caller's transaction (contract creation and update, src/contract/):
 * the caller owns the transaction, the version bumps and the audit.
 */
export async function seedWithin(manager: EntityManager, dataset: SeedDataset, ambiguous: AmbiguousSpellings): Promise<SeedOutcome> {
  const seeder = new Seeder(manager, dataset, validateDataset(dataset, ambiguous), new Date(), ambiguous);
  const summary = await seeder.run();
  return { summary, contractId: seeder.seededContractId, organisationIds: seeder.seededOrganisationIds };
}

// ---------------------------------------------------------------------------------------------------
// Dataset validation
// ---------------------------------------------------------------------------------------------------

interface PlannedAlias {
  scope: 'global' | 'contract';
  /** As written in the dataset (first spelling of its normalised form). */
  alias: string;
  normalised: string;
  orgKey: string;
}

interface DatasetPlan {
  byKey: Map<string, SeedOrganisation>;
  aliases: PlannedAlias[];
  /** Organisations grouped by depth in the parent tree: parents are always written before children. */
  levels: SeedOrganisation[][];
}

function validateDataset(dataset: SeedDataset, ambiguous: AmbiguousSpellings): DatasetPlan {
  const problems: string[] = [];
  const byKey = new Map<string, SeedOrganisation>();
  const sirens = new Map<string, string>();
  const inseeCodes = new Map<string, string>();
  for (const org of dataset.organisations) {
    if (byKey.has(org.key)) problems.push(`organisation key ${org.key} is used twice`);
    byKey.set(org.key, org);
    if (org.siren !== undefined) {
      const other = sirens.get(org.siren);
      if (other) problems.push(`SIREN ${org.siren} is given to both ${other} and ${org.key}`);
      sirens.set(org.siren, org.key);
    }
    if (org.inseeCode !== undefined) {
      const other = inseeCodes.get(org.inseeCode);
      if (other) problems.push(`INSEE code ${org.inseeCode} is given to both ${other} and ${org.key}`);
      inseeCodes.set(org.inseeCode, org.key);
    }
  }

  const levels: SeedOrganisation[][] = [];
  const depths = new Map<string, number>();
  const depthOf = (org: SeedOrganisation, path: string[]): number => {
    const known = depths.get(org.key);
    if (known !== undefined) return known;
    let depth = 0;
    if (org.parentKey !== undefined) {
      const parent = byKey.get(org.parentKey);
      if (!parent) {
        problems.push(`organisation ${org.key} has an unknown parent ${org.parentKey}`);
      } else if (path.includes(parent.key)) {
        problems.push(`organisations ${[...path, parent.key].join(' → ')} form a parent cycle`);
      } else {
        depth = depthOf(parent, [...path, org.key]) + 1;
      }
    }
    depths.set(org.key, depth);
    return depth;
  };
  for (const org of dataset.organisations) {
    const depth = depthOf(org, [org.key]);
    (levels[depth] ??= []).push(org);
  }

  const { contract } = dataset;
  for (const key of [...contract.signatoryKeys, ...contract.partnerKeys]) {
    if (!byKey.has(key)) problems.push(`contract party ${key} is not an organisation of the dataset`);
  }
  for (const siren of contract.perimeterEpciSirens) {
    if (!sirens.has(siren)) problems.push(`perimeter EPCI ${siren} is not an organisation of the dataset`);
  }
  const programmeCodes = new Set<string>();
  for (const programme of dataset.programmes) {
    if (programmeCodes.has(programme.code)) problems.push(`programme ${programme.code} is listed twice`);
    programmeCodes.add(programme.code);
    if (!byKey.has(programme.operatorKey)) problems.push(`programme ${programme.code} has an unknown operator ${programme.operatorKey}`);
  }
  const axisNumbers = new Set<number>();
  const orientationCodes = new Set<string>();
  for (const axis of contract.axes) {
    if (axisNumbers.has(axis.number)) problems.push(`axis ${axis.number} is listed twice`);
    axisNumbers.add(axis.number);
    for (const orientation of axis.orientations) {
      if (orientationCodes.has(orientation.code)) problems.push(`orientation ${orientation.code} is listed twice`);
      orientationCodes.add(orientation.code);
    }
  }

  // One spelling, one organisation per scope. (A contract alias may shadow another organisation's
  // global alias: that is what contract aliases are for.)
  const aliases = new Map<string, PlannedAlias>();
  const homonyms = new Set<string>();
  const addAlias = (org: SeedOrganisation, scope: PlannedAlias['scope'], alias: string) => {
    const normalised = normaliseText(alias);
    const id = `${scope}|${normalised}`;
    const other = aliases.get(id);
    if (!other) {
      aliases.set(id, { scope, alias, normalised, orgKey: org.key });
    } else if (other.orgKey !== org.key && ambiguous === 'skip') {
      homonyms.add(id);
    } else if (other.orgKey !== org.key) {
      problems.push(
        `the ${scope} alias "${alias}" (${normalised}) is given to both "${byKey.get(other.orgKey)!.name}" (${other.orgKey}, as "${other.alias}") ` +
          `and "${org.name}" (${org.key})`,
      );
    }
  };
  for (const org of dataset.organisations) {
    for (const spelling of globalSpellings(org)) addAlias(org, 'global', spelling);
    for (const spelling of contractSpellings(org)) addAlias(org, 'contract', spelling);
  }

  if (problems.length > 0) {
    throw new Error(`Seed dataset of ${contract.code} is inconsistent:\n- ${problems.join('\n- ')}`);
  }
  for (const id of homonyms) aliases.delete(id);
  return { byKey, levels, aliases: [...aliases.values()] };
}

// ---------------------------------------------------------------------------------------------------
// Loader
// ---------------------------------------------------------------------------------------------------

const counts = (): SeedCounts => ({ created: 0, updated: 0, unchanged: 0 });

/** The fields of `desired` whose value differs from `current`'s. */
function changedFields<T extends object>(current: T, desired: Partial<T>): Partial<T> {
  const changes: Partial<T> = {};
  for (const field of Object.keys(desired) as (keyof T)[]) {
    if (!sameValue(current[field], desired[field])) changes[field] = desired[field];
  }
  return changes;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a instanceof Date) a = dateOnly(a);
  if (b instanceof Date) b = dateOnly(b);
  // Drivers may hand integers back as strings (BIGINT, DECIMAL): compare numbers by value.
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  return a === b;
}

/** A DATE column read back as a Date (driver-dependent) compared as 'YYYY-MM-DD'. */
function dateOnly(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const isEmpty = (changes: object): boolean => Object.keys(changes).length === 0;

class Seeder {
  private readonly summary: SeedSummary = {
    organisations: counts(),
    aliases: counts(),
    programmes: counts(),
    contract: counts(),
    axes: counts(),
    orientations: counts(),
    parties: counts(),
  };
  private readonly organisationIds = new Map<string, number>();
  /** Existing global aliases by normalised form. */
  private readonly existingGlobalAliases = new Map<string, OrganisationAlias[]>();
  private contractId = 0;

  constructor(
    private readonly manager: EntityManager,
    private readonly dataset: SeedDataset,
    private readonly plan: DatasetPlan,
    private readonly now: Date,
    private readonly ambiguous: AmbiguousSpellings,
  ) {}

  get seededContractId(): number {
    return this.contractId;
  }

  get seededOrganisationIds(): ReadonlyMap<string, number> {
    return this.organisationIds;
  }

  async run(): Promise<SeedSummary> {
    await this.loadGlobalAliases();
    await this.seedOrganisations();
    await this.seedContract();
    await this.seedProgrammes();
    await this.seedAxesAndOrientations();
    await this.seedParties();
    await this.seedAliases();
    return this.summary;
  }

  /** Inserts rows in chunks and returns their generated ids, in order. */
  private async insertAll<T extends ObjectLiteral>(target: EntityTarget<T>, rows: Partial<T>[]): Promise<number[]> {
    const ids: number[] = [];
    for (let start = 0; start < rows.length; start += INSERT_CHUNK_SIZE) {
      const chunk = rows.slice(start, start + INSERT_CHUNK_SIZE);
      // The cast only tells TypeORM our partial rows are its QueryDeepPartialEntity.
      const result = await this.manager.insert(target, chunk as never);
      const chunkIds = result.identifiers.map((identifier) => Number(identifier?.id));
      if (chunkIds.length !== chunk.length || chunkIds.some((id) => !Number.isInteger(id) || id <= 0)) {
        throw new Error(`Bulk insert did not return the ids of the ${chunk.length} new rows`);
      }
      ids.push(...chunkIds);
    }
    return ids;
  }

  private organisationId(key: string): number {
    const id = this.organisationIds.get(key);
    if (id === undefined) throw new Error(`Organisation ${key} has not been seeded`);
    return id;
  }

  /**
   * Organisations match by SIREN when the dataset gives one, else by INSEE code, else by exact name and
   * kind. When that key finds nothing, two fallbacks avoid creating a duplicate of a row that is plainly
   * the same body: a row with the same name and kind, then the one row the organisation's global spellings
   * already resolve to (so that renaming an organisation without SIREN updates it) — in both cases only
   * if that row has no other SIREN or INSEE code. Parents are written level by level so that children
   * get their parent's id on insert.
   */
  private async seedOrganisations(): Promise<void> {
    const orgs = this.dataset.organisations;
    const sirens = orgs.flatMap((o) => (o.siren !== undefined ? [o.siren] : []));
    const inseeCodes = orgs.flatMap((o) => (o.inseeCode !== undefined ? [o.inseeCode] : []));
    const names = orgs.map((o) => o.name);
    const aliasedIds = [...new Set([...this.existingGlobalAliases.values()].flat().map((a) => a.organisationId))];
    const where = [
      ...(sirens.length ? [{ siren: In(sirens) }] : []),
      ...(inseeCodes.length ? [{ inseeCode: In(inseeCodes) }] : []),
      ...(names.length ? [{ name: In(names) }] : []),
      ...(aliasedIds.length ? [{ id: In(aliasedIds) }] : []),
    ];
    const existing = where.length ? await this.manager.find(Organisation, { where, order: { id: 'ASC' } }) : [];

    const byId = new Map<number, Organisation>();
    const bySiren = new Map<string, Organisation>();
    const byInsee = new Map<string, Organisation>();
    const byNameKind = new Map<string, Organisation[]>();
    for (const row of existing) {
      byId.set(row.id, row);
      if (row.siren !== null) bySiren.set(row.siren, row);
      if (row.inseeCode !== null) byInsee.set(row.inseeCode, row);
      const nameKey = `${row.kind}|${row.name}`;
      byNameKind.set(nameKey, [...(byNameKind.get(nameKey) ?? []), row]);
    }
    /** A fallback candidate must not be another body: its SIREN and INSEE code are unset or the same. */
    const compatible = (org: SeedOrganisation) => (row: Organisation) =>
      (row.siren === null || row.siren === (org.siren ?? null)) && (row.inseeCode === null || row.inseeCode === (org.inseeCode ?? null));
    const findCurrent = (org: SeedOrganisation): Organisation | undefined => {
      if (org.siren !== undefined) {
        const row = bySiren.get(org.siren);
        if (row) return row;
      }
      if (org.inseeCode !== undefined) {
        const row = byInsee.get(org.inseeCode);
        if (row && (row.siren === null || org.siren === undefined)) return row;
        if (row) return undefined; // Another SIREN holds this INSEE code: let the unique index say so.
      }
      // Lowest id wins when several rows share a name and kind (rows come ordered by id).
      const sameName = (byNameKind.get(`${org.kind}|${org.name}`) ?? []).find(compatible(org));
      if (sameName) return sameName;
      const aliasedTo = new Set(
        globalSpellings(org).flatMap((s) => (this.existingGlobalAliases.get(normaliseText(s)) ?? []).map((a) => a.organisationId)),
      );
      if (aliasedTo.size !== 1) return undefined;
      const row = byId.get([...aliasedTo][0]);
      return row && compatible(org)(row) ? row : undefined;
    };
    const claimedBy = new Map<number, string>();

    for (const level of this.plan.levels) {
      const inserts: { key: string; row: Partial<Organisation> }[] = [];
      for (const org of level) {
        const desired = {
          name: org.name,
          shortName: org.shortName ?? null,
          kind: org.kind,
          siren: org.siren ?? null,
          inseeCode: org.inseeCode ?? null,
          parentId: org.parentKey !== undefined ? this.organisationId(org.parentKey) : null,
        };
        const current = findCurrent(org);
        if (!current) {
          inserts.push({ key: org.key, row: { ...desired, createdAt: this.now, updatedAt: this.now } });
          continue;
        }
        const other = claimedBy.get(current.id);
        if (other !== undefined) {
          throw new Error(`Seed organisations ${other} and ${org.key} both match organisation #${current.id} (${current.name})`);
        }
        claimedBy.set(current.id, org.key);
        this.organisationIds.set(org.key, current.id);
        const changes = changedFields(current, desired);
        if (isEmpty(changes)) {
          this.summary.organisations.unchanged++;
        } else {
          await this.manager.update(Organisation, { id: current.id }, { ...changes, updatedAt: this.now });
          this.summary.organisations.updated++;
        }
      }
      const ids = await this.insertAll(
        Organisation,
        inserts.map((i) => i.row),
      );
      inserts.forEach((insert, index) => this.organisationIds.set(insert.key, ids[index]));
      this.summary.organisations.created += inserts.length;
    }
  }

  /** The contract matches by code. */
  private async seedContract(): Promise<void> {
    const { contract } = this.dataset;
    const desired = {
      name: contract.name,
      signedOn: contract.signedOn,
      startYear: contract.startYear,
      endYear: contract.endYear,
    };
    const current = await this.manager.findOneBy(Contract, { code: contract.code });
    if (!current) {
      [this.contractId] = await this.insertAll(Contract, [{ code: contract.code, ...desired, createdAt: this.now, updatedAt: this.now }]);
      this.summary.contract.created++;
      return;
    }
    this.contractId = current.id;
    const changes = changedFields(current, desired);
    if (isEmpty(changes)) {
      this.summary.contract.unchanged++;
    } else {
      await this.manager.update(Contract, { id: current.id }, { ...changes, updatedAt: this.now });
      this.summary.contract.updated++;
    }
  }

  /**
   * Programmes match by code. Note: SeedProgramme.aliases has no table to go to yet (there is no
   * programme_alias entity); they are not stored.
   */
  private async seedProgrammes(): Promise<void> {
    const programmes = this.dataset.programmes;
    if (programmes.length === 0) return;
    const existing = await this.manager.find(Programme, { where: { code: In(programmes.map((p) => p.code)) } });
    const byCode = new Map(existing.map((row) => [row.code, row]));
    const inserts: Partial<Programme>[] = [];
    for (const programme of programmes) {
      const desired = {
        name: programme.name,
        description: programme.description ?? null,
        operatorId: this.organisationId(programme.operatorKey),
      };
      const current = byCode.get(programme.code);
      if (!current) {
        inserts.push({ code: programme.code, ...desired });
        continue;
      }
      const changes = changedFields(current, desired);
      if (isEmpty(changes)) {
        this.summary.programmes.unchanged++;
      } else {
        await this.manager.update(Programme, { id: current.id }, changes);
        this.summary.programmes.updated++;
      }
    }
    await this.insertAll(Programme, inserts);
    this.summary.programmes.created += inserts.length;
  }

  /** Axes match by (contract, number), orientations by (contract, code). */
  private async seedAxesAndOrientations(): Promise<void> {
    const { axes } = this.dataset.contract;
    const contractId = this.contractId;

    const existingAxes = await this.manager.find(Axis, { where: { contractId } });
    const axisByNumber = new Map(existingAxes.map((row) => [row.number, row]));
    const axisIds = new Map<number, number>();
    const axisInserts: Partial<Axis>[] = [];
    for (const axis of axes) {
      const current = axisByNumber.get(axis.number);
      if (!current) {
        axisInserts.push({ contractId, number: axis.number, code: String(axis.number), title: axis.title });
        continue;
      }
      axisIds.set(axis.number, current.id);
      const changes = changedFields(current, { title: axis.title });
      if (isEmpty(changes)) {
        this.summary.axes.unchanged++;
      } else {
        await this.manager.update(Axis, { id: current.id }, changes);
        this.summary.axes.updated++;
      }
    }
    const newAxisIds = await this.insertAll(Axis, axisInserts);
    axisInserts.forEach((axis, index) => axisIds.set(axis.number!, newAxisIds[index]));
    this.summary.axes.created += axisInserts.length;

    const existingOrientations = await this.manager.find(Orientation, { where: { contractId } });
    const orientationByCode = new Map(existingOrientations.map((row) => [row.code, row]));
    const orientationInserts: Partial<Orientation>[] = [];
    for (const axis of axes) {
      const axisId = axisIds.get(axis.number)!;
      for (const orientation of axis.orientations) {
        const current = orientationByCode.get(orientation.code);
        if (!current) {
          orientationInserts.push({ contractId, axisId, code: orientation.code, title: orientation.title });
          continue;
        }
        const changes = changedFields(current, { axisId, title: orientation.title });
        if (isEmpty(changes)) {
          this.summary.orientations.unchanged++;
        } else {
          await this.manager.update(Orientation, { id: current.id }, changes);
          this.summary.orientations.updated++;
        }
      }
    }
    await this.insertAll(Orientation, orientationInserts);
    this.summary.orientations.created += orientationInserts.length;
  }

  /** Parties match by (contract, organisation, role): signatories, partners and the perimeter EPCIs. */
  private async seedParties(): Promise<void> {
    const { contract, organisations } = this.dataset;
    const contractId = this.contractId;
    const wanted: { organisationId: number; role: ContractPartyRole }[] = [];
    const seen = new Set<string>();
    const want = (key: string, role: ContractPartyRole) => {
      const organisationId = this.organisationId(key);
      const id = `${organisationId}|${role}`;
      if (seen.has(id)) return;
      seen.add(id);
      wanted.push({ organisationId, role });
    };
    for (const key of contract.signatoryKeys) want(key, ContractPartyRole.SIGNATORY);
    for (const key of contract.partnerKeys) want(key, ContractPartyRole.PARTNER);
    for (const siren of contract.perimeterEpciSirens) {
      want(organisations.find((o) => o.siren === siren)!.key, ContractPartyRole.PERIMETER);
    }

    const existing = await this.manager.find(ContractParty, { where: { contractId } });
    const existingKeys = new Set(existing.map((row) => `${row.organisationId}|${row.role}`));
    const inserts = wanted
      .filter((party) => !existingKeys.has(`${party.organisationId}|${party.role}`))
      .map((party) => ({ contractId, ...party }));
    await this.insertAll(ContractParty, inserts);
    this.summary.parties.created += inserts.length;
    this.summary.parties.unchanged += wanted.length - inserts.length;
  }

  /** Global aliases of the dataset's spellings, read first: organisations are also matched through them. */
  private async loadGlobalAliases(): Promise<void> {
    const normalised = this.plan.aliases.filter((a) => a.scope === 'global').map((a) => a.normalised);
    if (normalised.length === 0) return;
    // IsNull(): `contract_id = NULL` never matches (and TypeORM refuses a null in `where`).
    const rows = await this.manager.find(OrganisationAlias, { where: { contractId: IsNull(), normalised: In(normalised) }, order: { id: 'ASC' } });
    for (const row of rows) this.existingGlobalAliases.set(row.normalised, [...(this.existingGlobalAliases.get(row.normalised) ?? []), row]);
  }

  /**
   * Aliases match by (contract or none, normalised). A spelling that already means another organisation
   * in the same scope is a data bug: the seed fails rather than silently re-pointing it.
   */
  private async seedAliases(): Promise<void> {
    const contractId = this.contractId;
    const contractNormalised = this.plan.aliases.filter((a) => a.scope === 'contract').map((a) => a.normalised);
    const existingContractAliases = new Map<string, OrganisationAlias[]>();
    if (contractNormalised.length > 0) {
      const rows = await this.manager.find(OrganisationAlias, { where: { contractId, normalised: In(contractNormalised) }, order: { id: 'ASC' } });
      for (const row of rows) existingContractAliases.set(row.normalised, [...(existingContractAliases.get(row.normalised) ?? []), row]);
    }

    const inserts: Partial<OrganisationAlias>[] = [];
    for (const alias of this.plan.aliases) {
      const organisationId = this.organisationId(alias.orgKey);
      // Several rows are possible for global aliases: NULLs are distinct in unique indexes.
      const rows = (alias.scope === 'global' ? this.existingGlobalAliases : existingContractAliases).get(alias.normalised);
      if (!rows) {
        inserts.push({
          organisationId,
          contractId: alias.scope === 'global' ? null : contractId,
          alias: alias.alias,
          normalised: alias.normalised,
        });
        continue;
      }
      const conflicting = rows.find((row) => row.organisationId !== organisationId);
      if (conflicting && this.ambiguous === 'skip') continue;
      if (conflicting) {
        const other = await this.manager.findOneBy(Organisation, { id: conflicting.organisationId });
        const org = this.plan.byKey.get(alias.orgKey)!;
        throw new Error(
          `Seed of ${this.dataset.contract.code}: the ${alias.scope} alias "${alias.alias}" (${alias.normalised}) ` +
            `already means "${other?.name ?? '?'}" (organisation #${conflicting.organisationId}${other?.siren ? `, SIREN ${other.siren}` : ''}) ` +
            `but the dataset gives it to "${org.name}" (${alias.orgKey}, organisation #${organisationId}). Fix the dataset or the alias.`,
        );
      }
      for (const row of rows) {
        const changes = changedFields(row, { alias: alias.alias });
        if (isEmpty(changes)) {
          this.summary.aliases.unchanged++;
        } else {
          await this.manager.update(OrganisationAlias, { id: row.id }, changes);
          this.summary.aliases.updated++;
        }
      }
    }
    await this.insertAll(OrganisationAlias, inserts);
    this.summary.aliases.created += inserts.length;
  }
}
