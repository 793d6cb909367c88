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
import { AddDecisionInput, CreateMeetingInput } from './meeting.types';

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

export async function createMeeting(ctx: MeetingWriteContext, input: CreateMeetingInput, audit?: AuditHook<Meeting>, now: () => Date = () => new Date()): Promise<Meeting> {
  const errors: FieldError[] = [];
  const heldOn = input.heldOn?.trim() ?? '';
  if (!isIsoDate(heldOn)) errors.push({ field: 'heldOn', message: `La date de la réunion (heldOn) « ${input.heldOn} » n’est pas une date AAAA-MM-JJ.` });
  if (!Object.values(MeetingBody).includes(input.body)) errors.push({ field: 'body', message: 'L’instance (body) doit être COTECH ou COPIL.' });
  const title = input.title === null || input.title === undefined || !input.title.trim() ? null : checkText(errors, 'title', 'L’intitulé de la réunion', input.title, { max: TITLE_MAX, required: true }) ?? null;
  const place = input.place === null || input.place === undefined || !input.place.trim() ? null : checkText(errors, 'place', 'Le lieu', input.place, { max: NAME_MAX, required: true }) ?? null;
  checkYear(errors, 'reviewYear', 'L’année de la revue', input.reviewYear);
  const members = (input.members ?? []).map((member, i) => {
    const organisation = member.organisation?.trim() || null;
    const name = member.name?.trim() || null;
    if (!organisation && !name) errors.push({ field: `members[${i}]`, message: `Le membre n° ${i + 1} (members) n’a ni organisation ni nom.` });
    if (name && [...name].length > NAME_MAX) errors.push({ field: `members[${i}].name`, message: `Le nom du membre n° ${i + 1} dépasse ${NAME_MAX} caractères.` });
    return { organisation, name };
  });
  const agenda = (input.agenda ?? []).map((code) => code.trim());
  const seen = new Set<string>();
  for (const code of agenda) {
    if (seen.has(code)) errors.push({ field: 'agenda', message: `L’action « ${code} » figure deux fois à l’ordre du jour (agenda).` });
    seen.add(code);
  }
  throwIfFieldErrors(errors);

  const reviewYear = input.reviewYear ?? null;
  return writeToContract(ctx.dataSource, { code: input.contract }, { audit, changed: () => false }, async (manager) => {
    const contract = await contractOrError(manager, input.contract);
    // The review is frozen under the contract's lock, which every write to the contract takes: an import
    // either committed before (and is read) or waits for this one, so the review is exactly what
    // progress(asOf) will answer. Read through the data source, as the dashboard reads it (on MariaDB
    // another connection, which sees what was committed before the lock).
    const recordedAt = now();
    const asOf = reviewAsOf(heldOn, recordedAt);
    const snapshot = snapshotOf(await contractProgress(ctx.dataSource, input.contract, reviewYear, asOf), asOf);
    const reviewJson = JSON.stringify(snapshot);
    if (Buffer.byteLength(reviewJson) > REVIEW_JSON_MAX_BYTES) {
      throw fieldErrorsToGraphQLError([{ field: 'contract', message: `La revue du contrat ${input.contract} est trop grande pour être figée (${Buffer.byteLength(reviewJson)} octets, ${REVIEW_JSON_MAX_BYTES} au plus).` }]);
    }
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
    const actions = agenda.length ? await manager.getRepository(Action).find({ where: { contractId: contract.id, code: In(agenda) } }) : [];
    const actionByCode = new Map(actions.map((action) => [action.code, action]));
    for (const code of agenda) {
      if (!actionByCode.has(code)) errors.push({ field: 'agenda', message: `L’action « ${code} » n’existe pas dans le contrat ${contract.code} : elle ne peut pas être inscrite à l’ordre du jour.` });
    }
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
    if (resolved.length) await manager.getRepository(MeetingMember).insert(resolved.map((member, i) => ({ meetingId, ...member, position: i + 1 })));
    if (agenda.length) await manager.getRepository(MeetingAgendaItem).insert(agenda.map((code, i) => ({ meetingId, actionId: actionByCode.get(code)!.id, position: i + 1 })));
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
    let actionId: number | null = null;
    if (actionCode) {
      const action = await manager.getRepository(Action).findOne({ where: { contractId: meeting.contractId, code: actionCode } });
      if (!action) {
        const contract = await manager.getRepository(Contract).findOneByOrFail({ id: meeting.contractId });
        throw fieldErrorsToGraphQLError([
          { field: 'action', message: `L’action « ${actionCode} » n’est pas une action du contrat ${contract.code} de cette réunion : la décision est refusée.` },
        ]);
      }
      actionId = action.id;
    }
    const decisions = manager.getRepository(Decision);
    const { identifiers } = await decisions.insert({ meetingId: meeting.id, actionId, kind: input.kind, text: text!, dueOn, createdAt: now() });
    return decisions.findOneByOrFail({ id: Number(identifiers[0].id) });
  });
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
