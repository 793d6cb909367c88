import { DataSource, EntityManager, In } from 'typeorm';
import { AuditHook } from '../audit/audit.service';
import { bumpAllVersions } from '../cache/data-version';
import { checkDate, checkText, checkYear, FieldError, fieldErrorsToGraphQLError, throwIfFieldErrors } from '../common/field-validation';
import { resolveOrganisationRef } from '../action/action.service';
import { isUniqueViolation } from '../sql/unique-violation';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { buildPerimeterOrganisations, findEtalabEpci } from '../seed/perimeter';
import { SeedContract, SeedDataset } from '../seed/seed-data.types';
import { SeedSummary, seedWithin } from '../seed/seed.service';
import { writeToContract } from '../contract/contract-write';
import { ContractInput, ContractUpdateInput } from './contract.inputs';
import { ContractParty } from '../contract/contract-party.entity';
import { Contract } from '../contract/contract.entity';
import { findContract } from '../contract/contract.lookups';

/**
 * Creation and change of a contract and its perimeter. The perimeter's organisations (each EPCI and its
 * member communes) come from Etalab's lists through the seed's loader (seedWithin), which matches them on
 * SIREN and INSEE code: a commune or EPCI another contract already has is that same row, never a copy.
 * Authorisation is the caller's (the mutations require an admin; the CLI is whoever holds the database).
 */

export const CONTRACT_CODE_MAX = 40;
const CONTRACT_NAME_MAX = 255;
/** Letters, digits and - _ . : a code is typed in command lines and URLs. */
const CONTRACT_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SIREN = /^\d{9}$/;

/** What a creation or update did, for the CLI's summary and the audit row. */
export interface ContractWriteResult {
  contract: Contract;
  /** The perimeter's EPCIs as Etalab names them, with their number of communes. */
  epcis: { siren: string; name: string; communes: number }[];
  /** Distinct communes of the perimeter. */
  communes: number;
  organisations: SeedSummary['organisations'];
}

export async function createContract(dataSource: DataSource, input: ContractInput, audit?: AuditHook<ContractWriteResult>): Promise<ContractWriteResult> {
  const errors: FieldError[] = [];
  const code = checkContractCode(errors, input.code);
  const name = checkText(errors, 'name', 'Le nom du contrat', input.name, { max: CONTRACT_NAME_MAX, required: true });
  checkPeriod(errors, input.fromYear, input.toYear);
  const signedOn = checkDate(errors, 'signedOn', 'La date de signature', input.signedOn);
  const epcis = checkEpcis(errors, input.epcis, true)!;
  try {
    // No writeToContract: there is no contract yet to lock; the unique code keeps two creations apart.
    return await dataSource.transaction(async (manager) => {
      if (code && (await findContract(manager, code))) errors.unshift(codeTaken(code));
      const signatories = await resolveParties(manager, errors, 'signatories', 'Signataires', input.signatories);
      const partners = await resolveParties(manager, errors, 'partners', 'Partenaires', input.partners);
      throwIfFieldErrors(errors);
      const outcome = await seedWithin(
        manager,
        perimeterDataset({ code: code!, name: name!, signedOn: signedOn ?? null, startYear: input.fromYear, endYear: input.toYear }, epcis),
        'skip',
      );
      await replaceParties(manager, outcome.contractId, ContractPartyRole.SIGNATORY, signatories ?? []);
      await replaceParties(manager, outcome.contractId, ContractPartyRole.PARTNER, partners ?? []);
      // Also gives the new contract its version row; organisations other contracts share may have been renamed.
      await bumpAllVersions(manager);
      const result = await resultOf(manager, outcome.contractId, outcome.summary);
      await audit?.(manager, result);
      return result;
    });
  } catch (error) {
    if (isUniqueViolation(error) && code) throw fieldErrorsToGraphQLError([codeTaken(code)]);
    throw error;
  }
}

