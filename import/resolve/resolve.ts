import { normaliseText } from '../../src/common/normalise-text';
import { parseCents } from '../../src/common/money';
import { formatEuros as euros } from '../format-euros';
import { IssueDraft } from '../model';
import { ParsedAction, ParsedIndicator, ParsedLine, ParseOutput, SourceRef } from '../parse/parsed.types';
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
  /**
   * Who leads the action: for an existing action, always the contract's (the database's), whatever the
   * file says; for a new one, what the file names when the sender may give it (see ResolveContext).
   */
  lead: OrganisationTarget | null;
  /**
   * True when the file's source leads the action according to the contract (or the file creates it): only
   * then do its title, cost, status and orientation overwrite the contract's.
   */
  fromLead: boolean;
  /**
   * True when an admin's file names an existing action that has no lead (created "to classify"): the
   * contract's team classifies it, so the file gives its lead (when it names one) and its fields.
   */
  classifies: boolean;
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
  /**
   * What the sender may write, decided from its token in the database (never from the file):
   * - 'admin': imports for the contract's team (the CLI, an admin token): lines for any funder on any
   *   action, new actions led by whoever the file names, the lead and fields of an action that has none
   *   yet, any indicator;
   * - 'source': an editor, who writes only as the source organisation, as updateAction lets it: lines on
   *   the actions the source leads (any funder) or with the source as funder (any action); a new action
   *   is the source's when the file names it as lead, else it waits to be classified (no lead); an
   *   existing action without a lead stays so (only the contract's team classifies it); indicators only
   *   of the actions the source leads, as setIndicatorValue lets it (an orientation's: admins only).
   */
  authority: SenderAuthority;
}

