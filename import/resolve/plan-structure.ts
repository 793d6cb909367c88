/**
 * Kind `plan`: a Territoires en Transitions action plan read as the contract's structure. The file is read
 * as an annex 3 of layout `action-plan` (the same columns, the same funders' lines); from each fiche's
 * « Axe (x) », « Sous-axe (x.x) » and « Sous-sous axe (x.x.x) » cells come the axes, the orientations and
 * their sub-orientations, matched to the contract's by code (normaliseOrientationCode): a code the
 * contract has is that row (its title updated when the file words it otherwise), any other is created.
 *
 * Rules (docs/importing.md, « Importing a plan »):
 * - a level cell gives its code and title: « 1. Titre », « Axe 1 : Titre », « 1.2 Titre », « Sous-axe 2 –
 *   Titre » (under « Axe 1 »: 1.2), « 1.2.1 Titre », « A. Titre », « OS-2 : Titre »; a cell with no code
 *   is an error at its cell;
 * - a sub-axis needs its axis on its row (or merged over it), a sub-sub-axis its sub-axis;
 * - one code, one title: a code written twice with two titles is an error at the second cell;
 * - the fiche's orientation is its deepest level (sub-sub-axis, else sub-axis); a fiche with only an axis
 *   is created to classify (ORIENTATION_TO_CLASSIFY, a warning), as an annex 3's.
 * New orientations are given negative ids (-1, -2…) in the reference the resolve stage reads, so that
 * resolving stays what it is for an annex 3; applying replaces them by the ids it creates.
 */
import { normaliseText } from '../../src/kernel/normalise-text';
import { IssueDraft } from '../common/model';
import { ActionPlanLevel, ParseOutput, SourceRef } from '../parse/parsed.types';
import { ContractReference } from './contract-reference';
import { normaliseOrientationCode } from './resolve';

/** The columns' lengths (axis.code, orientation.code). */
const AXIS_CODE_MAX = 40;
const ORIENTATION_CODE_MAX = 10;
const TITLE_MAX = 500;

export interface PlanAxis {
  code: string;
  title: string;
  source: SourceRef;
  /** The contract's axis of this code, or null when applying creates it. */
  existingId: number | null;
  /** An existing axis whose title the file words otherwise: applying updates it. */
  renamed: boolean;
}

export interface PlanOrientation {
  code: string;
  title: string;
  source: SourceRef;
  axisCode: string;
  /** The orientation it details (a sub-sub-axis's sub-axis), or null at the first level. */
  parentCode: string | null;
  existingId: number | null;
  renamed: boolean;
  /** The id the resolve stage reads for a new orientation (negative); the existing id otherwise. */
  referenceId: number;
}

export interface PlanStructure {
  /** In the file's order; parents before their children. */
  axes: PlanAxis[];
  orientations: PlanOrientation[];
  /** Fiches read, and the sum of their « Budget prévisionnel total » (exact cents). */
  actions: number;
  budgetCents: bigint;
  issues: IssueDraft[];
}

/** « A. Titre », « OS-2 : Titre », « Axe B – Titre »: the codes that are not numbers (planLevel reads those). */
const LETTER_LEVEL_RE = /^([A-Z]{1,3}(?:[-.]?\d{1,2})*)\s*[.:)\-–—]\s*(\S.*)$/u;
const LEVEL_PREFIX_RE = /^(?:sous[\s-]*)*axe\s*(?:n\s*[°o]\s*)?\s+/iu;

const codeKey = (code: string) => normaliseOrientationCode(code) ?? code.trim().toUpperCase();

