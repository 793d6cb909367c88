import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import { Action } from '../action/action.entity';
import { isUniqueViolation } from '../sql/unique-violation';
import { AuditHook } from '../audit/audit.service';
import { checkText, FieldError, fieldErrorsToGraphQLError, INSEE_CODE, isIsoDate, throwIfFieldErrors, TITLE_MAX } from '../common/field-validation';
import { Axis } from '../contract/axis.entity';
import { ContractParty } from '../contract/contract-party.entity';
import { writeToContract } from '../contract/contract-write';
import { Contract } from '../contract/contract.entity';
import { structureDateOf } from '../contract/structure-date';
import { findContract } from '../contract/contract.lookups';
import { Orientation } from '../contract/orientation.entity';
import { AXIS_CODE_MAX, axisCodeOf, ORIENTATION_CODE_MAX } from '../contract/structure.service';
import { AmendmentChangeKind } from '../kernel/amendment-change-kind.enum';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { AuthContext } from '../request/authorisation';
import { AmendmentChangeRow } from './amendment-change.entity';
import { Amendment } from './amendment.entity';
import { AmendmentChangesInput, AmendmentInput } from './amendment.inputs';
import { AmendmentChange } from './amendment.types';
import { communesInForce, epcisOfChanges } from '../contract/perimeter-history';

/**
 * Records an amendment (avenant) and its changes in one write to the contract (writeToContract): all of
 * them, or nothing. Each change is dated by the amendment's signature and kept (the history tables), so
 * that the structure and the perimeter stay answered as they stood before (asOf, amendment.loaders.ts).
 *
 * Rules, each refused with a French message naming its field:
 * - the number is unique in the contract; the date of signature is a real date, not before the contract's
 *   start (its signature, else 1 January of its first year), not after today (an amendment is recorded
 *   once signed: none is in force later, so today's structure is the current rows), and not before the last
 *   amendment recorded (amendments are recorded in the order of their dates: each history keeps its order);
 * - codes added are new in the contract (a closed axis or orientation keeps its code);
 * - what is renamed or closed is in force before the amendment; what an action is moved to, or an orientation
 *   added under, is in force or added by the same amendment;
 * - an orientation is closed only with its sub-orientations, and once its actions are moved elsewhere by the
 *   same amendment; an axis only with all its orientations;
 * - a commune removed is in the perimeter, a commune added is not.
 * Authorisation is the caller's (the mutation requires an admin).
 */

export const AMENDMENT_NUMBER_MAX = 40;

export interface AmendOptions {
  /** Who records it, as the amendment keeps it (the token's name, or the command line). */
  recordedBy: string;
  caller?: AuthContext;
  audit?: AuditHook<Amendment>;
  /**
   * Brings in, in the amendment's transaction, the EPCIs it adds that the database does not know yet, with
   * their communes (src/contract-admin/: from Etalab's lists, as createContract does; a folder above this
   * one, hence given). A SIREN it cannot bring in stays unknown and is refused.
   */
  loadEpcis: (manager: EntityManager, contract: Contract, sirens: string[]) => Promise<void>;
}

/** Today's date (UTC), the latest an amendment may be signed. */
const todayUtc = (): string => structureDateOf(new Date());

