import { DataSource, EntityManager, In } from 'typeorm';
import { Action } from '../action/action.entity';
import { cachedAggregate } from '../cache/aggregate-cache';
import { resolveOrganisationRef, WriteContext } from '../action/action.service';
import { AuditHook } from '../audit/audit.service';
import { checkDate, checkText, checkYear, FieldError, fieldErrorsToGraphQLError, isIsoDate, throwIfFieldErrors, TITLE_MAX } from '../common/field-validation';
import { writeToContract } from '../contract/contract-write';
import { Contract } from '../contract/contract.entity';
import { findContract } from '../contract/contract.lookups';
import { DecisionKind } from '../kernel/decision-kind.enum';
import { MeetingBody } from '../kernel/meeting-body.enum';
import { contractProgress } from '../progress/progress.service';
import { Identity } from '../request/identity';
import { Decision } from './decision.entity';
import { Meeting, MeetingAgendaItem, MeetingMember } from './meeting.entity';
import { parseSnapshot, ReviewSnapshot, reviewAsOf, snapshotOf } from './meeting-review';
import { AddDecisionInput, CreateMeetingInput, MeetingMemberInput, UpdateDecisionInput, UpdateMeetingInput } from './meeting.types';

/**
 * A contract's governance: its COTECH and COPIL, recorded with the review frozen at the meeting's date, and
 * their decisions. Authorisation is the caller's (the mutations require an admin, as for the contract's
 * structure); every write goes through writeToContract, under the contract's lock, with its audit row.
 */

/** MariaDB's TEXT holds 65 535 bytes: a review above it is refused rather than cut. */
export const REVIEW_JSON_MAX_BYTES = 65_535;
const DECISION_TEXT_MAX = 5000;
const NAME_MAX = 255;

/** Decisions that are about one fiche action: they need it. A corrective measure or an amendment request may concern the contract as a whole. */
const ACTION_KINDS = new Set<DecisionKind>([DecisionKind.VALIDATED, DecisionKind.POSTPONED, DecisionKind.ABANDONED, DecisionKind.CHANGED]);

export interface MeetingWriteContext extends WriteContext {
  identity: Identity;
}

type CheckedMember = { organisation: string | null; name: string | null };

function checkMembers(errors: FieldError[], members: MeetingMemberInput[]): CheckedMember[] {
  return members.map((member, i) => {
    const organisation = member.organisation?.trim() || null;
    const name = member.name?.trim() || null;
    if (!organisation && !name) errors.push({ field: `members[${i}]`, message: `Le membre n° ${i + 1} (members) n’a ni organisation ni nom.` });
    if (name && [...name].length > NAME_MAX) errors.push({ field: `members[${i}].name`, message: `Le nom du membre n° ${i + 1} dépasse ${NAME_MAX} caractères.` });
    return { organisation, name };
  });
}

function checkAgenda(errors: FieldError[], codes: string[]): string[] {
  const agenda = codes.map((code) => code.trim());
  const seen = new Set<string>();
  for (const code of agenda) {
    if (seen.has(code)) errors.push({ field: 'agenda', message: `L’action « ${code} » figure deux fois à l’ordre du jour (agenda).` });
    seen.add(code);
  }
  return agenda;
}

function checkHeldOn(errors: FieldError[], value: string | null | undefined): string {
  const heldOn = value?.trim() ?? '';
  if (!isIsoDate(heldOn)) errors.push({ field: 'heldOn', message: `La date de la réunion (heldOn) « ${value} » n’est pas une date AAAA-MM-JJ.` });
  return heldOn;
}

/** An optional text: blank is none. */
function optionalText(errors: FieldError[], field: string, label: string, value: string | null | undefined, max: number): string | null {
  return value === null || value === undefined || !value.trim() ? null : (checkText(errors, field, label, value, { max, required: true }) ?? null);
}

/**
 * The review at the meeting's date, computed under the contract's lock, which every write to the contract
 * takes: an import either committed before (and is read) or waits for this one, so the review is exactly
 * what progress(asOf) will answer. Read through the data source, as the dashboard reads it (on MariaDB
 * another connection, which sees what was committed before the lock).
 */
async function freezeReview(dataSource: DataSource, contractCode: string, heldOn: string, reviewYear: number | null, recordedAt: Date): Promise<{ asOf: Date; reviewJson: string }> {
  const asOf = reviewAsOf(heldOn, recordedAt);
  const reviewJson = JSON.stringify(snapshotOf(await contractProgress(dataSource, contractCode, reviewYear, asOf), asOf));
  if (Buffer.byteLength(reviewJson) > REVIEW_JSON_MAX_BYTES) {
    throw fieldErrorsToGraphQLError([{ field: 'contract', message: `La revue du contrat ${contractCode} est trop grande pour être figée (${Buffer.byteLength(reviewJson)} octets, ${REVIEW_JSON_MAX_BYTES} au plus).` }]);
  }
  return { asOf, reviewJson };
}

