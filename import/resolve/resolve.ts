import { normaliseText } from '../../src/kernel/normalise-text';
import { parseCents } from '../../src/kernel/money';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';
import { formatEuros as euros } from '../../src/kernel/format-euros';
import { IssueDraft } from '../common/model';
import { fundersInOneCellMessage } from '../parse/action-plan';
import { ParsedAction, ParsedIndicator, ParsedLine, ParseOutput, SourceRef } from '../parse/parsed.types';
import { ContractReference, ReferenceAction } from './contract-reference';
import { OrganisationIndex } from './organisation-index';

/** An organisation that applying would create, named as the file first wrote it. */
export interface NewOrganisation {
  key: string;
  name: string;
  source: SourceRef | null;
  /** Known from a grants list: the beneficiary's SIREN, and its kind when the list says it. */
  siren?: string;
  kind?: OrganisationKind;
}

/** What a grants list says of an organisation named by its SIREN: its name and kind as written. */
interface SirenDetails {
  siren: string;
  name: string | null | undefined;
  kind: OrganisationKind | undefined;
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
  /** Grants lists: the commune where the project stands, when the contract knows it. */
  placeId?: number | null;
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
 * What resolving one file shares: the contract's lookups, the sender, the issues said so far and the
 * organisations applying would create.
 */
class Resolution {
  readonly index: OrganisationIndex;
  readonly issues: IssueDraft[] = [];
  readonly newOrganisations = new Map<string, NewOrganisation>();
  /** The orientations in force (an amendment closed none of them), by normalised code. */
  readonly orientationByCode: Map<string, number>;
  /** Those an amendment closed: nothing new goes under them. */
  readonly closedOrientationByCode: Map<string, ClosedOrientation>;
  readonly actionByCode: Map<string, ReferenceAction>;
  readonly actionsByTitle: Map<string, ReferenceAction[]>;
  readonly actionById: Map<number, ReferenceAction>;
  readonly programmeByCode: Map<string, number>;
  readonly programmeOperator: Map<string, number | null>;
  readonly indicatorByCode: Map<string, ContractReference['indicators'][number]>;
  readonly sourceId: number;
  readonly sourceName: string;
  // One target object per organisation, shared by every line that names it (nothing changes them).
  private readonly knownTargets = new Map<number, { id: number }>();
  private readonly newTargets = new Map<string, { newKey: string }>();

  constructor(
    readonly reference: ContractReference,
    readonly context: ResolveContext,
  ) {
    this.index = new OrganisationIndex(reference);
    const keyOf = (orientation: { code: string }) => normaliseOrientationCode(orientation.code) ?? orientation.code;
    this.orientationByCode = new Map(reference.orientations.filter((orientation) => !orientation.closedOn).map((orientation) => [keyOf(orientation), orientation.id]));
    this.closedOrientationByCode = new Map(
      reference.orientations.filter((orientation) => orientation.closedOn).map((orientation) => [keyOf(orientation), { code: orientation.code, closedOn: orientation.closedOn!, closedBy: orientation.closedBy ?? null }]),
    );
    this.actionByCode = new Map(reference.actions.map((action) => [normaliseCode(action.code), action]));
    this.actionsByTitle = groupBy(reference.actions, (action) => action.normalisedTitle);
    this.actionById = new Map(reference.actions.map((action) => [action.id, action]));
    this.programmeByCode = new Map(reference.programmes.map((programme) => [programme.code, programme.id]));
    this.programmeOperator = new Map(reference.programmes.map((programme) => [programme.code, programme.operatorId]));
    this.indicatorByCode = new Map(reference.indicators.map((indicator) => [normaliseCode(indicator.code), indicator]));
    this.sourceId = context.sourceOrganisationId;
    this.sourceName = this.index.get(this.sourceId)?.shortName ?? this.index.get(this.sourceId)?.name ?? 'la source';
  }

  known(id: number): { id: number } {
    let target = this.knownTargets.get(id);
    if (!target) {
      target = { id };
      this.knownTargets.set(id, target);
    }
    return target;
  }

  toCreate(key: string): { newKey: string } {
    let target = this.newTargets.get(key);
    if (!target) {
      target = { newKey: key };
      this.newTargets.set(key, target);
    }
    return target;
  }

  issue(severity: IssueDraft['severity'], code: string, message: string, source: SourceRef | undefined | null): void {
    this.issues.push({ severity, code, message, sheet: source?.sheet ?? null, cell: source?.cell ?? null, value: source?.raw ?? null });
  }