export async function amendContract(dataSource: DataSource, input: AmendmentInput, { recordedBy, caller, audit, loadEpcis }: AmendOptions): Promise<Amendment> {
  const errors: FieldError[] = [];
  const number = checkText(errors, 'number', 'Le numéro de l’avenant', input.number, { max: AMENDMENT_NUMBER_MAX, required: true });
  const title = checkText(errors, 'title', 'L’objet de l’avenant', input.title, { max: TITLE_MAX, required: true });
  const signedOn = (input.signedOn ?? '').trim();
  if (!isIsoDate(signedOn)) errors.push({ field: 'signedOn', message: `La date de signature (signedOn) : « ${input.signedOn} » n'est pas une date valide au format AAAA-MM-JJ.` });
  else if (signedOn > todayUtc()) {
    errors.push({ field: 'signedOn', message: `La date de signature (signedOn) ${signedOn} est postérieure à aujourd’hui (${todayUtc()}) : un avenant s’enregistre une fois signé.` });
  }
  const changes = input.changes ?? {};
  if (!CHANGE_LISTS.some((list) => (changes[list]?.length ?? 0) > 0)) {
    errors.push({ field: 'changes', message: `Un avenant doit comporter au moins une modification (changes : ${CHANGE_LISTS.join(', ')}).` });
  }
  // Bounded before the contract's lock is taken: each change is a statement under it (a real avenant has tens).
  for (const list of CHANGE_LISTS) {
    const count = changes[list]?.length ?? 0;
    if (count > CHANGES_PER_LIST_MAX) errors.push({ field: `changes.${list}`, message: `${count} modifications dans changes.${list} : un avenant en compte au plus ${CHANGES_PER_LIST_MAX} par liste.` });
  }
  const total = CHANGE_LISTS.reduce((sum, list) => sum + (changes[list]?.length ?? 0), 0);
  if (total > CHANGES_TOTAL_MAX) errors.push({ field: 'changes', message: `${total} modifications en tout dans changes : un avenant en compte au plus ${CHANGES_TOTAL_MAX}.` });
  // Refused before the contract's lock when too many (the empty amendment is reported with the other fields' errors).
  if (total > CHANGES_TOTAL_MAX || errors.some((error) => error.field.startsWith('changes.'))) throw fieldErrorsToGraphQLError(errors);
  const contractCode = (input.contract ?? '').trim();
  try {
    return await writeToContract(dataSource, { code: contractCode }, { audit, caller }, async (manager) => {
      const contract = await findContract(manager, contractCode);
      if (!contract) throw fieldErrorsToGraphQLError([{ field: 'contract', message: `Contrat (contract) « ${contractCode} » inconnu.` }, ...errors]);
      if (number !== undefined && (await manager.findOneBy(Amendment, { contractId: contract.id, number }))) errors.unshift(numberTaken(number, contract.code));
      if (isIsoDate(signedOn)) await checkDateAgainstContract(manager, errors, contract, signedOn);
      const plan = await planChanges(manager, errors, contract, changes, loadEpcis);
      throwIfFieldErrors(errors);
      return applyPlan(manager, contract, { number: number!, title: title!, signedOn, recordedBy }, plan);
    });
  } catch (error) {
    if (isUniqueViolation(error) && number) throw fieldErrorsToGraphQLError([numberTaken(number, contractCode)]);
    throw error;
  }
}

/** Changes of one kind in one amendment, at most; and of all kinds (eleven lists). */
const CHANGES_PER_LIST_MAX = 1_000;
const CHANGES_TOTAL_MAX = 2_000;

const CHANGE_LISTS = ['addAxes', 'renameAxes', 'closeAxes', 'addOrientations', 'renameOrientations', 'closeOrientations', 'moveActions', 'addCommunes', 'removeCommunes', 'addEpcis', 'removeEpcis'] as const;

function numberTaken(number: string, contractCode: string): FieldError {
  return { field: 'number', message: `L’avenant n° ${number} (number) est déjà enregistré dans le contrat ${contractCode}.` };
}