export function derivePlanStructure(parsed: ParseOutput, reference: ContractReference): PlanStructure {
  const issues: IssueDraft[] = [];
  const error = (code: string, message: string, source: SourceRef) => issues.push({ severity: 'ERROR', code, message, sheet: source.sheet, cell: source.cell, value: source.raw });
  const existingAxes = new Map((reference.axes ?? []).map((axis) => [codeKey(axis.code), axis]));
  const existingOrientations = new Map(reference.orientations.map((orientation) => [codeKey(orientation.code), orientation]));
  const axes = new Map<string, PlanAxis>();
  const orientations = new Map<string, PlanOrientation>();
  let placeholder = 0;
  let actions = 0;
  let budgetCents = 0n;

  /** The level's code and title, or an error at its cell. */
  const read = (level: ActionPlanLevel, what: string): { code: string; title: string } | null => {
    let code = level.code;
    let title = level.title;
    if (code === null) {
      const match = LETTER_LEVEL_RE.exec(level.title.replace(LEVEL_PREFIX_RE, '').trim());
      if (match) [code, title] = [match[1], match[2].trim()];
    }
    if (code === null) {
      error('PLAN_LEVEL_INVALID', `La cellule « ${level.source.raw.trim()} » (${what}) ne donne pas de code reconnaissable : écrivez le code puis l'intitulé, par exemple « 1. Transition écologique », « Axe 1 : Transition écologique », « 1.2 Mobilités » ou « OS-2 : Mobilités ».`, level.source);
      return null;
    }
    return { code: codeKey(code), title: title.trim().slice(0, TITLE_MAX) };
  };

  /** A level the contract has, worded otherwise: applying updates its title; said at the cell, so that a slip is caught before. */
  const titleChanged = (what: string, before: string, after: string, source: SourceRef) =>
    issues.push({
      severity: 'WARNING',
      code: 'PLAN_TITLE_CHANGED',
      message: `${what} s'intitule « ${before} » dans le contrat : il prendra l'intitulé du fichier, « ${after} ». Si ce n'est pas voulu, reprenez l'intitulé du contrat dans le fichier.`,
      sheet: source.sheet,
      cell: source.cell,
      value: source.raw,
    });

  /** One code, one title: the second spelling of a code is an error at its cell. */
  const sameTitle = (known: { code: string; title: string; source: SourceRef }, title: string, source: SourceRef, what: string): boolean => {
    if (normaliseText(known.title) === normaliseText(title)) return true;
    error('PLAN_TITLE_CONFLICT', `${what} ${known.code} est intitulé « ${known.title} » en ${known.source.cell} et « ${title} » ici : un code ne peut avoir qu'un intitulé. Corrigez l'un des deux (ou donnez un autre code).`, source);
    return false;
  };

  const addAxis = (level: ActionPlanLevel): string | null => {
    const read_ = read(level, 'axe');
    if (!read_) return null;
    const { code, title } = read_;
    if (code.length > AXIS_CODE_MAX) {
      error('PLAN_LEVEL_INVALID', `Le code d'axe « ${code} » dépasse ${AXIS_CODE_MAX} caractères.`, level.source);
      return null;
    }
    const known = axes.get(code);
    if (known) return sameTitle(known, title, level.source, "L'axe") ? code : null;
    const existing = existingAxes.get(code);
    const renamed = existing !== undefined && existing.title !== title;
    if (renamed) titleChanged(`L'axe ${code}`, existing.title, title, level.source);
    axes.set(code, { code, title, source: level.source, existingId: existing?.id ?? null, renamed });
    return code;
  };

  const addOrientation = (code: string, title: string, source: SourceRef, axisCode: string, parentCode: string | null): string | null => {
    if (code.length > ORIENTATION_CODE_MAX) {
      error('PLAN_LEVEL_INVALID', `Le code d'orientation « ${code} » dépasse ${ORIENTATION_CODE_MAX} caractères (la longueur des codes d'orientation).`, source);
      return null;
    }
    const known = orientations.get(code);
    if (known) return sameTitle(known, title, source, "L'orientation") ? code : null;
    const existing = existingOrientations.get(code);
    // One an amendment closed is neither renamed nor given new levels; its fiches are refused by resolve (ORIENTATION_CLOSED).
    if (existing?.closedOn) return code;
    if (parentCode !== null && existingOrientations.get(parentCode)?.closedOn) return null;
    const renamed = existing !== undefined && existing.title !== undefined && existing.title !== title;
    if (renamed) titleChanged(`L'orientation ${code}`, existing.title!, title, source);
    orientations.set(code, {
      code,
      title,
      source,
      axisCode,
      parentCode,
      existingId: existing?.id ?? null,
      renamed,
      referenceId: existing?.id ?? -++placeholder,
    });
    return code;
  };

  for (const action of parsed.actions) {
    if (!action.plan) continue;
    actions++;
    if (action.totalCostCents !== null) budgetCents += action.totalCostCents;
    const { axis, subAxis, subSubAxis } = action.plan;
    const axisCode = axis ? addAxis(axis) : null;
    let orientationCode: string | null = null;
    if (subAxis) {
      const level = read(subAxis, 'sous-axe');
      if (level && !axisCode) {
        if (!axis) error('PLAN_PARENT_MISSING', `Le sous-axe « ${subAxis.source.raw.trim()} » n'a pas d'axe sur sa ligne (colonne « Axe (x) ») : indiquez l'axe, par exemple « 1. Transition écologique ».`, subAxis.source);
      } else if (level && axisCode) {
        // « Sous-axe 2 » under « Axe 1 » is 1.2.
        const code = /^\d+$/.test(level.code) && /^\d+$/.test(axisCode) ? `${axisCode}.${level.code}` : level.code;
        orientationCode = addOrientation(code, level.title, subAxis.source, axisCode, null);
      }
    }
    let deepest = orientationCode;
    if (subSubAxis) {
      const level = read(subSubAxis, 'sous-sous axe');
      if (level && !orientationCode) {
        if (!subAxis) error('PLAN_PARENT_MISSING', `Le sous-sous axe « ${subSubAxis.source.raw.trim()} » n'a pas de sous-axe sur sa ligne (colonne « Sous-axe (x.x) ») : indiquez le sous-axe dont il est une déclinaison.`, subSubAxis.source);
      } else if (level && orientationCode) {
        const code = /^\d+$/.test(level.code) ? `${orientationCode}.${level.code}` : level.code;
        deepest = addOrientation(code, level.title, subSubAxis.source, axisCode!, orientationCode) ?? orientationCode;
      }
    }
    // The fiche's orientation is its deepest level; resolve reads it in the reference given below.
    action.orientationCode = deepest;
  }
  if (actions === 0) {
    issues.push({
      severity: 'ERROR',
      code: 'PLAN_NOT_ACTION_PLAN',
      message: `Ce fichier n'est pas un plan d'action Territoires en Transitions (disposition lue : ${parsed.layout || 'aucune'}) : un plan a les colonnes « Axe (x) », « Sous-axe (x.x) », « Titre de la fiche action », « Financeur 1 » / « Montant ». Importez un tableau d'investissements en nature « annex3 ».`,
      sheet: null,
      cell: null,
      value: null,
    });
  }
  return { axes: [...axes.values()], orientations: [...orientations.values()], actions, budgetCents, issues };
}

/** The reference the resolve stage reads: the contract's orientations and those the plan creates (negative ids). */
export function withPlannedOrientations(reference: ContractReference, structure: PlanStructure): ContractReference {
  const planned = structure.orientations.filter((orientation) => orientation.existingId === null).map((orientation) => ({ id: orientation.referenceId, code: orientation.code }));
  return { ...reference, orientations: [...reference.orientations, ...planned] };
}