  /**
   * An organisation by name; an unknown name becomes an organisation to create (once per spelling). With
   * `bySiren` (a grants list's beneficiary, `text` its SIREN): by SIREN, else by the name the list writes,
   * else one to create with that SIREN and name (once per SIREN).
   */
  organisation(text: string, source: SourceRef | undefined, role: string, bySiren?: SirenDetails): OrganisationTarget | null {
    const match = this.index.find(text);
    if (match.status === 'found') return this.known(match.organisation.id);
    if (bySiren) return this.organisationBySiren(bySiren, source, role);
    if (match.status === 'ambiguous') {
      this.issue('ERROR', 'ORGANISATION_AMBIGUOUS', `« ${text} » (${role}) peut désigner ${match.candidates.map((c) => c.name).join(' ou ')} : écrivez le nom complet ou le SIREN.`, source);
      return null;
    }
    if (!match.normalised) return null;
    if (!this.newOrganisations.has(match.normalised)) {
      this.newOrganisations.set(match.normalised, { key: match.normalised, name: text.trim().replace(/\s+/g, ' '), source: source ?? null });
      this.issue('WARNING', 'ORGANISATION_UNKNOWN', `« ${text} » (${role}) n'est pas une organisation connue : elle sera créée à l'application. Vérifiez l'orthographe.`, source);
    }
    return this.toCreate(match.normalised);
  }

  private organisationBySiren(details: SirenDetails, source: SourceRef | undefined, role: string): OrganisationTarget | null {
    const name = details.name?.trim().replace(/\s+/g, ' ') || null;
    if (name) {
      const byName = this.index.find(name);
      if (byName.status === 'found') return this.known(byName.organisation.id);
    }
    const key = `siren:${details.siren}`;
    if (!this.newOrganisations.has(key)) {
      this.newOrganisations.set(key, { key, name: name ?? `SIREN ${details.siren}`, source: source ?? null, siren: details.siren, kind: details.kind });
      this.issue(
        'WARNING',
        'ORGANISATION_UNKNOWN',
        `${name ? `« ${name} »` : 'Cet organisme'} (${role}, SIREN ${details.siren}) n'est pas une organisation connue : elle sera créée à l'application avec ce SIREN et ce nom.`,
        source,
      );
    }
    return this.toCreate(key);
  }

  /** The codes of the orientations in force, for a message. */
  knownOrientations(): string {
    return this.reference.orientations.filter((orientation) => !orientation.closedOn).map((orientation) => orientation.code).join(', ');
  }

  /** An ERROR at `source`: the orientation an amendment closed, and what the file wanted of it. */
  closedOrientation(closed: ClosedOrientation, what: string, source: SourceRef | undefined | null): void {
    this.issue('ERROR', 'ORIENTATION_CLOSED', `${closedOrientationMessage(closed)} : ${what}. Indiquez une orientation en vigueur (orientations : ${this.knownOrientations() || 'aucune'}).`, source);
  }

  leadLabel(leadId: number | null): string {
    const lead = leadId !== null ? this.index.get(leadId) : undefined;
    return lead ? (lead.shortName ?? lead.name) : "aucun (l'action est à classer par l'équipe du contrat)";
  }