async function resolveMembers(manager: EntityManager, errors: FieldError[], contract: Contract, members: CheckedMember[]): Promise<Array<{ organisationId: number | null; name: string | null }>> {
  const resolved: Array<{ organisationId: number | null; name: string | null }> = [];
  for (const [i, member] of members.entries()) {
    let organisationId: number | null = null;
    if (member.organisation) {
      const found = await resolveOrganisationRef(manager, member.organisation, contract.id);
      if ('error' in found) errors.push({ field: `members[${i}].organisation`, message: `Membre n° ${i + 1} (members) : ${found.error}.` });
      else organisationId = found.organisation.id;
    }
    resolved.push({ organisationId, name: member.name });
  }
  return resolved;
}

async function resolveAgenda(manager: EntityManager, errors: FieldError[], contract: Contract, agenda: string[]): Promise<number[]> {
  const actions = agenda.length ? await manager.getRepository(Action).find({ where: { contractId: contract.id, code: In(agenda) } }) : [];
  const actionByCode = new Map(actions.map((action) => [action.code, action]));
  for (const code of agenda) {
    if (!actionByCode.has(code)) errors.push({ field: 'agenda', message: `L’action « ${code} » n’existe pas dans le contrat ${contract.code} : elle ne peut pas être inscrite à l’ordre du jour.` });
  }
  return agenda.flatMap((code) => (actionByCode.has(code) ? [actionByCode.get(code)!.id] : []));
}

async function replaceMembersAndAgenda(manager: EntityManager, meetingId: number, members: Array<{ organisationId: number | null; name: string | null }> | null, actionIds: number[] | null): Promise<void> {
  if (members) {
    await manager.getRepository(MeetingMember).delete({ meetingId });
    if (members.length) await manager.getRepository(MeetingMember).insert(members.map((member, i) => ({ meetingId, ...member, position: i + 1 })));
  }
  if (actionIds) {
    await manager.getRepository(MeetingAgendaItem).delete({ meetingId });
    if (actionIds.length) await manager.getRepository(MeetingAgendaItem).insert(actionIds.map((actionId, i) => ({ meetingId, actionId, position: i + 1 })));
  }
}

export async function createMeeting(ctx: MeetingWriteContext, input: CreateMeetingInput, audit?: AuditHook<Meeting>, now: () => Date = () => new Date()): Promise<Meeting> {
  const errors: FieldError[] = [];
  const heldOn = checkHeldOn(errors, input.heldOn);
  if (!Object.values(MeetingBody).includes(input.body)) errors.push({ field: 'body', message: 'L’instance (body) doit être COTECH ou COPIL.' });
  const title = optionalText(errors, 'title', 'L’intitulé de la réunion', input.title, TITLE_MAX);
  const place = optionalText(errors, 'place', 'Le lieu', input.place, NAME_MAX);
  checkYear(errors, 'reviewYear', 'L’année de la revue', input.reviewYear);
  const members = checkMembers(errors, input.members ?? []);
  const agenda = checkAgenda(errors, input.agenda ?? []);
  throwIfFieldErrors(errors);

  const reviewYear = input.reviewYear ?? null;
  return writeToContract(ctx.dataSource, { code: input.contract }, { audit, changed: () => false }, async (manager) => {
    const contract = await contractOrError(manager, input.contract);
    const recordedAt = now();
    const { asOf, reviewJson } = await freezeReview(ctx.dataSource, contract.code, heldOn, reviewYear, recordedAt);
    const resolved = await resolveMembers(manager, errors, contract, members);
    const actionIds = await resolveAgenda(manager, errors, contract, agenda);
    throwIfFieldErrors(errors);

    const meetings = manager.getRepository(Meeting);
    const { identifiers } = await meetings.insert({
      contractId: contract.id,
      body: input.body,
      heldOn,
      title,
      place,
      createdByName: ctx.identity.name.slice(0, NAME_MAX),
      createdByOrganisationId: ctx.identity.organisationId,
      createdAt: recordedAt,
      reviewAsOf: asOf,
      reviewYear,
      reviewJson,
    });
    const meetingId = Number(identifiers[0].id);
    await replaceMembersAndAgenda(manager, meetingId, resolved, actionIds);
    return meetings.findOneByOrFail({ id: meetingId });
  });
}

