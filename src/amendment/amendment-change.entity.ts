import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { AmendmentChangeKind } from '../kernel/amendment-change-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { Amendment } from './amendment.entity';

/** The changes whose earlier state the current rows no longer hold, so kept here. */
export type RecordedChangeKind =
  | AmendmentChangeKind.RENAME_AXIS
  | AmendmentChangeKind.RENAME_ORIENTATION
  | AmendmentChangeKind.MOVE_ACTION
  | AmendmentChangeKind.ADD_COMMUNE
  | AmendmentChangeKind.REMOVE_COMMUNE
  | AmendmentChangeKind.ADD_EPCI
  | AmendmentChangeKind.REMOVE_EPCI;

/**
 * One dated change of an amendment, in one history table (axes and orientations added or closed carry their
 * own dates: axis/orientation valid_from, closed_on):
 * - RENAME_AXIS / RENAME_ORIENTATION: axis_id or orientation_id, the title it replaced (previous_title) and
 *   the new one; the title at a date is the previous title of the first rename after it;
 * - MOVE_ACTION: action_id, from_orientation_id (null: « à classer » before) and orientation_id, where it
 *   went; where an action was at a date is the `from` of its first move after it (action-placement.ts);
 * - ADD_COMMUNE / REMOVE_COMMUNE: organisation_id, a commune entering or leaving the perimeter;
 * - ADD_EPCI / REMOVE_EPCI: organisation_id, an EPCI entering or leaving it with its communes (the current
 *   contract_party rows are today's EPCIs; the perimeter at a date is replayed: perimeter-history.ts).
 * Only the amendment has a foreign key (its rows go with it, and with the contract): the other ids name rows
 * that are deleted only with their contract — an import's rollback keeps what this history names.
 */
@Entity('amendment_change')
@Index('idx_amendment_change_action', ['actionId', 'effectiveOn'])
@Index('idx_amendment_change_axis', ['axisId', 'effectiveOn'])
@Index('idx_amendment_change_orientation', ['orientationId', 'effectiveOn'])
@Index('idx_amendment_change_commune', ['contractId', 'organisationId'])
export class AmendmentChangeRow {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  amendmentId: number;

  @ManyToOne(() => Amendment, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'amendment_id' })
  amendment: Relation<Amendment>;

  @Column({ type: 'integer' })
  contractId: number;

  @Column({ type: 'varchar', length: 20 })
  kind: RecordedChangeKind;

  /** The amendment's date of signature, from which the change is in force. */
  @Column({ type: 'date' })
  effectiveOn: string;

  @Column({ type: 'integer', nullable: true })
  axisId: number | null;

  @Column({ type: 'integer', nullable: true })
  orientationId: number | null;

  @Column({ type: 'integer', nullable: true })
  actionId: number | null;

  @Column({ type: 'integer', nullable: true })
  fromOrientationId: number | null;

  @Column({ type: 'integer', nullable: true })
  organisationId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation> | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  previousTitle: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  title: string | null;
}
