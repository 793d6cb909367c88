import { normaliseText } from '../../src/common/normalise-text';
import { parseCents } from '../../src/common/money';
import { formatEuros as euros } from '../format-euros';
import { IssueDraft } from '../model';
import { ParsedAction, ParsedLine, ParseOutput, SourceRef } from '../parse/parsed.types';
import { ContractReference, ReferenceAction } from './contract-reference';
import { OrganisationIndex } from './organisation-index';

/** An organisation that applying would create, named as the file first wrote it. */
export interface NewOrganisation {
  key: string;
  name: string;
  source: SourceRef | null;
}

/** An organisation: known (id) or to be created (key into newOrganisations). */
export type OrganisationTarget = { id: number } | { newKey: string };

export interface ResolvedAction {
  parsed: ParsedAction;
  code: string;
  /** The contract's action, or null when applying would create it. */
  existingId: number | null;
  orientationId: number | null;
  lead: OrganisationTarget | null;
  /** True when the file comes from the action's own lead: its title, cost and status are authoritative. */
  fromLead: boolean;
}

export interface ResolvedLine {
  parsed: ParsedLine;
  /** Index into `actions`, or null for a territory-level line. */
  actionIndex: number | null;
  funder: OrganisationTarget;
  programmeId: number | null;
  beneficiary: OrganisationTarget | null;
}

export interface ResolvedPreview {
  actions: ResolvedAction[];
  lines: ResolvedLine[];
  newOrganisations: NewOrganisation[];
  issues: IssueDraft[];
}

export interface ResolveContext {
  /** The organisation that sent the file. */
  sourceOrganisationId: number;
}

const GENERIC_LABELS = { STATE: "l'État", REGION: 'la Région', DEPARTMENT: 'le Département', EPCI: "l'EPCI", COMMUNE: 'la commune' } as const;

/**
 * Matches what a file names — orientations, organisations, actions, programmes — to the contract.
 * Unknown funders and actions are kept as things applying would create (a warning); what cannot be
 * matched safely (an unknown orientation, an ambiguous name) is an error at its cell.
 */