export async function addDecision(ctx: MeetingWriteContext, input: AddDecisionInput, audit?: AuditHook<Decision>, now: () => Date = () => new Date()): Promise<Decision> {
  const errors: FieldError[] = [];
  const text = checkText(errors, 'text', 'Le texte de la décision', input.text, { max: DECISION_TEXT_MAX, required: true });
  const dueOn = checkDate(errors, 'dueOn', 'L’échéance', input.dueOn) ?? null;
  if (!Object.values(DecisionKind).includes(input.kind)) errors.push({ field: 'kind', message: `La nature de la décision (kind) « ${String(input.kind)} » est inconnue.` });
  const actionCode = input.action?.trim() || null;
  if (!actionCode && ACTION_KINDS.has(input.kind)) errors.push({ field: 'action', message: 'Une décision de cette nature porte sur une fiche action : indiquez son code (action).' });
  const meeting = await findMeeting(ctx.dataSource.manager, input.meeting);
  if (!meeting) throw fieldErrorsToGraphQLError([{ field: 'meeting', message: `La réunion (meeting) n° ${input.meeting} n’existe pas.` }]);
  throwIfFieldErrors(errors);

  return writeToContract(ctx.dataSource, { id: meeting.contractId }, { audit, changed: () => false }, async (manager) => {
    const actionId = actionCode ? await checkDecisionAction(manager, meeting, actionCode) : null;
    const decisions = manager.getRepository(Decision);
    const { identifiers } = await decisions.insert({ meetingId: meeting.id, actionId, kind: input.kind, text: text!, dueOn, createdAt: now() });
    return decisions.findOneByOrFail({ id: Number(identifiers[0].id) });
  });
}

/** What an edit changed, for its audit row. */
export interface MeetingEdit {
  meeting: Meeting;
  contract: string;
  changed: string[];
  before: { heldOn: string; reviewAsOf: string };
}

/**
 * Corrects a meeting (a wrong date, a member forgotten, the agenda). A new date or review year freezes the
 * review again, at the new date as createMeeting would (recorded now: a date today or ahead stands a second
 * before this edit); the earlier review is not kept, as it was of a day the meeting was not held (its asOf
 * stays in the audit row). Members and agenda given are the whole new lists.
 */
export async function updateMeeting(ctx: MeetingWriteContext, input: UpdateMeetingInput, audit?: AuditHook<MeetingEdit>, now: () => Date = () => new Date()): Promise<MeetingEdit> {
  const errors: FieldError[] = [];
  const heldOn = input.heldOn === undefined || input.heldOn === null ? null : checkHeldOn(errors, input.heldOn);
  if (input.body !== undefined && input.body !== null && !Object.values(MeetingBody).includes(input.body)) errors.push({ field: 'body', message: 'L’instance (body) doit être COTECH ou COPIL.' });
  const title = input.title === undefined ? undefined : optionalText(errors, 'title', 'L’intitulé de la réunion', input.title, TITLE_MAX);
  const place = input.place === undefined ? undefined : optionalText(errors, 'place', 'Le lieu', input.place, NAME_MAX);
  checkYear(errors, 'reviewYear', 'L’année de la revue', input.reviewYear);
  const members = input.members === undefined || input.members === null ? null : checkMembers(errors, input.members);
  const agenda = input.agenda === undefined || input.agenda === null ? null : checkAgenda(errors, input.agenda);
  const found = await findMeeting(ctx.dataSource.manager, input.id);
  if (!found) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La réunion (id) n° ${input.id} n’existe pas.` }]);
  throwIfFieldErrors(errors);

  return writeToContract(ctx.dataSource, { id: found.contractId }, { audit, changed: () => false }, async (manager) => {
    // Read again under the lock: deleted meanwhile, it is not recreated.
    const meeting = await manager.getRepository(Meeting).findOneBy({ id: found.id });
    if (!meeting) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La réunion (id) n° ${input.id} n’existe plus.` }]);
    const contract = await manager.getRepository(Contract).findOneByOrFail({ id: meeting.contractId });
    const before = { heldOn: meeting.heldOn, reviewAsOf: meeting.reviewAsOf.toISOString() };
    const changes: Partial<Meeting> = {};
    if (input.body && input.body !== meeting.body) changes.body = input.body;
    if (heldOn !== null && heldOn !== meeting.heldOn) changes.heldOn = heldOn;
    if (title !== undefined && title !== meeting.title) changes.title = title;
    if (place !== undefined && place !== meeting.place) changes.place = place;
    const reviewYear = input.reviewYear === undefined ? meeting.reviewYear : input.reviewYear;
    if (reviewYear !== meeting.reviewYear) changes.reviewYear = reviewYear;
    if (changes.heldOn !== undefined || changes.reviewYear !== undefined) {
      const { asOf, reviewJson } = await freezeReview(ctx.dataSource, contract.code, changes.heldOn ?? meeting.heldOn, reviewYear, now());
      Object.assign(changes, { reviewAsOf: asOf, reviewJson });
    }
    const resolvedMembers = members ? await resolveMembers(manager, errors, contract, members) : null;
    const actionIds = agenda ? await resolveAgenda(manager, errors, contract, agenda) : null;
    throwIfFieldErrors(errors);

    if (Object.keys(changes).length) await manager.getRepository(Meeting).update({ id: meeting.id }, changes);
    await replaceMembersAndAgenda(manager, meeting.id, resolvedMembers, actionIds);
    const changed = [...Object.keys(changes).filter((key) => key !== 'reviewJson'), ...(members ? ['members'] : []), ...(agenda ? ['agenda'] : [])];
    return { meeting: await manager.getRepository(Meeting).findOneByOrFail({ id: meeting.id }), contract: contract.code, changed, before };
  });
}