  ledBySource(action: ResolvedAction): boolean {
    return action.lead !== null && 'id' in action.lead && action.lead.id === this.sourceId;
  }
}

/**
 * Matches what a file names — orientations, organisations, actions, programmes — to the contract.
 * Unknown funders and actions are kept as things applying would create (a warning); what cannot be
 * matched safely (an unknown orientation, an ambiguous name) is an error at its cell.
 */
export function resolveParsed(parsed: ParseOutput, reference: ContractReference, context: ResolveContext): ResolvedPreview {
  const r = new Resolution(reference, context);
  const actions = parsed.actions.map((action) => resolveAction(r, action));
  const lines: ResolvedLine[] = [];
  for (const line of parsed.lines) {
    const resolved = resolveLine(r, line, actions);
    if (resolved) lines.push(resolved);
  }
  for (const indicator of parsed.indicators ?? []) {
    if (context.authority === 'source' && !mayWriteIndicator(r, indicator)) continue;
    checkIndicatorOwner(r, indicator);
  }
  return { actions, lines, newOrganisations: [...r.newOrganisations.values()], issues: r.issues };
}

/** A file's action: the contract's (by code, else by title) or one to create, its orientation and lead, and what the file may change of it. */
function resolveAction(r: Resolution, action: ParsedAction): ResolvedAction {
  const existing = findAction(r, action);
  const code = action.code ?? existing?.code ?? action.codeIfNew ?? '';
  const orientationId = action.plan ? planOrientation(r, action, existing) : resolveOrientation(r, action);
  // An action without a lead is the contract's team's to classify: an admin's file does it.
  const classifies = existing !== null && existing.leadId === null && r.context.authority === 'admin';
  // Who leads an existing action is the contract's: the file's cell is only compared with it.
  const lead = existing && !classifies ? (existing.leadId !== null ? r.known(existing.leadId) : null) : newActionLead(r, action);
  const fromLead = existing ? existing.leadId === r.sourceId || classifies : true;
  if (existing && !classifies) {
    if (action.leadText) reportLeadDifference(r, action, existing);
    if (!fromLead) reportDifferences(r, action, existing, orientationId);
  }
  // A classified action changes orientation only by an amendment (amendContract, dated): its lead's file
  // does not move it, and says so at the cell. One « à classer » is classified by the file.
  let placedId = orientationId;
  if (existing && existing.orientationId !== null && orientationId !== null && orientationId !== existing.orientationId) {
    if (fromLead) {
      const current = r.reference.orientations.find((orientation) => orientation.id === existing.orientationId)?.code ?? '?';
      r.issue(
        'WARNING',
        'ACTION_DIFFERS',
        `L'action ${existing.code} est classée dans l'orientation ${current} du contrat, et non « ${action.orientationCode ?? action.plan?.subAxis?.source.raw.trim() ?? ''} » : un import ne la déplace pas. Changer une action d'orientation modifie la structure du contrat, ce qui se fait par un avenant (amendContract, moveActions), daté.`,
        action.cells.orientation ?? action.plan?.subSubAxis?.source ?? action.plan?.subAxis?.source,
      );
    }
    placedId = existing.orientationId;
  }
  if (!existing && !action.code && !action.title) {
    r.issue('ERROR', 'ACTION_CODE_MISSING', "La ligne n'indique ni le numéro ni l'intitulé de l'action.", { sheet: action.sheet, cell: `A${action.row + 1}`, raw: '' });
  } else if (!existing && !action.code && action.codeIfNew) {
    r.issue('WARNING', 'ACTION_UNKNOWN', `L'action « ${action.title} » n'existe pas encore dans le contrat (aucune action de ce numéro ni de cet intitulé) : elle sera créée à l'application sous le numéro ${action.codeIfNew}.`, action.cells.title);
  } else if (!existing && !action.code) {
    r.issue('ERROR', 'ACTION_CODE_MISSING', `L'action « ${action.title} » n'a pas de numéro et aucune action du contrat ne porte cet intitulé : indiquez son numéro.`, action.cells.title);
  } else if (!existing) {
    r.issue('WARNING', 'ACTION_UNKNOWN', `L'action ${action.code} n'existe pas encore dans le contrat : elle sera créée à l'application.`, action.cells.code);
  }
  const resolved: ResolvedAction = { parsed: action, code, existingId: existing?.id ?? null, orientationId: placedId, lead, fromLead, classifies };
  if (action.placeInseeCode) resolved.placeId = placeOf(r, action.placeInseeCode);
  return resolved;
}

/** The commune of an INSEE code, when the contract knows it (a place outside the reference is not an error: the lead is the beneficiary). */
function placeOf(r: Resolution, inseeCode: string): number | null {
  const match = r.index.find(inseeCode);
  return match.status === 'found' && match.via === 'insee' ? match.organisation.id : null;
}

/** A file's amount with its funder, programme and beneficiary; null when it is left out (refused, or its funder unknown). */
function resolveLine(r: Resolution, line: ParsedLine, actions: readonly ResolvedAction[]): ResolvedLine | null {
  const action = line.actionIndex === null ? null : actions[line.actionIndex];
  if (r.context.authority === 'source' && !mayDeclare(r, line, action)) return null;
  const funder = resolveFunder(r, line, action);
  if (!funder) return null;
  if (r.context.authority === 'source' && !(action && r.ledBySource(action)) && !('id' in funder && funder.id === r.sourceId)) {
    refuseLine(r, line, action, funder);
    return null;
  }
  let programmeId: number | null = null;
  if (line.programmeCode) {
    programmeId = r.programmeByCode.get(line.programmeCode) ?? null;
    if (programmeId === null) r.issue('ERROR', 'VALUE_INVALID', `Le dispositif « ${line.programmeCode} » n'est pas connu.`, line.source);
  }
  let beneficiary: OrganisationTarget | null = action?.lead ?? null;
  if (line.beneficiary) {
    const { siren, inseeCode, text: name, kind } = line.beneficiary;
    const text = siren ?? inseeCode ?? name ?? '';
    beneficiary = text ? r.organisation(text, line.source, 'bénéficiaire', siren ? { siren, name, kind } : undefined) : null;
  }
  return { parsed: line, actionIndex: line.actionIndex, funder, programmeId, beneficiary };
}

/** An indicator belongs to an action or an orientation of the contract: it cannot create either. */
function checkIndicatorOwner(r: Resolution, indicator: ParsedIndicator): void {
  const contractCode = r.reference.contract.code;
  if (indicator.actionCode && !r.actionByCode.has(normaliseCode(indicator.actionCode))) {
    r.issue('ERROR', 'INDICATOR_OWNER_UNKNOWN', `L'indicateur ${indicator.code} est rattaché à l'action « ${indicator.actionCode} », qui n'existe pas dans le contrat ${contractCode}.`, indicator.source);
  } else if (!indicator.actionCode && indicator.orientationCode) {
    const code = normaliseOrientationCode(indicator.orientationCode);
    const closed = code ? r.closedOrientationByCode.get(code) : undefined;
    // An indicator the contract has keeps its owner (an import does not attach it elsewhere): only a new one would go under it.
    if (closed) {
      if (!r.indicatorByCode.has(normaliseCode(indicator.code))) r.closedOrientation(closed, `l'indicateur ${indicator.code}, nouveau, ne peut pas y être rattaché`, indicator.source);
    } else if (!code || !r.orientationByCode.has(code)) {
      r.issue('ERROR', 'INDICATOR_OWNER_UNKNOWN', `L'indicateur ${indicator.code} est rattaché à l'orientation « ${indicator.orientationCode} », qui n'existe pas dans le contrat ${contractCode}.`, indicator.source);
    }
  } else if (!indicator.actionCode && !indicator.orientationCode) {
    r.issue('ERROR', 'INDICATOR_OWNER_UNKNOWN', `L'indicateur ${indicator.code} n'est rattaché ni à une action ni à une orientation.`, indicator.source);
  }
}

function findAction(r: Resolution, action: ParsedAction): ReferenceAction | null {
  if (action.code) return r.actionByCode.get(normaliseCode(action.code)) ?? null;
  if (!action.title) return null;
  const candidates = r.actionsByTitle.get(normaliseText(action.title)) ?? [];
  if (candidates.length === 1) {
    r.issue('WARNING', 'ACTION_MATCHED_BY_TITLE', `Action sans numéro rapprochée par son intitulé de l'action ${candidates[0].code}.`, action.cells.title);
    return candidates[0];
  }
  return null;
}

function resolveOrientation(r: Resolution, action: ParsedAction): number | null {
  if (!action.orientationCode) return null;
  const code = normaliseOrientationCode(action.orientationCode);
  const closed = code ? r.closedOrientationByCode.get(code) : undefined;
  if (closed) {
    r.closedOrientation(closed, "aucune action n'y est plus créée, classée ni déplacée", action.cells.orientation);
    return null;
  }
  const id = code ? r.orientationByCode.get(code) : undefined;
  if (id === undefined) {
    const known = r.knownOrientations();
    r.issue('ERROR', 'UNKNOWN_ORIENTATION', `L'orientation « ${action.orientationCode} » n'existe pas dans le contrat ${r.reference.contract.code} (orientations : ${known}).`, action.cells.orientation);
    return null;
  }
  return id;
}

/**
 * An action plan's fiche (Territoires en Transitions): the plan's sub-axis is the orientation when the
 * contract has its code; otherwise a new action is created to classify (a warning: the plan's axes are
 * the collectivité's own, not an error of the file), and an existing one keeps its orientation.
 */
function planOrientation(r: Resolution, action: ParsedAction, existing: ReferenceAction | null): number | null {
  const code = action.orientationCode ? normaliseOrientationCode(action.orientationCode) : null;
  const id = code ? r.orientationByCode.get(code) : undefined;
  if (id !== undefined) return id;
  const closed = code ? r.closedOrientationByCode.get(code) : undefined;
  if (closed) {
    r.closedOrientation(closed, "aucune fiche action n'y est plus créée, classée ni déplacée", action.plan!.subSubAxis?.source ?? action.plan!.subAxis?.source ?? action.cells.orientation);
    return null;
  }
  if (existing) return null;
  const place = action.plan!.subAxis ?? action.plan!.axis ?? action.plan!.subSubAxis;
  const where = action.plan!.subAxis
    ? `est rangée sous « ${action.plan!.subAxis.source.raw.trim()} » dans le plan, qui ne correspond à aucune orientation du contrat ${r.reference.contract.code}`
    : `n'est rangée sous aucun sous-axe du plan${place ? ` (seulement « ${place.source.raw.trim()} »)` : ''}, qui dirait son orientation du contrat ${r.reference.contract.code}`;
  const known = r.knownOrientations();
  r.issue(
    'WARNING',
    'ORIENTATION_TO_CLASSIFY',
    `L'action « ${action.title ?? action.code ?? ''} » ${where} (orientations : ${known || 'aucune'}) : elle sera créée à classer par l'équipe du contrat. Son axe est gardé tel qu'écrit.`,
    place?.source ?? action.cells.title,
  );
  return null;
}

/**
 * The lead of an action the file creates: the source when the file names it (or the sender is an admin
 * and names anyone); none when the file names nobody, or when an editor's file names another
 * organisation — a file cannot make an action somebody else's (updateAction and createAction refuse
 * it too): the action waits for the contract's team to classify it.
 */
function newActionLead(r: Resolution, action: ParsedAction): OrganisationTarget | null {
  if (!action.leadText) return null;
  if (r.context.authority === 'admin') {
    const bySiren = action.leadKind !== undefined && /^\d{9}$/.test(action.leadText) ? { siren: action.leadText, name: action.leadName, kind: action.leadKind } : undefined;
    return r.organisation(action.leadText, action.cells.lead, "maître d'ouvrage", bySiren);
  }
  const match = r.index.find(action.leadText);
  if (match.status === 'found' && match.organisation.id === r.sourceId) return r.known(r.sourceId);
  // An ambiguous name is an error at its cell, as for any organisation.
  if (match.status === 'ambiguous') return r.organisation(action.leadText, action.cells.lead, "maître d'ouvrage");
  const { sourceName } = r;
  r.issue(
    'WARNING',
    'ACTION_LEAD_REFUSED',
    `L'action ${action.code ?? `« ${action.title ?? ''} »`} est nouvelle et le fichier lui donne pour maître d'ouvrage « ${action.leadText} » : un fichier de ${sourceName} ne peut créer que des actions dont ${sourceName} est maître d'ouvrage. Elle sera créée sans maître d'ouvrage, à classer par l'équipe du contrat (un administrateur).`,
    action.cells.lead,
  );
  return null;
}

/** The file's « Maître d'ouvrage » of an existing action is never applied: a different one is said at its cell. */
function reportLeadDifference(r: Resolution, action: ParsedAction, existing: ReferenceAction): void {
  if (existing.leadId === null) {
    // An editor's file does not claim an action waiting to be classified, not even for its source.
    r.issue(
      'WARNING',
      'ACTION_LEAD_REFUSED',
      `L'action ${existing.code} n'a pas encore de maître d'ouvrage (elle est à classer) et le fichier lui donne « ${action.leadText} » : un fichier de ${r.sourceName} ne peut pas la lui attribuer. Ni son maître d'ouvrage ni ses champs ne sont modifiés ; seule l'équipe du contrat (un administrateur) la classe.`,
      action.cells.lead,
    );
    return;
  }
  const match = r.index.find(action.leadText!);
  if (match.status === 'found' && match.organisation.id === existing.leadId) return;
  if (match.status === 'ambiguous' && match.candidates.some((candidate) => candidate.id === existing.leadId)) return;
  r.issue(
    'WARNING',
    'ACTION_DIFFERS',
    `Le maître d'ouvrage de l'action ${existing.code} est ${r.leadLabel(existing.leadId)} dans le contrat, et non « ${action.leadText} » : il n'est pas modifié par un import (seul un administrateur peut confier une action à un autre maître d'ouvrage, dans la fiche de l'action).`,
    action.cells.lead,
  );
}

/** An action the source does not lead keeps its fields: each one the file would change is said at its cell. */
function reportDifferences(r: Resolution, action: ParsedAction, existing: ReferenceAction, orientationId: number | null): void {
  const authority =
    existing.leadId !== null
      ? `son maître d'ouvrage (${r.leadLabel(existing.leadId)})`
      : "l'équipe du contrat (l'action n'a pas de maître d'ouvrage)";
  const why = `: il n'est pas modifié, ${r.sourceName} n'étant pas maître d'ouvrage de l'action`;
  if (action.title && normaliseText(action.title) !== existing.normalisedTitle) {
    r.issue('WARNING', 'ACTION_DIFFERS', `L'intitulé de l'action ${existing.code} diffère de celui déclaré par ${authority} (« ${existing.title} »)${why}.`, action.cells.title);
  }
  if (action.totalCostCents !== null && (existing.totalCost === null || action.totalCostCents !== parseCents(existing.totalCost))) {
    const declared = existing.totalCost === null ? 'aucun' : euros(parseCents(existing.totalCost));
    r.issue('WARNING', 'ACTION_DIFFERS', `Le coût de l'action ${existing.code} (${euros(action.totalCostCents)}) diffère de celui déclaré par ${authority} (${declared})${why}.`, action.cells.totalCost);
  }
  if (action.status && action.status !== existing.status) {
    r.issue('WARNING', 'ACTION_DIFFERS', `Le statut de l'action ${existing.code} diffère de celui déclaré par ${authority}${why}.`, action.cells.status);
  }
  for (const [key, label] of [['startDate', 'La date de début'], ['endDate', 'La date de fin']] as const) {
    if (action[key] && action[key] !== existing[key]) {
      r.issue('WARNING', 'ACTION_DIFFERS', `${label} de l'action ${existing.code} diffère de celle déclarée par ${authority} : elle n'est pas modifiée, ${r.sourceName} n'étant pas maître d'ouvrage de l'action.`, action.cells[key]);
    }
  }
  if (orientationId !== null && orientationId !== existing.orientationId) {
    r.issue('WARNING', 'ACTION_DIFFERS', `L'orientation de l'action ${existing.code} diffère de celle déclarée par ${authority} : elle n'est pas modifiée, ${r.sourceName} n'étant pas maître d'ouvrage de l'action.`, action.cells.orientation);
  }
}

/**
 * An editor writes an indicator (its definition and values) only when it follows an action the source
 * leads, as setIndicatorValue and updateIndicator let it; an orientation's indicators are no
 * organisation's (admins only). An existing indicator follows what the contract says (applying never
 * moves it), a new one what the file names. One ERROR at the indicator's cell, so that a partial
 * apply leaves the whole indicator out.
 */
function mayWriteIndicator(r: Resolution, indicator: ParsedIndicator): boolean {
  const existing = r.indicatorByCode.get(normaliseCode(indicator.code));
  let action: ReferenceAction | null = null;
  let orientationText: string | null = null;
  if (existing) {
    if (existing.actionId !== null) action = r.actionById.get(existing.actionId) ?? null;
    else orientationText = r.reference.orientations.find((orientation) => orientation.id === existing.orientationId)?.code ?? '?';
  } else if (indicator.actionCode) {
    action = r.actionByCode.get(normaliseCode(indicator.actionCode)) ?? null;
    // An unknown action is reported as such by checkIndicatorOwner.
    if (!action) return true;
  } else if (indicator.orientationCode) {
    orientationText = indicator.orientationCode;
  } else {
    return true;
  }
  if (action && action.leadId === r.sourceId) return true;
  const why = action
    ? `il suit l'action ${action.code}, dont le maître d'ouvrage est ${r.leadLabel(action.leadId)}`
    : `il suit l'orientation ${orientationText}, et les indicateurs d'une orientation ne relèvent d'aucun maître d'ouvrage`;
  r.issue(
    'ERROR',
    'INDICATOR_NOT_ALLOWED',
    `${r.sourceName} ne peut pas renseigner l'indicateur ${existing?.code ?? indicator.code} : ${why}. Un partenaire renseigne les indicateurs des actions dont il est maître d'ouvrage ; retirez cet indicateur (son maître d'ouvrage le renseignera), ou demandez à l'équipe du contrat de l'importer.`,
    indicator.source,
  );
  return false;
}

/**
 * An editor's line on an action its source does not lead must name the source as funder. Decided
 * before the funder is resolved, so that a refused line creates no organisation.
 */
function mayDeclare(r: Resolution, line: ParsedLine, action: ResolvedAction | null): boolean {
  if (action && r.ledBySource(action)) return true;
  const funder = line.funder;
  // The action's own money (its lead's, its EPCI's or commune's) on an action without a lead: nobody's
  // to declare but the contract's team, rather than a funder that cannot be found.
  const fromActionLead = funder.kind === 'lead' || (funder.kind === 'generic' && (funder.generic === 'EPCI' || funder.generic === 'COMMUNE'));
  if (fromActionLead && action && action.lead === null) {
    refuseLine(r, line, action, null, funder.kind === 'lead' ? "son maître d'ouvrage" : GENERIC_LABELS[(funder as { generic: 'EPCI' | 'COMMUNE' }).generic]);
    return false;
  }
  if (funder.kind !== 'named') return true; // resolved first, then compared with the source
  if (funder.oneOf) {
    const names = namedOrganisations(r, funder.text, funder.oneOf.names);
    // Two organisations in one cell are an error at resolution whoever sends the file.
    if (names.status === 'several' || (names.status === 'one' && names.id === r.sourceId)) return true;
  }
  const match = r.index.find(funder.text);
  // An ambiguous name is reported (an error) when the funder is resolved.
  if ((match.status === 'found' && match.organisation.id === r.sourceId) || match.status === 'ambiguous') return true;
  refuseLine(r, line, action, null, funder.text);
  return false;
}

function refuseLine(r: Resolution, line: ParsedLine, action: ResolvedAction | null, funder: OrganisationTarget | null, funderText?: string): void {
  const funderName = funderText ?? (funder && 'id' in funder ? r.leadLabel(funder.id) : '?');
  const where = action
    ? `sur l'action ${action.code || `« ${action.parsed.title ?? ''} »`}, dont le maître d'ouvrage est ${r.leadLabel(action.lead && 'id' in action.lead ? action.lead.id : null)}`
    : 'hors de toute action';
  r.issue(
    'ERROR',
    'FUNDING_NOT_ALLOWED',
    `${r.sourceName} ne peut pas déclarer ce montant (financeur : ${funderName}) ${where} : un partenaire déclare les financements des actions dont il est maître d'ouvrage, et ceux qu'il apporte lui-même. Retirez ce montant (le financeur ou le maître d'ouvrage le déclarera), ou demandez à l'équipe du contrat de l'importer.`,
    line.source,
  );
}

function resolveFunder(r: Resolution, line: ParsedLine, action: ResolvedAction | null): OrganisationTarget | null {
  const funder = line.funder;
  if (funder.kind === 'source') return r.known(r.context.sourceOrganisationId);
  // At the cell that names the funder (a « Financeur » cell, a column header), not at the amount's.
  if (funder.kind === 'named') {
    if (funder.siren) {
      // The SIREN an open-data grants list gives for its attributing body names it more surely than its name.
      const match = r.index.find(funder.siren);
      if (match.status === 'found') return r.known(match.organisation.id);
      if (!funder.text.trim()) {
        r.issue('ERROR', 'FUNDER_MISSING', `Le financeur de SIREN ${funder.siren} n'est pas une organisation connue et son nom n'est pas indiqué : indiquez-le.`, funder.source ?? line.source);
        return null;
      }
    }
    if (funder.oneOf) return oneFunderOf(r, line, funder.text, funder.oneOf, funder.source ?? line.source);
    return r.organisation(funder.text, funder.source ?? line.source, 'financeur');
  }
  if (funder.kind === 'programme') {
    const operatorId = line.programmeCode ? r.programmeOperator.get(line.programmeCode) : undefined;
    if (operatorId) return { id: operatorId };
    r.issue('ERROR', 'FUNDER_MISSING', `Le dispositif « ${line.programmeCode ?? '?'} » n'a pas d'organisme gestionnaire connu : indiquez le financeur.`, line.source);
    return null;
  }
  if (funder.kind === 'lead') {
    if (action?.lead) return action.lead;
    r.issue('ERROR', 'FUNDER_MISSING', "L'autofinancement est indiqué mais l'action n'a pas de maître d'ouvrage.", line.source);
    return null;
  }
  const id = genericFunderId(r, funder.generic, action);
  if (id === null) {
    const why = funder.generic === 'EPCI' || funder.generic === 'COMMUNE' ? ` : le maître d'ouvrage de l'action n'est ni ${GENERIC_LABELS[funder.generic]} ni l'une de ses communes` : '';
    r.issue('ERROR', 'FUNDER_MISSING', `Impossible de savoir quel organisme est ${GENERIC_LABELS[funder.generic]} pour ce montant${why}. Indiquez le financeur par son nom.`, line.source);
    return null;
  }
  return { id };
}

type NamedOrganisations = { status: 'one'; id: number } | { status: 'several'; ids: Array<number | null> } | { status: 'unknown'; ids: Array<number | null> };

/**
 * What the names of one cell are in the database: the cell as a whole if it is an alias, else each name
 * by itself — one organisation (« Caisse des Dépôts / Banque des Territoires »: two names of one funder),
 * several, or not all known.
 */
function namedOrganisations(r: Resolution, text: string, names: string[]): NamedOrganisations {
  const whole = r.index.find(text);
  if (whole.status === 'found') return { status: 'one', id: whole.organisation.id };
  const ids = names.map((name) => {
    const match = r.index.find(name);
    return match.status === 'found' ? match.organisation.id : null;
  });
  const known = new Set(ids.filter((id): id is number => id !== null));
  if (known.size > 1) return { status: 'several', ids };
  if (known.size === 1 && ids.every((id) => id !== null)) return { status: 'one', id: [...known][0] };
  return { status: 'unknown', ids };
}

/**
 * The funder of a cell that gives several names for one amount: the one organisation they all name;
 * else FUNDERS_IN_ONE_CELL at the cell (the amount is never split). A name in parentheses that names no
 * other organisation is an aside (« Banque des Territoires (CDC, prêt) »): the cell is read as written.
 */
function oneFunderOf(r: Resolution, line: ParsedLine, text: string, oneOf: { names: string[]; listed: boolean }, source: SourceRef): OrganisationTarget | null {
  const names = namedOrganisations(r, text, oneOf.names);
  if (names.status === 'one') return r.known(names.id);
  if (names.status === 'unknown' && !oneOf.listed) return r.organisation(text, source, 'financeur');
  const organisations = names.ids.map((id) => (id === null ? null : (r.index.get(id)?.name ?? null)));
  r.issue('ERROR', 'FUNDERS_IN_ONE_CELL', fundersInOneCellMessage(oneOf.names, line.source.cell, line.cents, organisations), source);
  return null;
}

/** Which organisation « l'État », « la Région », « l'EPCI »… is for a line of this action; null when it cannot be told. */
function genericFunderId(r: Resolution, generic: keyof typeof GENERIC_LABELS, action: ResolvedAction | null): number | null {
  const leadId = action?.lead && 'id' in action.lead ? action.lead.id : null;
  if (generic === 'STATE') return r.reference.stateId;
  if (generic === 'REGION') return r.reference.regionId;
  if (generic === 'DEPARTMENT') return r.reference.departmentId;
  if (generic === 'EPCI') return r.index.territoryOf(leadId)?.id ?? null;
  if (generic === 'COMMUNE') return leadId !== null && r.index.get(leadId)?.kind === 'COMMUNE' ? leadId : null;
  return null;
}

/** An orientation an amendment closed, as the resolve stage tells it. */
export interface ClosedOrientation {
  code: string;
  closedOn: string;
  closedBy: string | null;
}

/** « L'orientation « 1.4 » est close par l'avenant n° 2 du 01/09/2024 ». */
export function closedOrientationMessage(closed: ClosedOrientation): string {
  const [year, month, day] = closed.closedOn.split('-');
  const by = closed.closedBy === null ? 'par un avenant' : `par l'avenant n° ${closed.closedBy}`;
  return `L'orientation « ${closed.code} » est close ${by} du ${day}/${month}/${year}`;
}

/**
 * An orientation code as the contract writes it, compared loosely: "2.2", "2,2", "2.2." and the number 2.2
 * name 2.2, "03.1.2" names 3.1.2; other codes ("OS-2", "A", "Axe 1") as written, case and spaces aside.
 * Null for what cannot be a code (empty, or a sentence).
 */
export function normaliseOrientationCode(text: string): string | null {
  const trimmed = text.slice(0, 60).trim().replace(/\.$/, '').trim();
  if (!trimmed) return null;
  if (/^\d{1,3}(\s*[.,]\s*\d{1,3})*$/.test(trimmed)) {
    return trimmed
      .split(/[.,]/)
      .map((part) => String(Number(part.trim())))
      .join('.');
  }
  const compact = trimmed.toUpperCase().replace(/\s+/g, ' ');
  return /^[\p{L}\p{N}][\p{L}\p{N} ._\-/]{0,29}$/u.test(compact) ? compact : null;
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
