import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { clearLoaders } from '../request/clear-loaders';
import { recordAudit } from '../audit/audit.service';
import { requireAdmin } from '../request/authorisation';
import { RequestContext } from '../request/context';
import { Decision } from './decision.entity';
import { Meeting } from './meeting.entity';
import { addDecision, createMeeting, deleteMeeting, removeDecision, updateDecision, updateMeeting } from './meeting.service';
import { AddDecisionInput, CreateMeetingInput, UpdateDecisionInput, UpdateMeetingInput } from './meeting.types';

/** The contract team's: the same rule as the contract's structure (createContract, createAxis), administrators. */
const WHY = 'tenir les instances de pilotage d’un contrat (réunions et décisions)';

@Resolver()
export class MeetingMutations {
  @Mutation(() => Meeting, {
    description:
      'Enregistre un COTECH ou un COPIL : date, membres présents, ordre du jour (codes des fiches actions). La revue annuelle est figée avec la réunion : les chiffres d’avancement à la fin du jour de la réunion (asOf). Réservé aux administrateurs.',
  })
  async createMeeting(@Arg('input', () => CreateMeetingInput) input: CreateMeetingInput, @Ctx() ctx: RequestContext): Promise<Meeting> {
    const identity = requireAdmin(ctx, WHY);
    const meeting = await createMeeting({ dataSource: ctx.dataSource, identity }, input, (manager, m) =>
      recordAudit(manager, identity, {
        action: 'MEETING_CREATE',
        target: { kind: 'meeting', id: m.id },
        detail: { contract: input.contract, body: m.body, heldOn: m.heldOn, agenda: input.agenda ?? [], reviewAsOf: m.reviewAsOf.toISOString() },
      }),
    );
    clearLoaders(ctx);
    return meeting;
  }

  @Mutation(() => Decision, {
    description: 'Ajoute une décision à une réunion : sur une fiche action de son contrat (validée, reportée, abandonnée, modifiée, mesure corrective) ou sur le contrat (demande d’avenant). Réservé aux administrateurs.',
  })
  async addDecision(@Arg('input', () => AddDecisionInput) input: AddDecisionInput, @Ctx() ctx: RequestContext): Promise<Decision> {
    const identity = requireAdmin(ctx, WHY);
    const decision = await addDecision({ dataSource: ctx.dataSource, identity }, input, (manager, d) =>
      recordAudit(manager, identity, { action: 'DECISION_CREATE', target: { kind: 'decision', id: d.id }, detail: { meeting: d.meetingId, action: input.action ?? null, kind: d.kind } }),
    );
    clearLoaders(ctx);
    return decision;
  }

  @Mutation(() => Meeting, {
    description:
      'Corrige une réunion (date, instance, intitulé, lieu, membres, ordre du jour) : seuls les champs donnés changent. Une nouvelle date fige de nouveau la revue à cette date. Réservé aux administrateurs.',
  })
  async updateMeeting(@Arg('input', () => UpdateMeetingInput) input: UpdateMeetingInput, @Ctx() ctx: RequestContext): Promise<Meeting> {
    const identity = requireAdmin(ctx, WHY);
    const edit = await updateMeeting({ dataSource: ctx.dataSource, identity }, input, (manager, e) =>
      recordAudit(manager, identity, {
        action: 'MEETING_UPDATE',
        target: { kind: 'meeting', id: e.meeting.id },
        detail: {
          contract: e.contract,
          changed: e.changed,
          heldOn: e.meeting.heldOn,
          ...(e.before.heldOn === e.meeting.heldOn ? {} : { heldOnBefore: e.before.heldOn }),
          ...(e.changed.includes('reviewAsOf') ? { reviewAsOfBefore: e.before.reviewAsOf, reviewAsOf: e.meeting.reviewAsOf.toISOString() } : {}),
        },
      }),
    );
    clearLoaders(ctx);
    return edit.meeting;
  }

  @Mutation(() => Boolean, { description: 'Supprime une réunion enregistrée par erreur, avec ses membres, son ordre du jour et ses décisions. Réservé aux administrateurs.' })
  async deleteMeeting(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    const identity = requireAdmin(ctx, WHY);
    const deleted = await deleteMeeting({ dataSource: ctx.dataSource, identity }, id, (manager, d) =>
      recordAudit(manager, identity, {
        action: 'MEETING_DELETE',
        target: { kind: 'meeting', id: d.meeting.id },
        detail: { contract: d.contract, body: d.meeting.body, heldOn: d.meeting.heldOn, title: d.meeting.title, decisions: d.decisions, reviewAsOf: d.meeting.reviewAsOf.toISOString() },
      }),
    );
    clearLoaders(ctx);
    return deleted;
  }

  @Mutation(() => Decision, { description: 'Corrige une décision (fiche action, nature, texte, échéance) : seuls les champs donnés changent. Réservé aux administrateurs.' })
  async updateDecision(@Arg('input', () => UpdateDecisionInput) input: UpdateDecisionInput, @Ctx() ctx: RequestContext): Promise<Decision> {
    const identity = requireAdmin(ctx, WHY);
    const decision = await updateDecision({ dataSource: ctx.dataSource, identity }, input, (manager, u) =>
      recordAudit(manager, identity, { action: 'DECISION_UPDATE', target: { kind: 'decision', id: u.decision.id }, detail: { meeting: u.decision.meetingId, changed: u.changed } }),
    );
    clearLoaders(ctx);
    return decision;
  }

  @Mutation(() => Boolean, { description: 'Retire une décision enregistrée par erreur. Réservé aux administrateurs.' })
  async removeDecision(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    const identity = requireAdmin(ctx, WHY);
    const removed = await removeDecision({ dataSource: ctx.dataSource, identity }, id, (manager, d) =>
      recordAudit(manager, identity, { action: 'DECISION_DELETE', target: { kind: 'decision', id: d.id }, detail: { meeting: d.meetingId, kind: d.kind, actionId: d.actionId, text: d.text.slice(0, 200) } }),
    );
    clearLoaders(ctx);
    return removed;
  }
}