/**
 * Deletes a meeting recorded by mistake, with its members, agenda and decisions. Nothing else points at a
 * meeting: « the last COPIL » and « the COPIL before » are looked up when asked, so the one before becomes
 * the base of changesSinceLastCopil and of the exports; its frozen review is untouched.
 */
export async function deleteMeeting(ctx: MeetingWriteContext, id: string, audit?: AuditHook<{ meeting: Meeting; contract: string; decisions: number }>): Promise<boolean> {
  const found = await findMeeting(ctx.dataSource.manager, id);
  if (!found) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La réunion (id) n° ${id} n’existe pas.` }]);
  await writeToContract(ctx.dataSource, { id: found.contractId }, { audit, changed: () => false }, async (manager) => {
    const meeting = await manager.getRepository(Meeting).findOneBy({ id: found.id });
    if (!meeting) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La réunion (id) n° ${id} n’existe plus.` }]);
    const contract = await manager.getRepository(Contract).findOneByOrFail({ id: meeting.contractId });
    // Children first: the foreign keys cascade, but SQLite enforces them only when told to.
    const { affected } = await manager.getRepository(Decision).delete({ meetingId: meeting.id });
    await manager.getRepository(MeetingAgendaItem).delete({ meetingId: meeting.id });
    await manager.getRepository(MeetingMember).delete({ meetingId: meeting.id });
    await manager.getRepository(Meeting).delete({ id: meeting.id });
    return { meeting, contract: contract.code, decisions: affected ?? 0 };
  });
  return true;
}

async function checkDecisionAction(manager: EntityManager, meeting: Meeting, actionCode: string): Promise<number> {
  const action = await manager.getRepository(Action).findOne({ where: { contractId: meeting.contractId, code: actionCode } });
  if (!action) {
    const contract = await manager.getRepository(Contract).findOneByOrFail({ id: meeting.contractId });
    throw fieldErrorsToGraphQLError([{ field: 'action', message: `L’action « ${actionCode} » n’est pas une action du contrat ${contract.code} de cette réunion : la décision est refusée.` }]);
  }
  return action.id;
}

async function findDecision(manager: EntityManager, id: string): Promise<Decision | null> {
  if (!/^\d{1,9}$/.test(String(id).trim())) return null;
  return manager.getRepository(Decision).findOne({ where: { id: Number(id) } });
}

