import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { Action } from '../action/action.entity';
import { DecisionKind } from '../kernel/decision-kind.enum';
import { timestampColumn } from '../sql/column-types';
import { Meeting } from './meeting.entity';

/**
 * A decision of a COTECH or COPIL: about a fiche action (validated, postponed, abandoned, changed, a
 * corrective measure) or about the contract itself (a request to amend it: no action).
 * An action deleted later (an import rolled back) leaves the decision, without its action: the relevé
 * de décisions stays as it was taken.
 */
@ObjectType({ description: 'Une décision prise par une instance de pilotage, sur une fiche action ou sur le contrat.' })
@Entity('decision')
@Index('idx_decision_meeting', ['meetingId'])
@Index('idx_decision_action', ['actionId'])
export class Decision {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  meetingId: number;

  @ManyToOne(() => Meeting, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'meeting_id' })
  meeting: Relation<Meeting>;

  @Column({ type: 'integer', nullable: true })
  actionId: number | null;

  @ManyToOne(() => Action, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'action_id' })
  action: Relation<Action> | null;

  @Field(() => DecisionKind)
  @Column({ type: 'varchar', length: 30 })
  kind: DecisionKind;

  @Field({ description: 'Le texte de la décision, tel que le relevé l’écrit' })
  @Column({ type: 'text' })
  text: string;

  @Field(() => String, { nullable: true, description: 'Échéance (AAAA-MM-JJ), pour un report ou une mesure corrective' })
  @Column({ type: 'date', nullable: true })
  dueOn: string | null;

  @Field()
  @Column(timestampColumn())
  createdAt: Date;
}
