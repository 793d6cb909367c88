import { Entity, JoinColumn, ManyToOne, PrimaryColumn, Relation } from 'typeorm';
import { Organisation } from '../organisation/organisation.entity';
import { Action } from './action.entity';

/** The communes where an action takes place. */
@Entity('action_commune')
export class ActionCommune {
  @PrimaryColumn({ type: 'integer' })
  actionId: number;

  @ManyToOne(() => Action, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'action_id' })
  action: Relation<Action>;

  @PrimaryColumn({ type: 'integer' })
  organisationId: number;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation>;
}