export function resolveParsed(parsed: ParseOutput, reference: ContractReference, context: ResolveContext): ResolvedPreview {
  const index = new OrganisationIndex(reference);
  const issues: IssueDraft[] = [];
  const newOrganisations = new Map<string, NewOrganisation>();
  const orientationByCode = new Map(reference.orientations.map((orientation) => [orientation.code, orientation.id]));
  const actionByCode = new Map(reference.actions.map((action) => [normaliseCode(action.code), action]));
  const actionsByTitle = groupBy(reference.actions, (action) => action.normalisedTitle);
  const programmeByCode = new Map(reference.programmes.map((programme) => [programme.code, programme.id]));
  const programmeOperator = new Map(reference.programmes.map((programme) => [programme.code, programme.operatorId]));

  // One target object per organisation, shared by every line that names it (nothing changes them).
  const knownTargets = new Map<number, { id: number }>();
  const newTargets = new Map<string, { newKey: string }>();
  const known = (id: number): { id: number } => {
    let target = knownTargets.get(id);
    if (!target) {
      target = { id };
      knownTargets.set(id, target);
    }
    return target;
  };
  const toCreate = (key: string): { newKey: string } => {
    let target = newTargets.get(key);
    if (!target) {
      target = { newKey: key };
      newTargets.set(key, target);
    }
    return target;
  };

  const issue = (severity: IssueDraft['severity'], code: string, message: string, source: SourceRef | undefined | null): void => {
    issues.push({ severity, code, message, sheet: source?.sheet ?? null, cell: source?.cell ?? null, value: source?.raw ?? null });
  };

  /** An organisation by name; an unknown name becomes an organisation to create (once per spelling). */
  const organisation = (text: string, source: SourceRef | undefined, role: string): OrganisationTarget | null => {
    const match = index.find(text);
    if (match.status === 'found') return known(match.organisation.id);
    if (match.status === 'ambiguous') {
      issue('ERROR', 'ORGANISATION_AMBIGUOUS', `« ${text} » (${role}) peut désigner ${match.candidates.map((c) => c.name).join(' ou ')} : écrivez le nom complet ou le SIREN.`, source);
      return null;
    }
    if (!match.normalised) return null;
    if (!newOrganisations.has(match.normalised)) {
      newOrganisations.set(match.normalised, { key: match.normalised, name: text.trim().replace(/\s+/g, ' '), source: source ?? null });
      issue('WARNING', 'ORGANISATION_UNKNOWN', `« ${text} » (${role}) n'est pas une organisation connue : elle sera créée à l'application. Vérifiez l'orthographe.`, source);
    }
    return toCreate(match.normalised);
  };

  const actions: ResolvedAction[] = parsed.actions.map((action) => {
    const existing = findAction(action);
    const code = action.code ?? existing?.code ?? '';
    const orientationId = resolveOrientation(action);
    const lead = action.leadText ? organisation(action.leadText, action.cells.lead, "maître d'ouvrage") : existing?.leadId ? { id: existing.leadId } : null;
    const leadId = lead && 'id' in lead ? lead.id : (existing?.leadId ?? null);
    const fromLead = leadId === context.sourceOrganisationId || (!existing && !action.leadText);
    if (existing && !fromLead) reportDifferences(action, existing);
    if (!existing && !action.code && !action.title) {
      issue('ERROR', 'ACTION_CODE_MISSING', "La ligne n'indique ni le numéro ni l'intitulé de l'action.", { sheet: action.sheet, cell: `A${action.row + 1}`, raw: '' });
    } else if (!existing && !action.code) {
      issue('ERROR', 'ACTION_CODE_MISSING', `L'action « ${action.title} » n'a pas de numéro et aucune action du contrat ne porte cet intitulé : indiquez son numéro.`, action.cells.title);
    } else if (!existing) {
      issue('WARNING', 'ACTION_UNKNOWN', `L'action ${action.code} n'existe pas encore dans le contrat : elle sera créée à l'application.`, action.cells.code);
    }
    return { parsed: action, code, existingId: existing?.id ?? null, orientationId, lead, fromLead };
  });

  const lines: ResolvedLine[] = [];
  for (const line of parsed.lines) {
    const action = line.actionIndex === null ? null : actions[line.actionIndex];
    const funder = resolveFunder(line, action);
    if (!funder) continue;
    let programmeId: number | null = null;
    if (line.programmeCode) {
      programmeId = programmeByCode.get(line.programmeCode) ?? null;
      if (programmeId === null) issue('ERROR', 'VALUE_INVALID', `Le dispositif « ${line.programmeCode} » n'est pas connu.`, line.source);
    }
    let beneficiary: OrganisationTarget | null = action?.lead ?? null;
    if (line.beneficiary) {
      const text = line.beneficiary.siren ?? line.beneficiary.inseeCode ?? line.beneficiary.text ?? '';
      beneficiary = text ? organisation(text, line.source, 'bénéficiaire') : null;
    }
    lines.push({ parsed: line, actionIndex: line.actionIndex, funder, programmeId, beneficiary });
  }

  // An indicator belongs to an action or an orientation of the contract: it cannot create either.
  for (const indicator of parsed.indicators ?? []) {
    if (indicator.actionCode && !actionByCode.has(normaliseCode(indicator.actionCode))) {
      issue('ERROR', 'INDICATOR_OWNER_UNKNOWN', `L'indicateur ${indicator.code} est rattaché à l'action « ${indicator.actionCode} », qui n'existe pas dans le contrat ${reference.contract.code}.`, indicator.source);
    } else if (!indicator.actionCode && indicator.orientationCode) {
      const code = normaliseOrientationCode(indicator.orientationCode);
      if (!code || !orientationByCode.has(code)) {
        issue('ERROR', 'INDICATOR_OWNER_UNKNOWN', `L'indicateur ${indicator.code} est rattaché à l'orientation « ${indicator.orientationCode} », qui n'existe pas dans le contrat ${reference.contract.code}.`, indicator.source);
      }
    } else if (!indicator.actionCode && !indicator.orientationCode) {
      issue('ERROR', 'INDICATOR_OWNER_UNKNOWN', `L'indicateur ${indicator.code} n'est rattaché ni à une action ni à une orientation.`, indicator.source);
    }
  }

  return { actions, lines, newOrganisations: [...newOrganisations.values()], issues };

  function findAction(action: ParsedAction): ReferenceAction | null {
    if (action.code) return actionByCode.get(normaliseCode(action.code)) ?? null;
    if (!action.title) return null;
    const candidates = actionsByTitle.get(normaliseText(action.title)) ?? [];
    if (candidates.length === 1) {
      issue('WARNING', 'ACTION_MATCHED_BY_TITLE', `Action sans numéro rapprochée par son intitulé de l'action ${candidates[0].code}.`, action.cells.title);
      return candidates[0];
    }
    return null;
  }

  function resolveOrientation(action: ParsedAction): number | null {
    if (!action.orientationCode) return null;
    const code = normaliseOrientationCode(action.orientationCode);
    const id = code ? orientationByCode.get(code) : undefined;
    if (id === undefined) {
      const known = reference.orientations.map((o) => o.code).join(', ');
      issue('ERROR', 'UNKNOWN_ORIENTATION', `L'orientation « ${action.orientationCode} » n'existe pas dans le contrat ${reference.contract.code} (orientations : ${known}).`, action.cells.orientation);
      return null;
    }
    return id;
  }

  function reportDifferences(action: ParsedAction, existing: ReferenceAction): void {
    const lead = existing.leadId ? index.get(existing.leadId)?.name : null;
    const authority = lead ? `son maître d'ouvrage (${lead})` : 'son maître d’ouvrage';
    if (action.title && normaliseText(action.title) !== existing.normalisedTitle) {
      issue('WARNING', 'ACTION_DIFFERS', `L'intitulé de l'action ${existing.code} diffère de celui déclaré par ${authority} (« ${existing.title} ») : il n'est pas modifié.`, action.cells.title);
    }
    if (action.totalCostCents !== null && existing.totalCost !== null && action.totalCostCents !== parseCents(existing.totalCost)) {
      issue('WARNING', 'ACTION_DIFFERS', `Le coût de l'action ${existing.code} (${euros(action.totalCostCents)}) diffère de celui déclaré par ${authority} (${euros(parseCents(existing.totalCost))}) : il n'est pas modifié.`, action.cells.totalCost);
    }
    if (action.status && action.status !== existing.status) {
      issue('WARNING', 'ACTION_DIFFERS', `Le statut de l'action ${existing.code} diffère de celui déclaré par ${authority} : il n'est pas modifié.`, action.cells.status);
    }
  }

  function resolveFunder(line: ParsedLine, action: ResolvedAction | null): OrganisationTarget | null {
    const funder = line.funder;
    if (funder.kind === 'source') return known(context.sourceOrganisationId);
    if (funder.kind === 'named') return organisation(funder.text, line.source, 'financeur');
    if (funder.kind === 'programme') {
      const operatorId = line.programmeCode ? programmeOperator.get(line.programmeCode) : undefined;
      if (operatorId) return { id: operatorId };
      issue('ERROR', 'FUNDER_MISSING', `Le dispositif « ${line.programmeCode ?? '?'} » n'a pas d'organisme gestionnaire connu : indiquez le financeur.`, line.source);
      return null;
    }
    if (funder.kind === 'lead') {
      if (action?.lead) return action.lead;
      issue('ERROR', 'FUNDER_MISSING', "L'autofinancement est indiqué mais l'action n'a pas de maître d'ouvrage.", line.source);
      return null;
    }
    const leadId = action?.lead && 'id' in action.lead ? action.lead.id : null;
    let id: number | null = null;
    if (funder.generic === 'STATE') id = reference.stateId;
    else if (funder.generic === 'REGION') id = reference.regionId;
    else if (funder.generic === 'DEPARTMENT') id = reference.departmentId;
    else if (funder.generic === 'EPCI') id = index.territoryOf(leadId)?.id ?? null;
    else if (funder.generic === 'COMMUNE') id = leadId !== null && index.get(leadId)?.kind === 'COMMUNE' ? leadId : null;
    if (id === null) {
      const why = funder.generic === 'EPCI' || funder.generic === 'COMMUNE' ? ` : le maître d'ouvrage de l'action n'est ni ${GENERIC_LABELS[funder.generic]} ni l'une de ses communes` : '';
      issue('ERROR', 'FUNDER_MISSING', `Impossible de savoir quel organisme est ${GENERIC_LABELS[funder.generic]} pour ce montant${why}. Indiquez le financeur par son nom.`, line.source);
      return null;
    }
    return { id };
  }
}

/** "2.2", "2,2", "2.2." and the number 2.2 all name orientation 2.2. */
export function normaliseOrientationCode(text: string): string | null {
  const match = /^\s*(\d{1,2})\s*[.,]\s*(\d{1,2})\s*\.?\s*$/.exec(text.slice(0, 20));
  return match ? `${Number(match[1])}.${Number(match[2])}` : null;
}

function normaliseCode(code: string): string {
  return code.trim().toUpperCase().replace(/\s+/g, '');
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