async function checkDateAgainstContract(manager: EntityManager, errors: FieldError[], contract: Contract, signedOn: string): Promise<void> {
  const start = contract.signedOn ?? `${contract.startYear}-01-01`;
  if (signedOn < start) {
    errors.push({
      field: 'signedOn',
      message: `La date de signature (signedOn) ${signedOn} précède le début du contrat ${contract.code} (${contract.signedOn ? `signé le ${start}` : `période commençant en ${contract.startYear}`}).`,
    });
  }
  const [last] = await manager.find(Amendment, { where: { contractId: contract.id }, order: { signedOn: 'DESC', id: 'DESC' }, take: 1 });
  if (last && signedOn < last.signedOn) {
    errors.push({
      field: 'signedOn',
      message: `La date de signature (signedOn) ${signedOn} précède celle du dernier avenant enregistré (n° ${last.number}, signé le ${last.signedOn}) : les avenants s’enregistrent dans l’ordre de leurs dates.`,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// The plan: every change checked against the contract as it is (and as the amendment's earlier changes
// make it), before anything is written.

interface NewAxis {
  code: string;
  title: string;
}
interface NewOrientation {
  code: string;
  title: string;
  /** An existing axis, or the code of one added by the amendment. */
  axis: Axis | string;
  /** An existing orientation, or the code of one added earlier in the list; null at the first level. */
  parent: Orientation | string | null;
}
interface Plan {
  addAxes: NewAxis[];
  addOrientations: NewOrientation[];
  renameAxes: { axis: Axis; title: string }[];
  renameOrientations: { orientation: Orientation; title: string }[];
  moves: { action: Action; to: Orientation | string }[];
  closeOrientations: Orientation[];
  closeAxes: Axis[];
  addCommunes: Organisation[];
  removeCommunes: Organisation[];
  addEpcis: Organisation[];
  removeEpcis: Organisation[];
}

async function planChanges(manager: EntityManager, errors: FieldError[], contract: Contract, changes: AmendmentChangesInput, loadEpcis: AmendOptions['loadEpcis']): Promise<Plan> {
  const plan: Plan = { addAxes: [], addOrientations: [], renameAxes: [], renameOrientations: [], moves: [], closeOrientations: [], closeAxes: [], addCommunes: [], removeCommunes: [], addEpcis: [], removeEpcis: [] };
  const axes = await manager.find(Axis, { where: { contractId: contract.id } });
  const orientations = await manager.find(Orientation, { where: { contractId: contract.id } });
  const axisByCode = new Map(axes.map((axis) => [axisCodeOf(axis), axis]));
  const orientationByCode = new Map(orientations.map((orientation) => [orientation.code, orientation]));
  const closingOrientationCodes = new Set((changes.closeOrientations ?? []).map((code) => code.trim()));
  const closingAxisCodes = new Set((changes.closeAxes ?? []).map((code) => code.trim()));
  const field = (list: string, i: number, part?: string) => `changes.${list}[${i}]${part ? `.${part}` : ''}`;

  // Axes added.
  const newAxisCodes = new Set<string>();
  (changes.addAxes ?? []).forEach((added, i) => {
    const code = checkText(errors, field('addAxes', i, 'code'), 'Le code de l’axe', added.code, { max: AXIS_CODE_MAX, required: true });
    const title = checkText(errors, field('addAxes', i, 'title'), 'L’intitulé de l’axe', added.title, { max: TITLE_MAX, required: true });
    if (code === undefined) return;
    if (axisByCode.has(code) || newAxisCodes.has(code)) {
      errors.push({ field: field('addAxes', i, 'code'), message: `Le code de l’axe (${field('addAxes', i, 'code')}) « ${code} » est déjà utilisé dans le contrat ${contract.code}.` });
      return;
    }
    newAxisCodes.add(code);
    if (title !== undefined) plan.addAxes.push({ code, title });
  });

  // Orientations added, under an axis in force or added above, or under an orientation in force or added above.
  const newOrientations = new Map<string, NewOrientation>();
  (changes.addOrientations ?? []).forEach((added, i) => {
    const f = (part: string) => field('addOrientations', i, part);
    const code = checkText(errors, f('code'), 'Le code de l’orientation', added.code, { max: ORIENTATION_CODE_MAX, required: true });
    const title = checkText(errors, f('title'), 'L’intitulé de l’orientation', added.title, { max: TITLE_MAX, required: true });
    const axisCode = added.axisCode?.trim() || null;
    const parentCode = added.parentCode?.trim() || null;
    let broken = code === undefined || title === undefined;
    if (code !== undefined && (orientationByCode.has(code) || newOrientations.has(code))) {
      errors.push({ field: f('code'), message: `Le code de l’orientation (${f('code')}) « ${code} » est déjà utilisé dans le contrat ${contract.code}.` });
      broken = true;
    }
    if (!axisCode && !parentCode) {
      errors.push({ field: f('axisCode'), message: `Indiquez l’axe (${f('axisCode')}) de l’orientation, ou l’orientation dont elle est une déclinaison (${f('parentCode')}).` });
      return;
    }
    let axis: Axis | string | null = null;
    if (axisCode) {
      const existing = axisByCode.get(axisCode);
      if (existing && existing.closedOn === null && !closingAxisCodes.has(axisCode)) axis = existing;
      else if (newAxisCodes.has(axisCode)) axis = axisCode;
      else {
        const why = existing ? (closingAxisCodes.has(axisCode) ? 'est fermé par ce même avenant' : `est fermé depuis le ${existing.closedOn}`) : `n’existe pas dans le contrat ${contract.code}`;
        errors.push({ field: f('axisCode'), message: `L’axe (${f('axisCode')}) « ${axisCode} » ${why}.` });
        broken = true;
      }
    }
    let parent: Orientation | string | null = null;
    if (parentCode) {
      const existing = orientationByCode.get(parentCode);
      if (existing && existing.closedOn === null && !closingOrientationCodes.has(parentCode)) parent = existing;
      else if (newOrientations.has(parentCode)) parent = parentCode;
      else {
        const why = existing
          ? closingOrientationCodes.has(parentCode)
            ? 'est fermée par ce même avenant'
            : `est fermée depuis le ${existing.closedOn}`
          : `n’existe pas dans le contrat ${contract.code} (ni plus haut dans addOrientations)`;
        errors.push({ field: f('parentCode'), message: `L’orientation parente (${f('parentCode')}) « ${parentCode} » ${why}.` });
        broken = true;
      }
    }
    if (broken) return;
    const parentAxis = parent === null ? null : typeof parent === 'string' ? newOrientations.get(parent)!.axis : axes.find((a) => a.id === parent.axisId)!;
    if (axis !== null && parentAxis !== null && axisKey(axis) !== axisKey(parentAxis)) {
      errors.push({ field: f('axisCode'), message: `L’axe (${f('axisCode')}) « ${axisCode} » n’est pas celui de l’orientation parente « ${parentCode} » (axe « ${axisKey(parentAxis)} »).` });
      return;
    }
    if (parentAxis !== null && closingAxisCodes.has(axisKey(parentAxis))) {
      errors.push({ field: f('parentCode'), message: `L’orientation parente (${f('parentCode')}) « ${parentCode} » est sous l’axe « ${axisKey(parentAxis)} », fermé par ce même avenant.` });
      return;
    }
    const planned = { code: code!, title: title!, axis: (axis ?? parentAxis)!, parent };
    newOrientations.set(code!, planned);
    plan.addOrientations.push(planned);
  });

  // Renames of what is in force.
  const renamed = <T extends Axis | Orientation>(list: 'renameAxes' | 'renameOrientations', byCode: Map<string, T>, [noun, e]: [string, string], out: (item: T, title: string) => void) => {
    const seen = new Set<string>();
    (changes[list] ?? []).forEach((rename, i) => {
      const code = (rename.code ?? '').trim();
      const title = checkText(errors, field(list, i, 'title'), `Le nouvel intitulé`, rename.title, { max: TITLE_MAX, required: true });
      const item = byCode.get(code);
      if (!item || item.closedOn !== null) {
        errors.push({ field: field(list, i, 'code'), message: `${noun} (${field(list, i, 'code')}) « ${code} » ${item ? `est fermé${e} depuis le ${item.closedOn}` : `n’existe pas dans le contrat ${contract.code}`} : rien à renommer.` });
        return;
      }
      if (seen.has(code)) {
        errors.push({ field: field(list, i, 'code'), message: `${noun} (${field(list, i, 'code')}) « ${code} » est renommé${e} deux fois par le même avenant.` });
        return;
      }
      seen.add(code);
      if (title === undefined) return;
      if (title === item.title) {
        errors.push({ field: field(list, i, 'title'), message: `Le nouvel intitulé (${field(list, i, 'title')}) de « ${code} » est celui qu’il porte déjà.` });
        return;
      }
      out(item, title);
    });
  };
  renamed('renameAxes', axisByCode, ['L’axe', ''], (axis, title) => plan.renameAxes.push({ axis, title }));
  renamed('renameOrientations', orientationByCode, ['L’orientation', 'e'], (orientation, title) => plan.renameOrientations.push({ orientation, title }));

  // Moves of actions, to an orientation in force (not closed by this amendment) or added by it.
  const moveInputs = changes.moveActions ?? [];
  const actionCodes = [...new Set(moveInputs.map((move) => (move.action ?? '').trim()).filter(Boolean))];
  const actions = actionCodes.length ? await manager.find(Action, { where: { contractId: contract.id, code: In(actionCodes) } }) : [];
  const actionByCode = new Map(actions.map((action) => [action.code, action]));
  const moved = new Set<number>();
  moveInputs.forEach((move, i) => {
    const code = (move.action ?? '').trim();
    const target = (move.toOrientation ?? '').trim();
    const action = actionByCode.get(code);
    if (!action) {
      errors.push({ field: field('moveActions', i, 'action'), message: `L’action (${field('moveActions', i, 'action')}) « ${code} » n’existe pas dans le contrat ${contract.code}.` });
    } else if (moved.has(action.id)) {
      errors.push({ field: field('moveActions', i, 'action'), message: `L’action (${field('moveActions', i, 'action')}) « ${code} » est déplacée deux fois par le même avenant.` });
      return;
    }
    const existing = orientationByCode.get(target);
    let to: Orientation | string | null = null;
    if (existing && existing.closedOn === null && !closingOrientationCodes.has(target)) to = existing;
    else if (newOrientations.has(target)) to = target;
    else {
      const why = existing ? (closingOrientationCodes.has(target) ? 'est fermée par ce même avenant' : `est fermée depuis le ${existing.closedOn}`) : `n’existe pas dans le contrat ${contract.code}`;
      errors.push({ field: field('moveActions', i, 'toOrientation'), message: `L’orientation d’arrivée (${field('moveActions', i, 'toOrientation')}) « ${target} » ${why}.` });
    }
    if (!action || !to) return;
    if (typeof to !== 'string' && to.id === action.orientationId) {
      errors.push({ field: field('moveActions', i, 'toOrientation'), message: `L’action « ${code} » est déjà dans l’orientation (${field('moveActions', i, 'toOrientation')}) « ${target} ».` });
      return;
    }
    moved.add(action.id);
    plan.moves.push({ action, to });
  });

  // Closings: an orientation with its sub-orientations and once its actions are moved; an axis with its orientations.
  const closing = (list: 'closeOrientations' | 'closeAxes', byCode: Map<string, Axis | Orientation>, [noun, e]: [string, string]): (Axis | Orientation)[] => {
    const found: (Axis | Orientation)[] = [];
    const seen = new Set<string>();
    (changes[list] ?? []).forEach((raw, i) => {
      const code = raw.trim();
      const item = byCode.get(code);
      if (!item || item.closedOn !== null) {
        errors.push({ field: field(list, i), message: `${noun} (${field(list, i)}) « ${code} » ${item ? `est déjà fermé${e} depuis le ${item.closedOn}` : `n’existe pas dans le contrat ${contract.code}`}.` });
      } else if (!seen.has(code)) {
        seen.add(code);
        found.push(item);
      }
    });
    return found;
  };
  plan.closeOrientations = closing('closeOrientations', orientationByCode, ['L’orientation', 'e']) as Orientation[];
  plan.closeAxes = closing('closeAxes', axisByCode, ['L’axe', '']) as Axis[];
  const closingIds = new Set(plan.closeOrientations.map((orientation) => orientation.id));
  const stillHeld = plan.closeOrientations.length
    ? await manager.find(Action, { where: { orientationId: In([...closingIds]) }, order: { code: 'ASC' } })
    : [];
  plan.closeOrientations.forEach((orientation) => {
    const i = (changes.closeOrientations ?? []).findIndex((code) => code.trim() === orientation.code);
    const children = orientations.filter((child) => child.parentId === orientation.id && child.closedOn === null && !closingIds.has(child.id)).map((child) => child.code);
    if (children.length) {
      errors.push({
        field: field('closeOrientations', i),
        message: `L’orientation (${field('closeOrientations', i)}) « ${orientation.code} » a des déclinaisons en vigueur (${children.join(', ')}) : fermez-les par le même avenant.`,
      });
    }
    const actionsLeft = stillHeld.filter((action) => action.orientationId === orientation.id && !moved.has(action.id)).map((action) => action.code);
    if (actionsLeft.length) {
      errors.push({
        field: field('closeOrientations', i),
        message: `L’orientation (${field('closeOrientations', i)}) « ${orientation.code} » porte encore ${actionsLeft.length} action(s) (${listed(actionsLeft)}) : déplacez-les (moveActions) par le même avenant.`,
      });
    }
  });
  plan.closeAxes.forEach((axis) => {
    const i = (changes.closeAxes ?? []).findIndex((code) => code.trim() === axisCodeOf(axis));
    const open = orientations.filter((orientation) => orientation.axisId === axis.id && orientation.closedOn === null && !closingIds.has(orientation.id)).map((o) => o.code);
    if (open.length) {
      errors.push({
        field: field('closeAxes', i),
        message: `L’axe (${field('closeAxes', i)}) « ${axisCodeOf(axis)} » a des orientations en vigueur (${listed(open.sort())}) : fermez-les (closeOrientations) par le même avenant, après en avoir déplacé les actions.`,
      });
    }
  });

  const epciCommunes = await planEpcis(manager, errors, contract, changes, plan, loadEpcis);
  await planCommunes(manager, errors, contract, changes, plan, epciCommunes);
  return plan;
}

function axisKey(axis: Axis | string): string {
  return typeof axis === 'string' ? axis : axisCodeOf(axis);
}

/** At most ten codes, then how many more. */
function listed(codes: string[]): string {
  return codes.length > 10 ? `${codes.slice(0, 10).join(', ')}… et ${codes.length - 10} autres` : codes.join(', ');
}

/**
 * EPCIs in and out, by SIREN: one added is an EPCI the database knows (its communes with it) or that
 * loadEpcis brings in (from Etalab), not in the perimeter; one removed is in it; at least one stays. Answers the communes the EPCIs bring and take, for
 * the communes' checks (a commune of an EPCI added may be removed by the same amendment).
 */
async function planEpcis(
  manager: EntityManager,
  errors: FieldError[],
  contract: Contract,
  changes: AmendmentChangesInput,
  plan: Plan,
  loadEpcis: AmendOptions['loadEpcis'],
): Promise<{ added: Set<number>; removed: Set<number> }> {
  const adding = changes.addEpcis ?? [];
  const removing = changes.removeEpcis ?? [];
  const none = { added: new Set<number>(), removed: new Set<number>() };
  if (!adding.length && !removing.length) return none;
  const sirens = [...new Set([...adding, ...removing].map((code) => code.replace(/\s/g, '')).filter((code) => /^\d{9}$/.test(code)))];
  const findEpcis = async () => (sirens.length ? await manager.find(Organisation, { where: { siren: In(sirens), kind: OrganisationKind.EPCI } }) : []);
  let epcis = await findEpcis();
  // An EPCI added that no contract brought in yet: loaded with its communes (rolled back if the amendment is refused).
  const unknownAdded = [...new Set(adding.map((code) => code.replace(/\s/g, '')))].filter((siren) => /^\d{9}$/.test(siren) && !epcis.some((epci) => epci.siren === siren));
  if (unknownAdded.length) {
    await loadEpcis(manager, contract, unknownAdded);
    epcis = await findEpcis();
  }
  const bySiren = new Map(epcis.map((epci) => [epci.siren!, epci]));
  const parties = await manager.find(ContractParty, { where: { contractId: contract.id, role: ContractPartyRole.PERIMETER } });
  const inPerimeter = new Set(parties.map((party) => party.organisationId));
  const seen = new Set<string>();
  const check = (list: 'addEpcis' | 'removeEpcis', raw: string, i: number): Organisation | null => {
    const f = `changes.${list}[${i}]`;
    const siren = raw.replace(/\s/g, '');
    if (!/^\d{9}$/.test(siren)) {
      errors.push({ field: f, message: `L’EPCI (${f}) « ${raw} » n’est pas un SIREN (9 chiffres).` });
      return null;
    }
    const epci = bySiren.get(siren);
    if (!epci) {
      errors.push({ field: f, message: `L’EPCI (${f}) de SIREN ${siren} est inconnu : aucun EPCI de ce SIREN parmi les organisations ni dans les données Etalab.` });
      return null;
    }
    if (seen.has(siren)) {
      errors.push({ field: f, message: `L’EPCI (${f}) ${epci.name} (${siren}) figure deux fois dans l’avenant.` });
      return null;
    }
    seen.add(siren);
    return epci;
  };
  adding.forEach((raw, i) => {
    const epci = check('addEpcis', raw, i);
    if (!epci) return;
    if (inPerimeter.has(epci.id)) errors.push({ field: `changes.addEpcis[${i}]`, message: `L’EPCI (changes.addEpcis[${i}]) ${epci.name} (${epci.siren}) est déjà dans le périmètre du contrat ${contract.code}.` });
    else plan.addEpcis.push(epci);
  });
  removing.forEach((raw, i) => {
    const epci = check('removeEpcis', raw, i);
    if (!epci) return;
    if (!inPerimeter.has(epci.id)) errors.push({ field: `changes.removeEpcis[${i}]`, message: `L’EPCI (changes.removeEpcis[${i}]) ${epci.name} (${epci.siren}) n’est pas dans le périmètre du contrat ${contract.code}.` });
    else plan.removeEpcis.push(epci);
  });
  if (plan.removeEpcis.length && inPerimeter.size - plan.removeEpcis.length + plan.addEpcis.length === 0) {
    errors.push({ field: 'changes.removeEpcis', message: `L’avenant retirerait tous les EPCI du périmètre du contrat ${contract.code} (changes.removeEpcis) : il en garde au moins un.` });
  }
  const communesOf = async (list: Organisation[]) =>
    new Set(list.length ? (await manager.find(Organisation, { where: { parentId: In(list.map((epci) => epci.id)), kind: OrganisationKind.COMMUNE } })).map((commune) => commune.id) : []);
  return { added: await communesOf(plan.addEpcis), removed: await communesOf(plan.removeEpcis) };
}

async function planCommunes(
  manager: EntityManager,
  errors: FieldError[],
  contract: Contract,
  changes: AmendmentChangesInput,
  plan: Plan,
  byEpcis: { added: Set<number>; removed: Set<number> },
): Promise<void> {
  const adding = changes.addCommunes ?? [];
  const removing = changes.removeCommunes ?? [];
  if (!adding.length && !removing.length) return;
  const codes = [...new Set([...adding, ...removing].map((code) => code.trim()).filter((code) => INSEE_CODE.test(code)))];
  const communes = codes.length ? await manager.find(Organisation, { where: { inseeCode: In(codes), kind: OrganisationKind.COMMUNE } }) : [];
  const byInsee = new Map(communes.map((commune) => [commune.inseeCode!, commune]));
  // The perimeter as the amendment's EPCIs leave it: its communes' changes are applied after them.
  const inPerimeter = new Set((await perimeterCommunes(manager, contract.id)).map((commune) => commune.id));
  for (const id of byEpcis.removed) inPerimeter.delete(id);
  for (const id of byEpcis.added) inPerimeter.add(id);
  const seen = new Set<string>();
  const check = (list: 'addCommunes' | 'removeCommunes', raw: string, i: number): Organisation | null => {
    const f = `changes.${list}[${i}]`;
    const code = raw.trim();
    if (!INSEE_CODE.test(code)) {
      errors.push({ field: f, message: `La commune (${f}) « ${raw} » n’est pas un code INSEE (5 caractères, ex. 59178).` });
      return null;
    }
    const commune = byInsee.get(code);
    if (!commune) {
      errors.push({ field: f, message: `La commune (${f}) de code INSEE ${code} est inconnue (aucune commune de ce code parmi les organisations).` });
      return null;
    }
    if (seen.has(code)) {
      errors.push({ field: f, message: `La commune (${f}) ${commune.name} (${code}) figure deux fois dans l’avenant.` });
      return null;
    }
    seen.add(code);
    return commune;
  };
  adding.forEach((raw, i) => {
    const commune = check('addCommunes', raw, i);
    if (!commune) return;
    if (inPerimeter.has(commune.id)) errors.push({ field: `changes.addCommunes[${i}]`, message: `La commune (changes.addCommunes[${i}]) ${commune.name} (${commune.inseeCode}) est déjà dans le périmètre du contrat ${contract.code}.` });
    else plan.addCommunes.push(commune);
  });
  removing.forEach((raw, i) => {
    const commune = check('removeCommunes', raw, i);
    if (!commune) return;
    if (!inPerimeter.has(commune.id)) errors.push({ field: `changes.removeCommunes[${i}]`, message: `La commune (changes.removeCommunes[${i}]) ${commune.name} (${commune.inseeCode}) n’est pas dans le périmètre du contrat ${contract.code}.` });
    else plan.removeCommunes.push(commune);
  });
}

/** A contract's communes today: those of its EPCIs, with the changes of its amendments (perimeter-history.ts). */
export async function perimeterCommunes(manager: EntityManager, contractId: number): Promise<Organisation[]> {
  const parties = await manager.find(ContractParty, { where: { contractId, role: ContractPartyRole.PERIMETER } });
  const changes = await manager.find(AmendmentChangeRow, { where: { contractId, organisationId: Not(IsNull()) }, relations: { organisation: true }, order: { effectiveOn: 'ASC', id: 'ASC' } });
  const epciIds = [...new Set([...parties.map((party) => party.organisationId), ...epcisOfChanges(changes)])];
  const communes = epciIds.length ? await manager.find(Organisation, { where: { parentId: In(epciIds), kind: OrganisationKind.COMMUNE } }) : [];
  return communesInForce(
    parties.map((party) => party.organisationId),
    (epciId) => communes.filter((commune) => commune.parentId === epciId),
    changes,
    null,
  );
}

// ---------------------------------------------------------------------------------------------------

async function applyPlan(
  manager: EntityManager,
  contract: Contract,
  head: { number: string; title: string; signedOn: string; recordedBy: string },
  plan: Plan,
): Promise<Amendment> {
  const on = head.signedOn;
  const now = new Date();
  const changes: AmendmentChange[] = [];
  const { identifiers } = await manager.insert(Amendment, {
    contractId: contract.id,
    number: head.number,
    signedOn: on,
    title: head.title,
    changesJson: '[]',
    recordedBy: head.recordedBy,
    recordedAt: now,
  });
  const amendmentId = Number(identifiers[0].id);

  const newAxes = new Map<string, number>();
  if (plan.addAxes.length) {
    const [{ last }] = await manager.query('SELECT MAX(number) AS last FROM axis WHERE contract_id = ?', [contract.id]);
    let next = Number(last ?? 0);
    for (const axis of plan.addAxes) {
      const inserted = await manager.insert(Axis, { contractId: contract.id, number: ++next, code: axis.code, title: axis.title, validFrom: on, addedByAmendmentId: amendmentId });
      newAxes.set(axis.code, Number(inserted.identifiers[0].id));
      changes.push({ kind: AmendmentChangeKind.ADD_AXIS, code: axis.code, title: axis.title });
    }
  }
  const newOrientations = new Map<string, { id: number; axisId: number }>();
  for (const orientation of plan.addOrientations) {
    const axisId = typeof orientation.axis === 'string' ? newAxes.get(orientation.axis)! : orientation.axis.id;
    const parentId = orientation.parent === null ? null : typeof orientation.parent === 'string' ? newOrientations.get(orientation.parent)!.id : orientation.parent.id;
    const inserted = await manager.insert(Orientation, {
      contractId: contract.id,
      axisId,
      parentId,
      code: orientation.code,
      title: orientation.title,
      validFrom: on,
      addedByAmendmentId: amendmentId,
    });
    newOrientations.set(orientation.code, { id: Number(inserted.identifiers[0].id), axisId });
    const under = orientation.parent === null ? axisKey(orientation.axis) : typeof orientation.parent === 'string' ? orientation.parent : orientation.parent.code;
    changes.push({ kind: AmendmentChangeKind.ADD_ORIENTATION, code: orientation.code, title: orientation.title, to: under });
  }
  // The history rows: what the current rows no longer say (amendment-change.entity.ts).
  const history: Partial<AmendmentChangeRow>[] = [];
  const recorded = (row: Partial<AmendmentChangeRow> & Pick<AmendmentChangeRow, 'kind'>) => history.push({ amendmentId, contractId: contract.id, effectiveOn: on, ...row });
  for (const { axis, title } of plan.renameAxes) {
    recorded({ kind: AmendmentChangeKind.RENAME_AXIS, axisId: axis.id, previousTitle: axis.title, title });
    await manager.update(Axis, { id: axis.id }, { title });
    changes.push({ kind: AmendmentChangeKind.RENAME_AXIS, code: axisCodeOf(axis), title, from: axis.title });
  }
  for (const { orientation, title } of plan.renameOrientations) {
    recorded({ kind: AmendmentChangeKind.RENAME_ORIENTATION, orientationId: orientation.id, previousTitle: orientation.title, title });
    await manager.update(Orientation, { id: orientation.id }, { title });
    changes.push({ kind: AmendmentChangeKind.RENAME_ORIENTATION, code: orientation.code, title, from: orientation.title });
  }
  if (plan.moves.length) {
    const orientationIds = [...new Set(plan.moves.map((move) => move.action.orientationId).filter((id): id is number => id !== null))];
    const codes = new Map((orientationIds.length ? await manager.find(Orientation, { where: { id: In(orientationIds) } }) : []).map((o) => [o.id, o.code]));
    // One UPDATE per orientation moved to, not per action (up to 1 000 under the contract's lock).
    const movedTo = new Map<number, number[]>();
    for (const { action, to } of plan.moves) {
      const toId = typeof to === 'string' ? newOrientations.get(to)!.id : to.id;
      recorded({ kind: AmendmentChangeKind.MOVE_ACTION, actionId: action.id, fromOrientationId: action.orientationId, orientationId: toId });
      const ids = movedTo.get(toId);
      if (ids) ids.push(action.id);
      else movedTo.set(toId, [action.id]);
      changes.push({ kind: AmendmentChangeKind.MOVE_ACTION, code: action.code, title: action.title, from: action.orientationId === null ? null : codes.get(action.orientationId)!, to: typeof to === 'string' ? to : to.code });
    }
    for (const [toId, actionIds] of movedTo) await manager.update(Action, { id: In(actionIds) }, { orientationId: toId, updatedAt: now });
  }
  if (plan.closeOrientations.length) await manager.update(Orientation, { id: In(plan.closeOrientations.map((orientation) => orientation.id)) }, { closedOn: on, closedByAmendmentId: amendmentId });
  for (const orientation of plan.closeOrientations) changes.push({ kind: AmendmentChangeKind.CLOSE_ORIENTATION, code: orientation.code, title: orientation.title });
  if (plan.closeAxes.length) await manager.update(Axis, { id: In(plan.closeAxes.map((axis) => axis.id)) }, { closedOn: on, closedByAmendmentId: amendmentId });
  for (const axis of plan.closeAxes) changes.push({ kind: AmendmentChangeKind.CLOSE_AXIS, code: axisCodeOf(axis), title: axis.title });
  // EPCIs first (the perimeter's parties are today's EPCIs), then the communes: a commune's change is read
  // after those of the EPCIs (perimeter-history.ts replays them in the order of their ids).
  for (const epci of plan.removeEpcis) {
    recorded({ kind: AmendmentChangeKind.REMOVE_EPCI, organisationId: epci.id });
    await manager.delete(ContractParty, { contractId: contract.id, organisationId: epci.id, role: ContractPartyRole.PERIMETER });
    changes.push({ kind: AmendmentChangeKind.REMOVE_EPCI, code: epci.siren!, title: epci.name });
  }
  for (const epci of plan.addEpcis) {
    recorded({ kind: AmendmentChangeKind.ADD_EPCI, organisationId: epci.id });
    await manager.insert(ContractParty, { contractId: contract.id, organisationId: epci.id, role: ContractPartyRole.PERIMETER });
    changes.push({ kind: AmendmentChangeKind.ADD_EPCI, code: epci.siren!, title: epci.name });
  }
  const communeChanges = [
    ...plan.removeCommunes.map((commune) => ({ commune, kind: AmendmentChangeKind.REMOVE_COMMUNE as const })),
    ...plan.addCommunes.map((commune) => ({ commune, kind: AmendmentChangeKind.ADD_COMMUNE as const })),
  ];
  for (const { commune, kind } of communeChanges) {
    recorded({ kind, organisationId: commune.id });
    changes.push({ kind, code: commune.inseeCode!, title: commune.name });
  }
  if (history.length) await manager.insert(AmendmentChangeRow, history);
  await manager.update(Amendment, { id: amendmentId }, { changesJson: JSON.stringify(changes) });
  return manager.findOneByOrFail(Amendment, { id: amendmentId });
}
