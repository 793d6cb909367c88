import type DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { anyId, byIdLoader, groupLoader, idsIn } from '../common/batch-loader';
import { Decision } from './decision.entity';
import { Meeting, MeetingAgendaItem, MeetingMember } from './meeting.entity';

export interface MeetingLoaders {
  meetingById: DataLoader<number, Meeting | null>;
  decisionsByMeeting: DataLoader<number, Decision[]>;
  /** An action's decisions, oldest meeting first: its page shows how it was steered. */
  decisionsByAction: DataLoader<number, Decision[]>;
  membersByMeeting: DataLoader<number, MeetingMember[]>;
  agendaByMeeting: DataLoader<number, MeetingAgendaItem[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends MeetingLoaders {}
}

export function createMeetingLoaders(dataSource: DataSource): MeetingLoaders {
  const decisions = () =>
    dataSource.getRepository(Decision).createQueryBuilder('decision').innerJoin(Meeting, 'meeting', 'meeting.id = decision.meeting_id').orderBy('meeting.held_on', 'ASC').addOrderBy('decision.id', 'ASC');
  return {
    meetingById: byIdLoader((ids) => dataSource.getRepository(Meeting).find({ where: { id: anyId(dataSource, ids) } })),
    decisionsByMeeting: groupLoader(
      (ids) => decisions().where(...idsIn(dataSource, 'decision.meeting_id', ids)).getMany(),
      (decision) => decision.meetingId,
    ),
    decisionsByAction: groupLoader(
      (ids) => decisions().where(...idsIn(dataSource, 'decision.action_id', ids)).getMany(),
      (decision) => decision.actionId!,
    ),
    membersByMeeting: groupLoader(
      (ids) => dataSource.getRepository(MeetingMember).find({ where: { meetingId: anyId(dataSource, ids) }, order: { position: 'ASC' } }),
      (member) => member.meetingId,
    ),
    agendaByMeeting: groupLoader(
      (ids) => dataSource.getRepository(MeetingAgendaItem).find({ where: { meetingId: anyId(dataSource, ids) }, order: { position: 'ASC' } }),
      (item) => item.meetingId,
    ),
  };
}
