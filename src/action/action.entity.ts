import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { DecimalScalar } from '../common/decimal.scalar';
import { moneyColumn, timestampColumn } from '../sql/column-types';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { CostBase } from '../kernel/funding.enum';
import { ImportBatch } from '../provenance/import-batch.entity';
import { Organisation } from '../organisation/organisation.entity';
import { ActionStatus } from '../kernel/action-status.enum';

@ObjectType({ description: 'Fiche action du contrat.' })
@Entity('action')
@Unique('uq_action_contract_code', ['contractId', 'code'])
@Index('idx_action_contract_orientation', ['contractId', 'orientationId'])
export class Action {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  /** Empty for an action still "to classify" (a project met in a national grants list, say). */
  @Column({ type: 'integer', nullable: true })
  orientationId: number | null;

  @ManyToOne(() => Orientation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'orientation_id' })
  orientation: Relation<Orientation> | null;

  @Field({ description: 'Code unique dans le contrat, ex. DA-01' })
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Field()
  @Column({ type: 'varchar', length: 500 })
  title: string;

  /** The title normalised, to find an action by title when a file has no code. */
  @Index('idx_action_normalised_title')
  @Column({ type: 'varchar', length: 500 })
  normalisedTitle: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The maître d'ouvrage: the authority for the action's title, cost and status. */
  @Column({ type: 'integer', nullable: true })
  leadId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'lead_id' })
  lead: Relation<Organisation> | null;

  @Field(() => ActionStatus)
  @Column({ type: 'varchar', length: 20 })
  status: ActionStatus;

  @Field(() => DecimalScalar, { nullable: true, description: 'Coût total de l’opération, en euros' })
  @Column(moneyColumn({ nullable: true }))
  totalCost: string | null;

  @Field(() => CostBase, { nullable: true })
  @Column({ type: 'varchar', length: 3, nullable: true })
  costBase: CostBase | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'date', nullable: true })
  startDate: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'date', nullable: true })
  endDate: string | null;

  /** The import that created it, if any: a rollback removes it again when nothing else uses it. */
  @Column({ type: 'integer', nullable: true })
  createdByBatchId: number | null;

  @ManyToOne(() => ImportBatch, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'created_by_batch_id' })
  createdByBatch: Relation<ImportBatch> | null;

  @Field()
  @Column(timestampColumn())
  createdAt: Date;

  @Field()
  @Column(timestampColumn())
  updatedAt: Date;

  /**
   * Set on the actions read in a tree dated asOf (amendment.loaders.ts: orientationId is then the one it
   * had that day): its orientation and its totals are answered at that moment too. Not a column.
   */
  structureAsOf?: Date;
}