export async function updateContract(dataSource: DataSource, code: string, input: ContractUpdateInput, audit?: AuditHook<ContractWriteResult>): Promise<ContractWriteResult> {
  return writeToContract(dataSource, { code }, { audit }, async (manager) => {
    const contract = await findContract(manager, code);
    if (!contract) throw fieldErrorsToGraphQLError([{ field: 'code', message: `Contrat (code) « ${code} » inconnu.` }]);
    const errors: FieldError[] = [];
    const name = input.name === undefined ? contract.name : checkText(errors, 'name', 'Le nom du contrat', input.name, { max: CONTRACT_NAME_MAX, required: true });
    const startYear = input.fromYear ?? contract.startYear;
    const endYear = input.toYear ?? contract.endYear;
    checkPeriod(errors, startYear, endYear);
    const signedOn = input.signedOn === undefined ? contract.signedOn : checkDate(errors, 'signedOn', 'La date de signature', input.signedOn);
    const epcis = input.epcis == null ? null : checkEpcis(errors, input.epcis, true)!;
    if (epcis && !errors.some((error) => error.field === 'epcis')) await checkPerimeterUndated(manager, errors, contract, epcis);
    const signatories = await resolveParties(manager, errors, 'signatories', 'Signataires', input.signatories);
    const partners = await resolveParties(manager, errors, 'partners', 'Partenaires', input.partners);
    throwIfFieldErrors(errors);

    const outcome = await seedWithin(
      manager,
      perimeterDataset({ code: contract.code, name: name!, signedOn: signedOn ?? null, startYear, endYear }, epcis ?? []),
      'skip',
    );
    if (epcis) {
      // The perimeter is the one given: EPCIs left out stop being parties (their rows stay, other data may use them).
      const kept = new Set(epcis.map((siren) => outcome.organisationIds.get(epciKey(siren))!));
      const current = await manager.find(ContractParty, { where: { contractId: contract.id, role: ContractPartyRole.PERIMETER } });
      const gone = current.filter((party) => !kept.has(party.organisationId)).map((party) => party.id);
      if (gone.length) await manager.delete(ContractParty, { id: In(gone) });
    }
    if (signatories) await replaceParties(manager, contract.id, ContractPartyRole.SIGNATORY, signatories);
    if (partners) await replaceParties(manager, contract.id, ContractPartyRole.PARTNER, partners);
    // A renamed shared organisation changes other contracts' answers too.
    if (outcome.summary.organisations.updated > 0) await bumpAllVersions(manager);
    return resultOf(manager, contract.id, outcome.summary);
  });
}

/**
 * EPCIs an amendment adds (amendContract, addEpcis) that the database does not know yet: each with its
 * member communes from Etalab's lists, through the seed's loader as createContract, inside the amendment's
 * transaction (under the contract's lock; rolled back with it if it is refused). No party is added here:
 * the amendment puts the EPCI in the perimeter, dated. SIRENs Etalab does not know are left out (the
 * amendment refuses them).
 */
export async function loadEtalabEpcis(manager: EntityManager, contract: Contract, sirens: string[]): Promise<void> {
  const known = sirens.filter((siren) => SIREN.test(siren) && findEtalabEpci(siren));
  if (!known.length) return;
  const dataset = perimeterDataset({ code: contract.code, name: contract.name, signedOn: contract.signedOn ?? null, startYear: contract.startYear, endYear: contract.endYear }, known);
  const outcome = await seedWithin(manager, { ...dataset, contract: { ...dataset.contract, perimeterEpciSirens: [] } }, 'skip');
  // A commune met again under another name or EPCI changes other contracts' answers too.
  if (outcome.summary.organisations.updated > 0) await bumpAllVersions(manager);
}

// ---------------------------------------------------------------------------------------------------

/**
 * updateContract sets the EPCIs of a contract that holds nothing yet (a perimeter typed wrong is mended).
 * Once it has actions, funding lines or amendments, its perimeter changes by an amendment (amendContract,
 * addEpcis / removeEpcis), dated, so that the communes it had before stay answered (asOf).
 */
async function checkPerimeterUndated(manager: EntityManager, errors: FieldError[], contract: Contract, sirens: string[]): Promise<void> {
  const current = await manager.find(ContractParty, { where: { contractId: contract.id, role: ContractPartyRole.PERIMETER }, relations: { organisation: true } });
  const now = new Set(current.map((party) => party.organisation.siren));
  if (now.size === sirens.length && sirens.every((siren) => now.has(siren))) return;
  const holds = async (table: 'action' | 'funding' | 'amendment') => (await manager.query(`SELECT 1 FROM ${table} WHERE contract_id = ? LIMIT 1`, [contract.id])).length > 0;
  if ((await holds('action')) || (await holds('funding')) || (await holds('amendment'))) {
    errors.push({
      field: 'epcis',
      message: `Périmètre (epcis) : le contrat ${contract.code} a déjà des actions, des financements ou des avenants ; ses EPCI changent par un avenant daté (amendContract, changes.addEpcis / changes.removeEpcis), afin que le périmètre antérieur reste consultable (asOf).`,
    });
  }
}

function codeTaken(code: string): FieldError {
  return { field: 'code', message: `Le code du contrat (code) « ${code} » existe déjà.` };
}