/** Corrects a decision: its action (null: the contract), nature, text or deadline; the same rules as addDecision. */
export async function updateDecision(ctx: MeetingWriteContext, input: UpdateDecisionInput, audit?: AuditHook<{ decision: Decision; changed: string[] }>): Promise<Decision> {
  const errors: FieldError[] = [];
  const text = input.text === undefined || input.text === null ? undefined : checkText(errors, 'text', 'Le texte de la décision', input.text, { max: DECISION_TEXT_MAX, required: true });
  const dueOn = input.dueOn === undefined ? undefined : (checkDate(errors, 'dueOn', 'L’échéance', input.dueOn) ?? null);
  if (input.kind !== undefined && input.kind !== null && !Object.values(DecisionKind).includes(input.kind)) errors.push({ field: 'kind', message: `La nature de la décision (kind) « ${String(input.kind)} » est inconnue.` });
  const found = await findDecision(ctx.dataSource.manager, input.id);
  if (!found) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La décision (id) n° ${input.id} n’existe pas.` }]);
  throwIfFieldErrors(errors);
  const meeting = await findMeeting(ctx.dataSource.manager, String(found.meetingId));
  if (!meeting) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La décision (id) n° ${input.id} n’existe plus.` }]);

  return (
    await writeToContract(ctx.dataSource, { id: meeting.contractId }, { audit, changed: () => false }, async (manager) => {
      const decision = await manager.getRepository(Decision).findOneBy({ id: found.id });
      if (!decision) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La décision (id) n° ${input.id} n’existe plus.` }]);
      const changes: Partial<Decision> = {};
      if (input.action !== undefined) {
        const code = input.action?.trim() || null;
        const actionId = code ? await checkDecisionAction(manager, meeting, code) : null;
        if (actionId !== decision.actionId) changes.actionId = actionId;
      }
      if (input.kind && input.kind !== decision.kind) changes.kind = input.kind;
      if (text !== undefined && text !== decision.text) changes.text = text;
      if (dueOn !== undefined && dueOn !== decision.dueOn) changes.dueOn = dueOn;
      const kind = changes.kind ?? decision.kind;
      const actionId = changes.actionId === undefined ? decision.actionId : changes.actionId;
      if (actionId === null && ACTION_KINDS.has(kind)) {
        throw fieldErrorsToGraphQLError([{ field: 'action', message: 'Une décision de cette nature porte sur une fiche action : indiquez son code (action).' }]);
      }
      if (Object.keys(changes).length) await manager.getRepository(Decision).update({ id: decision.id }, changes);
      return { decision: await manager.getRepository(Decision).findOneByOrFail({ id: decision.id }), changed: Object.keys(changes) };
    })
  ).decision;
}

/** Removes a decision recorded by mistake. */
export async function removeDecision(ctx: MeetingWriteContext, id: string, audit?: AuditHook<Decision>): Promise<boolean> {
  const found = await findDecision(ctx.dataSource.manager, id);
  if (!found) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La décision (id) n° ${id} n’existe pas.` }]);
  const meeting = await findMeeting(ctx.dataSource.manager, String(found.meetingId));
  if (!meeting) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La décision (id) n° ${id} n’existe plus.` }]);
  await writeToContract(ctx.dataSource, { id: meeting.contractId }, { audit, changed: () => false }, async (manager) => {
    const decision = await manager.getRepository(Decision).findOneBy({ id: found.id });
    if (!decision) throw fieldErrorsToGraphQLError([{ field: 'id', message: `La décision (id) n° ${id} n’existe plus.` }]);
    await manager.getRepository(Decision).delete({ id: decision.id });
    return decision;
  });
  return true;
}

async function findMeeting(manager: EntityManager, id: string): Promise<Meeting | null> {
  if (!/^\d{1,9}$/.test(String(id).trim())) return null;
  return manager.getRepository(Meeting).findOne({ where: { id: Number(id) } });
}

async function contractOrError(manager: EntityManager, code: string): Promise<Contract> {
  const contract = await findContract(manager, code);
  if (!contract) throw fieldErrorsToGraphQLError([{ field: 'contract', message: `Contrat (contract) « ${code} » inconnu.` }]);
  return contract;
}

export async function meetingsOf(dataSource: DataSource, contractCode: string): Promise<Meeting[]> {
  const contract = await contractOrError(dataSource.manager, contractCode);
  return dataSource.getRepository(Meeting).find({ where: { contractId: contract.id }, order: { heldOn: 'ASC', id: 'ASC' } });
}

export async function meetingById(dataSource: DataSource, id: string): Promise<Meeting | null> {
  return findMeeting(dataSource.manager, id);
}

/** The contract's last COPIL: the latest held (then the latest recorded that day). */
export async function lastCopil(dataSource: DataSource, contractCode: string): Promise<Meeting | null> {
  const contract = await contractOrError(dataSource.manager, contractCode);
  return dataSource.getRepository(Meeting).findOne({ where: { contractId: contract.id, body: MeetingBody.COPIL }, order: { heldOn: 'DESC', id: 'DESC' } });
}

export function reviewOf(meeting: Meeting): ReviewSnapshot {
  return parseSnapshot(meeting.reviewJson);
}

/** Today's figures in the frozen review's shape (same year), to compare with it: the dashboard's cached progress (same key as Query.progress). */
export async function currentSnapshot(dataSource: DataSource, contractCode: string, year: number | null): Promise<ReviewSnapshot> {
  const now = new Date();
  const progress = await cachedAggregate(dataSource, 'progress', contractCode, { year, asOf: null }, () => contractProgress(dataSource, contractCode, year, null));
  return snapshotOf(progress, now);
}
