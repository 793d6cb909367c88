import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Action } from '../action/action.entity';
import { Contract } from '../contract/contract.entity';
import { findReadableContract } from '../contract/contract.lookups';
import { requireContractAccess } from '../request/authorisation';
import { DECISION_KIND_LABELS } from '../kernel/french-labels';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { Decision } from './decision.entity';
import { Meeting, MeetingAgendaItem, MeetingMember } from './meeting.entity';
import { reviewChanges } from './meeting-review';
import { currentSnapshot, lastCopil, meetingById, meetingsOf, reviewOf } from './meeting.service';
import { MeetingReview, ReviewChanges } from './meeting.types';

/** The review export's address (workbook or PDF): the dashboard links both. */
export function reviewExportPath(contractCode: string, meetingId: number, format: 'xlsx' | 'pdf' = 'xlsx'): string {
  return `/api/contracts/${encodeURIComponent(contractCode)}/meetings/${meetingId}/review.${format}`;
}

async function changesSince(ctx: RequestContext, meeting: Meeting): Promise<ReviewChanges> {
  const contract = (await ctx.loaders.contractById.load(meeting.contractId))!;
  const before = reviewOf(meeting);
  return { meeting, ...reviewChanges(before, await currentSnapshot(ctx.dataSource, contract.code, before.year)) };
}

@Resolver(() => Meeting)
export class MeetingResolver {
  @Query(() => [Meeting], { description: 'Les COTECH et COPIL d’un contrat, par date.' })
  async meetings(@Arg('contract', { description: 'Code du contrat' }) contract: string, @Ctx() ctx: RequestContext): Promise<Meeting[]> {
    await findReadableContract(ctx, contract);
    return meetingsOf(ctx.dataSource, contract);
  }

  @Query(() => Meeting, { nullable: true })
  async meeting(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Meeting | null> {
    const meeting = await meetingById(ctx.dataSource, id);
    // Another contract's meeting is refused as its contract would be (src/auth/contract-scope.ts).
    if (meeting) requireContractAccess(ctx, (await ctx.loaders.contractById.load(meeting.contractId))!);
    return meeting;
  }

  @Query(() => ReviewChanges, {
    nullable: true,
    description:
      'Ce qui a changé depuis le dernier COPIL du contrat : les chiffres d’avancement d’aujourd’hui moins ceux de sa revue figée, par axe et orientation, exacts au centime. Vide tant qu’aucun COPIL n’est enregistré.',
  })
  async changesSinceLastCopil(@Arg('contract', { description: 'Code du contrat' }) contract: string, @Ctx() ctx: RequestContext): Promise<ReviewChanges | null> {
    await findReadableContract(ctx, contract);
    const meeting = await lastCopil(ctx.dataSource, contract);
    return meeting ? changesSince(ctx, meeting) : null;
  }

  @FieldResolver(() => Contract)
  async contract(@Root() meeting: Meeting, @Ctx() { loaders }: RequestContext): Promise<Contract> {
    return (await loaders.contractById.load(meeting.contractId))!;
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'L’organisation du jeton qui l’a enregistrée' })
  createdByOrganisation(@Root() meeting: Meeting, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> | null {
    return meeting.createdByOrganisationId === null ? null : loaders.organisationById.load(meeting.createdByOrganisationId);
  }

  @FieldResolver(() => [MeetingMember], { description: 'Les membres présents, dans l’ordre donné' })
  members(@Root() meeting: Meeting, @Ctx() { loaders }: RequestContext): Promise<MeetingMember[]> {
    return loaders.membersByMeeting.load(meeting.id);
  }

  @FieldResolver(() => [MeetingAgendaItem], { description: 'L’ordre du jour : les fiches actions examinées' })
  agenda(@Root() meeting: Meeting, @Ctx() { loaders }: RequestContext): Promise<MeetingAgendaItem[]> {
    return loaders.agendaByMeeting.load(meeting.id);
  }

  @FieldResolver(() => [Decision], { description: 'Le relevé de décisions' })
  decisions(@Root() meeting: Meeting, @Ctx() { loaders }: RequestContext): Promise<Decision[]> {
    return loaders.decisionsByMeeting.load(meeting.id);
  }

  @FieldResolver(() => MeetingReview, { description: 'La revue annuelle figée avec la réunion' })
  review(@Root() meeting: Meeting): MeetingReview {
    const snapshot = reviewOf(meeting);
    return { ...snapshot, asOf: new Date(snapshot.asOf) };
  }

  @FieldResolver(() => ReviewChanges, { description: 'Ce qui a changé depuis cette revue : aujourd’hui moins la revue figée' })
  changesSince(@Root() meeting: Meeting, @Ctx() ctx: RequestContext): Promise<ReviewChanges> {
    return changesSince(ctx, meeting);
  }

  @FieldResolver(() => String, { description: 'Le relevé de décisions et la revue figée en classeur xlsx, à transmettre' })
  async reviewExportUrl(@Root() meeting: Meeting, @Ctx() { loaders }: RequestContext): Promise<string> {
    return reviewExportPath((await loaders.contractById.load(meeting.contractId))!.code, meeting.id);
  }

  @FieldResolver(() => String, { description: 'Le même relevé en PDF (A4), à transmettre' })
  async reviewPdfUrl(@Root() meeting: Meeting, @Ctx() { loaders }: RequestContext): Promise<string> {
    return reviewExportPath((await loaders.contractById.load(meeting.contractId))!.code, meeting.id, 'pdf');
  }
}

@Resolver(() => MeetingMember)
export class MeetingMemberResolver {
  @FieldResolver(() => Organisation, { nullable: true, description: 'L’organisation représentée' })
  organisation(@Root() member: MeetingMember, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> | null {
    return member.organisationId === null ? null : loaders.organisationById.load(member.organisationId);
  }
}

@Resolver(() => MeetingAgendaItem)
export class MeetingAgendaItemResolver {
  @FieldResolver(() => Action)
  async action(@Root() item: MeetingAgendaItem, @Ctx() { loaders }: RequestContext): Promise<Action> {
    return (await loaders.actionById.load(item.actionId))!;
  }
}

@Resolver(() => Decision)
export class DecisionResolver {
  @FieldResolver(() => Meeting, { description: 'La réunion qui l’a prise' })
  async meeting(@Root() decision: Decision, @Ctx() { loaders }: RequestContext): Promise<Meeting> {
    return (await loaders.meetingById.load(decision.meetingId))!;
  }

  @FieldResolver(() => Action, { nullable: true, description: 'La fiche action concernée ; vide pour une décision sur le contrat' })
  action(@Root() decision: Decision, @Ctx() { loaders }: RequestContext): Promise<Action | null> | null {
    return decision.actionId === null ? null : loaders.actionById.load(decision.actionId);
  }

  @FieldResolver(() => String, { description: 'La nature en toutes lettres : Validée, Reportée, Abandonnée, Modifiée, Mesure corrective, Demande d’avenant' })
  kindLabel(@Root() decision: Decision): string {
    return DECISION_KIND_LABELS[decision.kind];
  }
}

/** Beside the decisions' table: an action's page shows how its COTECH and COPIL decided. */
@Resolver(() => Action)
export class ActionDecisionsResolver {
  @FieldResolver(() => [Decision], { description: 'Les décisions des COTECH et COPIL sur cette action, de la plus ancienne réunion à la plus récente' })
  decisions(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Decision[]> {
    return loaders.decisionsByAction.load(action.id);
  }
}
