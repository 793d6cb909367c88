import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../common/decimal.scalar';
import { DecisionKind } from '../kernel/decision-kind.enum';
import { MeetingBody } from '../kernel/meeting-body.enum';
import { ProgressFigures } from '../progress/progress.types';
import { Meeting } from './meeting.entity';

// ---------------------------------------------------------------------------------------------------
// Inputs.

@InputType({ description: 'Un membre présent : une organisation (SIREN, nom ou sigle), une personne, ou les deux.' })
export class MeetingMemberInput {
  @Field(() => String, { nullable: true, description: 'L’organisation représentée : SIREN, nom exact, sigle ou graphie connue' })
  organisation?: string | null;

  @Field(() => String, { nullable: true, description: 'La personne présente (« Mme Dupont, sous-préfète »)' })
  name?: string | null;
}

@InputType()
export class CreateMeetingInput {
  @Field({ description: 'Code du contrat' })
  contract: string;

  @Field(() => MeetingBody)
  body: MeetingBody;

  @Field({ description: 'Date de la réunion (AAAA-MM-JJ)' })
  heldOn: string;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Lieu' })
  place?: string | null;

  @Field(() => [MeetingMemberInput], { nullable: true, description: 'Les membres présents' })
  members?: MeetingMemberInput[] | null;

  @Field(() => [String], { nullable: true, description: 'L’ordre du jour : les codes des fiches actions, dans l’ordre' })
  agenda?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Année de la revue figée (financements jusqu’à cette année) ; sans elle, tout le contrat' })
  reviewYear?: number | null;
}

@InputType()
export class AddDecisionInput {
  @Field(() => ID, { description: 'La réunion qui prend la décision' })
  meeting: string;

  @Field(() => String, { nullable: true, description: 'Code de la fiche action concernée ; sans action, une décision sur le contrat (demande d’avenant, mesure corrective générale)' })
  action?: string | null;

  @Field(() => DecisionKind)
  kind: DecisionKind;

  @Field()
  text: string;

  @Field(() => String, { nullable: true, description: 'Échéance (AAAA-MM-JJ)' })
  dueOn?: string | null;
}

// ---------------------------------------------------------------------------------------------------
// The frozen review.

@ObjectType({ description: 'Une orientation dans la revue figée : son code et son intitulé d’alors, ses chiffres.' })
export class ReviewOrientation {
  @Field()
  code: string;

  @Field()
  title: string;

  @Field(() => ProgressFigures)
  figures: ProgressFigures;
}

@ObjectType({ description: 'Un axe dans la revue figée.' })
export class ReviewAxis extends ReviewOrientation {
  @Field(() => [ReviewOrientation])
  orientations: ReviewOrientation[];
}

@ObjectType({ description: 'La revue annuelle telle que l’instance l’a vue : les chiffres d’avancement figés à asOf (progress(contract, year, asOf) les redonne).' })
export class MeetingReview {
  @Field({ description: 'Le moment dont les chiffres sont : la fin du jour de la réunion (heure de Paris), ou son enregistrement s’il est antérieur' })
  asOf: Date;

  @Field(() => Int, { nullable: true, description: 'Année de la revue : financements jusqu’à cette année incluse ; vide pour tout le contrat' })
  year: number | null;

  @Field(() => ProgressFigures)
  overall: ProgressFigures;

  @Field(() => ProgressFigures, { description: 'Actions sans orientation' })
  unclassified: ProgressFigures;

  @Field(() => [ReviewAxis])
  axes: ReviewAxis[];
}

// ---------------------------------------------------------------------------------------------------
// What changed since a frozen review.

@ObjectType({ description: 'Écart entre les chiffres d’une revue figée et ceux d’aujourd’hui : maintenant moins alors, exact au centime (étape par étape, jamais additionnées).' })
export class FiguresChange {
  @Field(() => ProgressFigures, { description: 'Les chiffres de la revue figée' })
  before: ProgressFigures;

  @Field(() => ProgressFigures, { description: 'Les chiffres d’aujourd’hui' })
  now: ProgressFigures;

  @Field(() => Int)
  actions: number;

  @Field(() => DecimalScalar)
  planned: string;

  @Field(() => DecimalScalar)
  requested: string;

  @Field(() => DecimalScalar)
  granted: string;

  @Field(() => DecimalScalar)
  paid: string;

  @Field(() => String, { nullable: true, description: 'Évolution du taux de réalisation, décimale exacte (« 0.0003 » = 0,03 point) ; vide quand l’un des deux n’est pas calculable' })
  realisationRate: string | null;
}

@ObjectType()
export class OrientationChange {
  @Field()
  code: string;

  @Field()
  title: string;

  @Field(() => FiguresChange)
  change: FiguresChange;
}

@ObjectType()
export class AxisChange extends OrientationChange {
  @Field(() => [OrientationChange])
  orientations: OrientationChange[];
}

@ObjectType({ description: 'Ce qui a changé depuis la revue figée d’une réunion.' })
export class ReviewChanges {
  @Field(() => Meeting, { description: 'La réunion dont la revue sert de référence' })
  meeting: Meeting;

  @Field({ description: 'Le moment des chiffres de référence (MeetingReview.asOf)' })
  since: Date;

  @Field(() => Int, { nullable: true })
  year: number | null;

  @Field(() => FiguresChange)
  overall: FiguresChange;

  @Field(() => FiguresChange)
  unclassified: FiguresChange;

  @Field(() => [AxisChange])
  axes: AxisChange[];
}

// ---------------------------------------------------------------------------------------------------
// Editing. A field left out keeps its value.

@InputType({ description: 'Corrige une réunion : seuls les champs donnés changent. Changer la date (ou l’année de la revue) fige de nouveau la revue à la nouvelle date.' })
export class UpdateMeetingInput {
  @Field(() => ID)
  id: string;

  @Field(() => MeetingBody, { nullable: true })
  body?: MeetingBody | null;

  @Field(() => String, { nullable: true, description: 'Date de la réunion (AAAA-MM-JJ) ; la changer fige de nouveau la revue' })
  heldOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Intitulé ; vide ou null l’efface' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Lieu ; vide ou null l’efface' })
  place?: string | null;

  @Field(() => [MeetingMemberInput], { nullable: true, description: 'Les membres présents : la liste entière, qui remplace la précédente' })
  members?: MeetingMemberInput[] | null;

  @Field(() => [String], { nullable: true, description: 'L’ordre du jour : la liste entière des codes, qui remplace la précédente' })
  agenda?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Année de la revue ; null pour tout le contrat ; la changer fige de nouveau la revue' })
  reviewYear?: number | null;
}

@InputType({ description: 'Corrige une décision : seuls les champs donnés changent.' })
export class UpdateDecisionInput {
  @Field(() => ID)
  id: string;

  @Field(() => String, { nullable: true, description: 'Code de la fiche action concernée ; null pour une décision sur le contrat' })
  action?: string | null;

  @Field(() => DecisionKind, { nullable: true })
  kind?: DecisionKind | null;

  @Field(() => String, { nullable: true })
  text?: string | null;

  @Field(() => String, { nullable: true, description: 'Échéance (AAAA-MM-JJ) ; null l’efface' })
  dueOn?: string | null;
}