function checkContractCode(errors: FieldError[], value: string): string | undefined {
  const code = checkText(errors, 'code', 'Le code du contrat', value, { max: CONTRACT_CODE_MAX, required: true });
  if (code !== undefined && !CONTRACT_CODE.test(code)) {
    errors.push({ field: 'code', message: `Le code du contrat (code) « ${code} » ne peut contenir que des lettres sans accent, des chiffres, « - », « _ » et « . ».` });
    return undefined;
  }
  return code;
}

/** Both years plausible, the second equal to or after the first. */
function checkPeriod(errors: FieldError[], fromYear: number, toYear: number): void {
  const before = errors.length;
  checkYear(errors, 'fromYear', 'L’année de début', fromYear);
  checkYear(errors, 'toYear', 'L’année de fin', toYear);
  if (errors.length === before && toYear < fromYear) {
    errors.push({
      field: 'toYear',
      message: `La période doit aller d'une année à une année égale ou postérieure : l’année de fin (toYear) ${toYear} précède l’année de début (fromYear) ${fromYear}.`,
    });
  }
}

/** SIRENs of EPCIs of Etalab's lists, without repeats; each wrong one named. */
function checkEpcis(errors: FieldError[], values: readonly string[], required: boolean): string[] | undefined {
  const sirens = [...new Set(values.map((value) => value.replace(/\s/g, '')))];
  if (required && sirens.length === 0) errors.push({ field: 'epcis', message: 'Périmètre (epcis) : indiquez au moins un EPCI par son SIREN.' });
  for (const siren of sirens) {
    if (!SIREN.test(siren)) errors.push({ field: 'epcis', message: `Périmètre (epcis) : « ${siren} » n’est pas un SIREN (9 chiffres).` });
    else if (!findEtalabEpci(siren)) errors.push({ field: 'epcis', message: `Périmètre (epcis) : SIREN ${siren} : aucun EPCI de ce numéro dans les données Etalab.` });
  }
  return sirens;
}

async function resolveParties(
  manager: EntityManager,
  errors: FieldError[],
  field: string,
  label: string,
  refs: readonly string[] | null | undefined,
): Promise<Organisation[] | undefined> {
  if (refs == null) return undefined;
  const found = new Map<number, Organisation>();
  for (const ref of refs) {
    const result = await resolveOrganisationRef(manager, ref.trim(), null);
    if ('organisation' in result) found.set(result.organisation.id, result.organisation);
    else errors.push({ field, message: `${label} (${field}) : ${result.error}.` });
  }
  return [...found.values()];
}

async function replaceParties(manager: EntityManager, contractId: number, role: ContractPartyRole, organisations: Organisation[]): Promise<void> {
  await manager.delete(ContractParty, { contractId, role });
  if (organisations.length) await manager.insert(ContractParty, organisations.map((organisation) => ({ contractId, organisationId: organisation.id, role })));
}

const epciKey = (siren: string): string => `EPCI_${siren}`;

/** The seed dataset of a contract and its Etalab perimeter (no axis, programme or hand-written organisation). */
function perimeterDataset(contract: Omit<SeedContract, 'perimeterEpciSirens' | 'signatoryKeys' | 'partnerKeys' | 'axes'>, epcis: string[]): SeedDataset {
  return {
    contract: { ...contract, perimeterEpciSirens: epcis, signatoryKeys: [], partnerKeys: [], axes: [] },
    organisations: buildPerimeterOrganisations(epcis, { keys: Object.fromEntries(epcis.map((siren) => [siren, epciKey(siren)])) }),
    programmes: [],
  };
}

async function resultOf(manager: EntityManager, contractId: number, summary: SeedSummary): Promise<ContractWriteResult> {
  const contract = await manager.getRepository(Contract).findOneByOrFail({ id: contractId });
  const parties = await manager.find(ContractParty, { where: { contractId, role: ContractPartyRole.PERIMETER }, relations: { organisation: true } });
  const epcis = parties.map((party) => party.organisation).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const communes = epcis.length
    ? await manager.count(Organisation, { where: { parentId: In(epcis.map((epci) => epci.id)), kind: OrganisationKind.COMMUNE } })
    : 0;
  const perEpci = await Promise.all(
    epcis.map(async (epci) => ({
      siren: epci.siren ?? '',
      name: epci.name,
      communes: await manager.count(Organisation, { where: { parentId: epci.id, kind: OrganisationKind.COMMUNE } }),
    })),
  );
  return { contract, epcis: perEpci, communes, organisations: summary.organisations };
}
