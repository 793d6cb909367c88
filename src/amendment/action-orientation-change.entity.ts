import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { Action } from '../action/action.entity';
import { Orientation } from '../contract/orientation.entity';
import { Amendment } from './amendment.entity';

/**
 * A move of an action to another orientation by an amendment. action.orientation_id is where it is now;
 * where it was at a date is the `from` of its first move after that date (action-placement.ts).
 */
@Entity('action_orientation_change')
@Index('idx_action_move_action', ['actionId', 'effectiveOn'])
export class ActionOrientationChange {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  amendmentId: number;

  @ManyToOne(() => Amendment, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'amendment_id' })
  amendment: Relation<Amendment>;

  @Column({ type: 'integer' })
  actionId: number;

  @ManyToOne(() => Action, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'action_id' })
  action: Relation<Action>;

  @Column({ type: 'date' })
  effectiveOn: string;

  /** Null: the action was « à classer » before the move. */
  @Column({ type: 'integer', nullable: true })
  fromOrientationId: number | null;

  @ManyToOne(() => Orientation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'from_orientation_id' })
  fromOrientation: Relation<Orientation> | null;

  @Column({ type: 'integer', nullable: true })
  toOrientationId: number | null;

  @ManyToOne(() => Orientation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'to_orientation_id' })
  toOrientation: Relation<Orientation> | null;
}
