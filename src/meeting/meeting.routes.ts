import { Request, Response, Router } from 'express';
import { DataSource, In, LessThan } from 'typeorm';
import { Action } from '../action/action.entity';
import { authenticateHttpReader, requireHttpContractAccess } from '../auth/http-authorisation';
import { AppConfig } from '../config';
import { Contract } from '../contract/contract.entity';
import { XLSX_CONTENT_TYPE } from '../import-batch/import-templates';
import { Organisation } from '../organisation/organisation.entity';
import { HttpError } from '../request/http-error';
import { route } from '../request/http-route';
import { Identity } from '../request/identity';
import { Decision } from './decision.entity';
import { Meeting, MeetingAgendaItem, MeetingMember } from './meeting.entity';
import { MeetingBody } from '../kernel/meeting-body.enum';
import { parseSnapshot, reviewChanges } from './meeting-review';
import { ReviewExportData, writeReviewWorkbook } from './meeting-review-export';
import { writeReviewPdf } from './meeting-review-pdf';

export const PDF_CONTENT_TYPE = 'application/pdf';

/**
 * `GET /api/contracts/:code/meetings/:id/review.xlsx` and `…/review.pdf`: a meeting's relevé de décisions and
 * frozen review, the document the sous-préfecture sends, as a workbook or as A4 pages; the same data. Read
 * like the other exports: with READ_REQUIRES_TOKEN a valid token is needed, a bad token is always refused.
 */
export function createMeetingRouter(dataSource: DataSource, config: Pick<AppConfig, 'readRequiresToken'>): Router {
  const router = Router();
  router.get('/api/contracts/:code/meetings/:id/review.xlsx', route((req, res) => getReview(dataSource, config, req, res, 'xlsx')));
  router.get('/api/contracts/:code/meetings/:id/review.pdf', route((req, res) => getReview(dataSource, config, req, res, 'pdf')));
  return router;
}

async function getReview(dataSource: DataSource, config: Pick<AppConfig, 'readRequiresToken'>, req: Request, res: Response, format: 'xlsx' | 'pdf'): Promise<void> {
  const identity = await authenticateHttpReader(dataSource, config, req.headers.authorization);
  const data = await loadReviewExport(dataSource, String(req.params.code), String(req.params.id), identity);
  const { buffer, fileName } = format === 'pdf' ? writeReviewPdf(data) : writeReviewWorkbook(data);
  res.status(200).attachment(fileName).type(format === 'pdf' ? PDF_CONTENT_TYPE : XLSX_CONTENT_TYPE).set('Cache-Control', 'no-store').send(buffer);
}

export async function loadReviewExport(dataSource: DataSource, code: string, id: string, identity: Identity | null): Promise<ReviewExportData> {
  const contract = await dataSource.getRepository(Contract).findOne({ where: { code } });
  if (!contract) throw new HttpError(404, `Le contrat « ${code} » n’existe pas.`, 'code');
  requireHttpContractAccess(identity, contract);
  const meeting = /^\d{1,9}$/.test(id) ? await dataSource.getRepository(Meeting).findOne({ where: { id: Number(id), contractId: contract.id } }) : null;
  if (!meeting) throw new HttpError(404, `La réunion n° ${id} n’existe pas dans le contrat ${contract.code}.`, 'id');
  const review = parseSnapshot(meeting.reviewJson);
  const [members, agenda, decisions, previous] = await Promise.all([
    dataSource.getRepository(MeetingMember).find({ where: { meetingId: meeting.id }, order: { position: 'ASC' } }),
    dataSource.getRepository(MeetingAgendaItem).find({ where: { meetingId: meeting.id }, order: { position: 'ASC' } }),
    dataSource.getRepository(Decision).find({ where: { meetingId: meeting.id }, order: { id: 'ASC' } }),
    previousCopil(dataSource, meeting),
  ]);
  const actionIds = [...new Set([...agenda.map((item) => item.actionId), ...decisions.flatMap((decision) => (decision.actionId === null ? [] : [decision.actionId]))])];
  const organisationIds = [...new Set(members.flatMap((member) => (member.organisationId === null ? [] : [member.organisationId])))];
  const [actions, organisations] = await Promise.all([
    actionIds.length ? dataSource.getRepository(Action).find({ where: { id: In(actionIds) } }) : [],
    organisationIds.length ? dataSource.getRepository(Organisation).find({ where: { id: In(organisationIds) } }) : [],
  ]);
  const actionById = new Map(actions.map((action) => [action.id, action]));
  const organisationById = new Map(organisations.map((organisation) => [organisation.id, organisation]));
  return {
    contract: { code: contract.code, name: contract.name },
    meeting: { id: meeting.id, body: meeting.body, heldOn: meeting.heldOn, title: meeting.title, place: meeting.place },
    members: members.map((member) => ({
      organisation: member.organisationId === null ? null : (organisationById.get(member.organisationId)?.name ?? null),
      name: member.name,
    })),
    agenda: agenda.map((item) => ({ code: actionById.get(item.actionId)!.code, title: actionById.get(item.actionId)!.title })),
    decisions: decisions.map((decision) => {
      const action = decision.actionId === null ? undefined : actionById.get(decision.actionId);
      return { actionCode: action?.code ?? null, actionTitle: action?.title ?? null, kind: decision.kind, text: decision.text, dueOn: decision.dueOn };
    }),
    review,
    previousCopil: previous ? { heldOn: previous.heldOn, title: previous.title, changes: reviewChanges(parseSnapshot(previous.reviewJson), review) } : null,
  };
}

/** The COPIL held before `meeting` (the same day: recorded before it), found when the document is made: editing or deleting a meeting moves it. */
async function previousCopil(dataSource: DataSource, meeting: Meeting): Promise<Meeting | null> {
  const repository = dataSource.getRepository(Meeting);
  const where = { contractId: meeting.contractId, body: MeetingBody.COPIL };
  const sameDay = await repository.findOne({ where: { ...where, heldOn: meeting.heldOn, id: LessThan(meeting.id) }, order: { id: 'DESC' } });
  return sameDay ?? repository.findOne({ where: { ...where, heldOn: LessThan(meeting.heldOn) }, order: { heldOn: 'DESC', id: 'DESC' } });
}
