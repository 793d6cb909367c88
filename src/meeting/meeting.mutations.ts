import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { clearLoaders } from '../action/action.mutations';
import { recordAudit } from '../audit/audit.service';
import { requireAdmin } from '../request/authorisation';
import { RequestContext } from '../request/context';
import { Decision } from './decision.entity';
import { Meeting } from './meeting.entity';
import { addDecision, createMeeting } from './meeting.service';
import { AddDecisionInput, CreateMeetingInput } from './meeting.types';

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
}
