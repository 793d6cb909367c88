import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { Axis } from '../contract/axis.entity';
import { Orientation } from '../contract/orientation.entity';
import { Amendment } from './amendment.entity';

/**
 * A rename by an amendment, of an axis or of an orientation (one of the two ids): the row keeps the title
 * in force now, and the title at a date is the previous title of the first rename after it.
 */
@Entity('structure_title_change')
@Index('idx_title_change_axis', ['axisId', 'effectiveOn'])
@Index('idx_title_change_orientation', ['orientationId', 'effectiveOn'])
export class StructureTitleChange {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  amendmentId: number;

  @ManyToOne(() => Amendment, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'amendment_id' })
  amendment: Relation<Amendment>;

  @Column({ type: 'integer', nullable: true })
  axisId: number | null;

  @ManyToOne(() => Axis, { nullable: true, onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'axis_id' })
  axis: Relation<Axis> | null;

  @Column({ type: 'integer', nullable: true })
  orientationId: number | null;

  @ManyToOne(() => Orientation, { nullable: true, onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'orientation_id' })
  orientation: Relation<Orientation> | null;

  @Column({ type: 'date' })
  effectiveOn: string;

  @Column({ type: 'varchar', length: 500 })
  previousTitle: string;

  @Column({ type: 'varchar', length: 500 })
  title: string;
}