export type SenderAuthority = 'admin' | 'source';

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

  const sourceId = context.sourceOrganisationId;
  const sourceName = index.get(sourceId)?.shortName ?? index.get(sourceId)?.name ?? 'la source';

  const actions: ResolvedAction[] = parsed.actions.map((action) => {
    const existing = findAction(action);
    const code = action.code ?? existing?.code ?? '';
    const orientationId = resolveOrientation(action);
    // An action without a lead is the contract's team's to classify: an admin's file does it.
    const classifies = existing !== null && existing.leadId === null && context.authority === 'admin';
    // Who leads an existing action is the contract's: the file's cell is only compared with it.
    const lead = existing && !classifies ? (existing.leadId !== null ? known(existing.leadId) : null) : newActionLead(action);
    const fromLead = existing ? existing.leadId === sourceId || classifies : true;
    if (existing && !classifies) {
      if (action.leadText) reportLeadDifference(action, existing);
      if (!fromLead) reportDifferences(action, existing, orientationId);
    }
    if (!existing && !action.code && !action.title) {
      issue('ERROR', 'ACTION_CODE_MISSING', "La ligne n'indique ni le numéro ni l'intitulé de l'action.", { sheet: action.sheet, cell: `A${action.row + 1}`, raw: '' });
    } else if (!existing && !action.code) {
      issue('ERROR', 'ACTION_CODE_MISSING', `L'action « ${action.title} » n'a pas de numéro et aucune action du contrat ne porte cet intitulé : indiquez son numéro.`, action.cells.title);
    } else if (!existing) {
      issue('WARNING', 'ACTION_UNKNOWN', `L'action ${action.code} n'existe pas encore dans le contrat : elle sera créée à l'application.`, action.cells.code);
    }
    return { parsed: action, code, existingId: existing?.id ?? null, orientationId, lead, fromLead, classifies };
  });

  const lines: ResolvedLine[] = [];
  for (const line of parsed.lines) {
    const action = line.actionIndex === null ? null : actions[line.actionIndex];
    if (context.authority === 'source' && !mayDeclare(line, action)) continue;
    const funder = resolveFunder(line, action);
    if (!funder) continue;
    if (context.authority === 'source' && !(action && ledBySource(action)) && !('id' in funder && funder.id === sourceId)) {
      refuseLine(line, action, funder);
      continue;
    }
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
  const indicatorByCode = new Map(reference.indicators.map((indicator) => [normaliseCode(indicator.code), indicator]));
  const actionById = new Map(reference.actions.map((action) => [action.id, action]));
  for (const indicator of parsed.indicators ?? []) {
    if (context.authority === 'source' && !mayWriteIndicator(indicator)) continue;
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

  /**
   * The lead of an action the file creates: the source when the file names it (or the sender is an admin
   * and names anyone); none when the file names nobody, or when an editor's file names another
   * organisation — a file cannot make an action somebody else's (updateAction and createAction refuse
   * it too): the action waits for the contract's team to classify it.
   */
  function newActionLead(action: ParsedAction): OrganisationTarget | null {
    if (!action.leadText) return null;
    if (context.authority === 'admin') return organisation(action.leadText, action.cells.lead, "maître d'ouvrage");
    const match = index.find(action.leadText);
    if (match.status === 'found' && match.organisation.id === sourceId) return known(sourceId);
    // An ambiguous name is an error at its cell, as for any organisation.
    if (match.status === 'ambiguous') return organisation(action.leadText, action.cells.lead, "maître d'ouvrage");
    issue(
      'WARNING',
      'ACTION_LEAD_REFUSED',
      `L'action ${action.code ?? `« ${action.title ?? ''} »`} est nouvelle et le fichier lui donne pour maître d'ouvrage « ${action.leadText} » : un fichier de ${sourceName} ne peut créer que des actions dont ${sourceName} est maître d'ouvrage. Elle sera créée sans maître d'ouvrage, à classer par l'équipe du contrat (un administrateur).`,
      action.cells.lead,
    );
    return null;
  }

  function leadLabel(leadId: number | null): string {
    const lead = leadId !== null ? index.get(leadId) : undefined;
    return lead ? (lead.shortName ?? lead.name) : "aucun (l'action est à classer par l'équipe du contrat)";
  }

  /** The file's « Maître d'ouvrage » of an existing action is never applied: a different one is said at its cell. */
  function reportLeadDifference(action: ParsedAction, existing: ReferenceAction): void {
    if (existing.leadId === null) {
      // An editor's file does not claim an action waiting to be classified, not even for its source.
      issue(
        'WARNING',
        'ACTION_LEAD_REFUSED',
        `L'action ${existing.code} n'a pas encore de maître d'ouvrage (elle est à classer) et le fichier lui donne « ${action.leadText} » : un fichier de ${sourceName} ne peut pas la lui attribuer. Ni son maître d'ouvrage ni ses champs ne sont modifiés ; seule l'équipe du contrat (un administrateur) la classe.`,
        action.cells.lead,
      );
      return;
    }
    const match = index.find(action.leadText!);
    if (match.status === 'found' && match.organisation.id === existing.leadId) return;
    if (match.status === 'ambiguous' && match.candidates.some((candidate) => candidate.id === existing.leadId)) return;
    issue(
      'WARNING',
      'ACTION_DIFFERS',
      `Le maître d'ouvrage de l'action ${existing.code} est ${leadLabel(existing.leadId)} dans le contrat, et non « ${action.leadText} » : il n'est pas modifié par un import (seul un administrateur peut confier une action à un autre maître d'ouvrage, dans la fiche de l'action).`,
      action.cells.lead,
    );
  }

  /** An action the source does not lead keeps its fields: each one the file would change is said at its cell. */
  function reportDifferences(action: ParsedAction, existing: ReferenceAction, orientationId: number | null): void {
    const authority =
      existing.leadId !== null
        ? `son maître d'ouvrage (${leadLabel(existing.leadId)})`
        : "l'équipe du contrat (l'action n'a pas de maître d'ouvrage)";
    const why = `: il n'est pas modifié, ${sourceName} n'étant pas maître d'ouvrage de l'action`;
    if (action.title && normaliseText(action.title) !== existing.normalisedTitle) {
      issue('WARNING', 'ACTION_DIFFERS', `L'intitulé de l'action ${existing.code} diffère de celui déclaré par ${authority} (« ${existing.title} »)${why}.`, action.cells.title);
    }
    if (action.totalCostCents !== null && (existing.totalCost === null || action.totalCostCents !== parseCents(existing.totalCost))) {
      const declared = existing.totalCost === null ? 'aucun' : euros(parseCents(existing.totalCost));
      issue('WARNING', 'ACTION_DIFFERS', `Le coût de l'action ${existing.code} (${euros(action.totalCostCents)}) diffère de celui déclaré par ${authority} (${declared})${why}.`, action.cells.totalCost);
    }
    if (action.status && action.status !== existing.status) {
      issue('WARNING', 'ACTION_DIFFERS', `Le statut de l'action ${existing.code} diffère de celui déclaré par ${authority}${why}.`, action.cells.status);
    }
    for (const [key, label] of [['startDate', 'La date de début'], ['endDate', 'La date de fin']] as const) {
      if (action[key] && action[key] !== existing[key]) {
        issue('WARNING', 'ACTION_DIFFERS', `${label} de l'action ${existing.code} diffère de celle déclarée par ${authority} : elle n'est pas modifiée, ${sourceName} n'étant pas maître d'ouvrage de l'action.`, action.cells[key]);
      }
    }
    if (orientationId !== null && orientationId !== existing.orientationId) {
      issue('WARNING', 'ACTION_DIFFERS', `L'orientation de l'action ${existing.code} diffère de celle déclarée par ${authority} : elle n'est pas modifiée, ${sourceName} n'étant pas maître d'ouvrage de l'action.`, action.cells.orientation);
    }
  }

  /**
   * An editor writes an indicator (its definition and values) only when it follows an action the source
   * leads, as setIndicatorValue and updateIndicator let it; an orientation's indicators are no
   * organisation's (admins only). An existing indicator follows what the contract says (applying never
   * moves it), a new one what the file names. One ERROR at the indicator's cell, so that a partial
   * apply leaves the whole indicator out.
   */
  function mayWriteIndicator(indicator: ParsedIndicator): boolean {
    const existing = indicatorByCode.get(normaliseCode(indicator.code));
    let action: ReferenceAction | null = null;
    let orientationText: string | null = null;
    if (existing) {
      if (existing.actionId !== null) action = actionById.get(existing.actionId) ?? null;
      else orientationText = reference.orientations.find((orientation) => orientation.id === existing.orientationId)?.code ?? '?';
    } else if (indicator.actionCode) {
      action = actionByCode.get(normaliseCode(indicator.actionCode)) ?? null;
      // An unknown action is reported as such below.
      if (!action) return true;
    } else if (indicator.orientationCode) {
      orientationText = indicator.orientationCode;
    } else {
      return true;
    }
    if (action && action.leadId === sourceId) return true;
    const why = action
      ? `il suit l'action ${action.code}, dont le maître d'ouvrage est ${leadLabel(action.leadId)}`
      : `il suit l'orientation ${orientationText}, et les indicateurs d'une orientation ne relèvent d'aucun maître d'ouvrage`;
    issue(
      'ERROR',
      'INDICATOR_NOT_ALLOWED',
      `${sourceName} ne peut pas renseigner l'indicateur ${existing?.code ?? indicator.code} : ${why}. Un partenaire renseigne les indicateurs des actions dont il est maître d'ouvrage ; retirez cet indicateur (son maître d'ouvrage le renseignera), ou demandez à l'équipe du contrat de l'importer.`,
      indicator.source,
    );
    return false;
  }

  function ledBySource(action: ResolvedAction): boolean {
    return action.lead !== null && 'id' in action.lead && action.lead.id === sourceId;
  }

  /**
   * An editor's line on an action its source does not lead must name the source as funder. Decided
   * before the funder is resolved, so that a refused line creates no organisation.
   */
  function mayDeclare(line: ParsedLine, action: ResolvedAction | null): boolean {
    if (action && ledBySource(action)) return true;
    const funder = line.funder;
    // The action's own money (its lead's, its EPCI's or commune's) on an action without a lead: nobody's
    // to declare but the contract's team, rather than a funder that cannot be found.
    const fromActionLead = funder.kind === 'lead' || (funder.kind === 'generic' && (funder.generic === 'EPCI' || funder.generic === 'COMMUNE'));
    if (fromActionLead && action && action.lead === null) {
      refuseLine(line, action, null, funder.kind === 'lead' ? "son maître d'ouvrage" : GENERIC_LABELS[(funder as { generic: 'EPCI' | 'COMMUNE' }).generic]);
      return false;
    }
    if (funder.kind !== 'named') return true; // resolved first, then compared with the source
    const match = index.find(funder.text);
    // An ambiguous name is reported (an error) when the funder is resolved.
    if ((match.status === 'found' && match.organisation.id === sourceId) || match.status === 'ambiguous') return true;
    refuseLine(line, action, null, funder.text);
    return false;
  }

  function refuseLine(line: ParsedLine, action: ResolvedAction | null, funder: OrganisationTarget | null, funderText?: string): void {
    const funderName = funderText ?? (funder && 'id' in funder ? leadLabel(funder.id) : '?');
    const where = action
      ? `sur l'action ${action.code || `« ${action.parsed.title ?? ''} »`}, dont le maître d'ouvrage est ${leadLabel(action.lead && 'id' in action.lead ? action.lead.id : null)}`
      : 'hors de toute action';
    issue(
      'ERROR',
      'FUNDING_NOT_ALLOWED',
      `${sourceName} ne peut pas déclarer ce montant (financeur : ${funderName}) ${where} : un partenaire déclare les financements des actions dont il est maître d'ouvrage, et ceux qu'il apporte lui-même. Retirez ce montant (le financeur ou le maître d'ouvrage le déclarera), ou demandez à l'équipe du contrat de l'importer.`,
      line.source,
    );
  }

  function resolveFunder(line: ParsedLine, action: ResolvedAction | null): OrganisationTarget | null {
    const funder = line.funder;
    if (funder.kind === 'source') return known(context.sourceOrganisationId);
    // At the cell that names the funder (a « Financeur » cell, a column header), not at the amount's.
    if (funder.kind === 'named') return organisation(funder.text, funder.source ?? line.source, 'financeur');
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
