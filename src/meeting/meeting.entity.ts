import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { Action } from '../action/action.entity';
import { Contract } from '../contract/contract.entity';
import { MeetingBody } from '../kernel/meeting-body.enum';
import { Organisation } from '../organisation/organisation.entity';
import { timestampColumn } from '../sql/column-types';

/**
 * A COTECH or COPIL of a contract. The review the meeting looked at is frozen on the row (review_json):
 * the progress figures as they stood at review_as_of, so that next year's dashboard compares with what was
 * shown, whatever was imported or corrected since.
 */
@ObjectType({ description: 'Une instance de pilotage du contrat (COTECH ou COPIL) : sa date, ses membres présents, son ordre du jour et ses décisions.' })
@Entity('meeting')
@Index('idx_meeting_contract_held', ['contractId', 'heldOn'])
export class Meeting {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Field(() => MeetingBody)
  @Column({ type: 'varchar', length: 10 })
  body: MeetingBody;

  @Field({ description: 'Date de la réunion (AAAA-MM-JJ)' })
  @Column({ type: 'date' })
  heldOn: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 500, nullable: true })
  title: string | null;

  @Field(() => String, { nullable: true, description: 'Lieu de la réunion' })
  @Column({ type: 'varchar', length: 255, nullable: true })
  place: string | null;

  @Field({ description: 'Qui l’a enregistrée : le nom du jeton' })
  @Column({ type: 'varchar', length: 255 })
  createdByName: string;

  /** The organisation of the token that recorded it, if it has one. */
  @Column({ type: 'integer', nullable: true })
  createdByOrganisationId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'created_by_organisation_id' })
  createdByOrganisation: Relation<Organisation> | null;

  @Field({ description: 'Quand elle a été enregistrée (UTC)' })
  @Column(timestampColumn())
  createdAt: Date;

  /** The moment the frozen review stands at (asOf): the end of the meeting's day, or the recording when earlier. */
  @Column(timestampColumn())
  reviewAsOf: Date;

  /** The review's year (funding up to that year), null for the whole contract. */
  @Column({ type: 'integer', nullable: true })
  reviewYear: number | null;

  /** The frozen review, JSON of meeting-review.ts's ReviewSnapshot (exact decimal strings). */
  @Column({ type: 'text' })
  reviewJson: string;
}

@ObjectType({ description: 'Un membre présent : une organisation et/ou une personne.' })
@Entity('meeting_member')
@Index('idx_meeting_member_meeting', ['meetingId'])
export class MeetingMember {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  meetingId: number;

  @ManyToOne(() => Meeting, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'meeting_id' })
  meeting: Relation<Meeting>;

  @Column({ type: 'integer', nullable: true })
  organisationId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation> | null;

  @Field(() => String, { nullable: true, description: 'La personne présente (« Mme Dupont, sous-préfète »), s’il y en a une' })
  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  /** Order of the list as given. */
  @Column({ type: 'integer' })
  position: number;
}

@ObjectType({ description: 'Une fiche action à l’ordre du jour.' })
@Entity('meeting_agenda_item')
@Index('uq_meeting_agenda_action', ['meetingId', 'actionId'], { unique: true })
export class MeetingAgendaItem {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  meetingId: number;

  @ManyToOne(() => Meeting, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'meeting_id' })
  meeting: Relation<Meeting>;

  @Column({ type: 'integer' })
  actionId: number;

  @ManyToOne(() => Action, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'action_id' })
  action: Relation<Action>;

  @Field(() => Int, { description: 'Rang dans l’ordre du jour (1, 2…)' })
  @Column({ type: 'integer' })
  position: number;
}
