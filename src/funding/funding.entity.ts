import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { Action } from '../action/action.entity';
import { DecimalScalar } from '../common/decimal.scalar';
import { moneyColumn, timestampColumn } from '../sql/column-types';
import { Contract } from '../contract/contract.entity';
import { ImportBatch } from '../provenance/import-batch.entity';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { CostBase, FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { CreditNature } from '../kernel/credit-nature.enum';

/** One fact: a funder's amount for a year and a stage, with the cell it came from. */
@ObjectType({ description: 'Ligne de financement : un montant d’un financeur, pour une année et une étape.' })
@Entity('funding')
@Index('idx_funding_contract_year', ['contractId', 'year'])
// A contract's current lines of a stage, whatever the history its re-imports kept (migration 1765411200000).
@Index('idx_funding_contract_current', ['contractId', 'supersededAt', 'stage', 'year'])
// (action, funder, year, stage, current): the visibility rule's lookup of the funder's own declaration.
@Index('idx_funding_fact_current', ['actionId', 'funderId', 'year', 'stage', 'supersededAt'])
@Index('idx_funding_funder', ['funderId'])
@Index('idx_funding_batch', ['batchId'])
@Index('idx_funding_source_kind', ['sourceId', 'importKind'])
export class Funding {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  /** Empty for territory-level allocations (DETR received by an EPCI). */
  @Column({ type: 'integer', nullable: true })
  actionId: number | null;

  @ManyToOne(() => Action, { nullable: true, onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'action_id' })
  action: Relation<Action> | null;

  @Column({ type: 'integer' })
  funderId: number;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'funder_id' })
  funder: Relation<Organisation>;

  @Column({ type: 'integer', nullable: true })
  programmeId: number | null;

  @ManyToOne(() => Programme, { nullable: true, onDelete: 'RESTRICT', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'programme_id' })
  programme: Relation<Programme> | null;

  @Column({ type: 'integer', nullable: true })
  beneficiaryId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'RESTRICT', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'beneficiary_id' })
  beneficiary: Relation<Organisation> | null;

  @Field(() => Int)
  @Column({ type: 'integer' })
  year: number;

  @Field(() => DecimalScalar)
  @Column(moneyColumn())
  amount: string;

  @Field(() => FundingStage)
  @Column({ type: 'varchar', length: 12 })
  stage: FundingStage;

  @Field(() => FundingInstrument)
  @Column({ type: 'varchar', length: 12 })
  instrument: FundingInstrument;

  @Field(() => CostBase, { nullable: true })
  @Column({ type: 'varchar', length: 3, nullable: true })
  costBase: CostBase | null;

  /** Relance, contractualised or valorised credits (migration CreditNature1765324800000); null when the source does not say. */
  @Field(() => CreditNature, { nullable: true, description: 'Nature des crédits (France Relance, contractualisés, valorisés) ; vide quand la source ne le dit pas' })
  @Column({ type: 'varchar', length: 16, nullable: true })
  creditNature: CreditNature | null;

  @Field({ description: 'Montant approximatif dans la source (« environ »)' })
  @Column({ type: 'boolean', default: false })
  approximate: boolean;

  /** Who declared this figure (the organisation that sent the file): decides conflicts between sources. */
  @Column({ type: 'integer', nullable: true })
  sourceId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'RESTRICT', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'source_id' })
  source: Relation<Organisation> | null;

  /** The kind of file it came from: a re-import replaces lines of the same source and kind only. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  importKind: string | null;

  // Lineage: the batch and the exact cell this figure came from.
  @Column({ type: 'integer', nullable: true })
  batchId: number | null;

  @ManyToOne(() => ImportBatch, { nullable: true, onDelete: 'RESTRICT', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'batch_id' })
  batch: Relation<ImportBatch> | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sourceSheet: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  sourceCell: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  rawValue: string | null;

  /** Set when a later batch from the same source replaced this line; kept for history and rollback. */
  @Column({ type: 'integer', nullable: true })
  supersededByBatchId: number | null;

  @ManyToOne(() => ImportBatch, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'superseded_by_batch_id' })
  supersededByBatch: Relation<ImportBatch> | null;

  @Column(timestampColumn({ nullable: true }))
  supersededAt: Date | null;

  @Field()
  @Column(timestampColumn())
  createdAt: Date;

  /**
   * Set on the lines of fundings(asOf), and of an action read in a tree dated asOf: their action is
   * answered as it stood then (its orientation then). Not a column.
   */
  structureAsOf?: Date;
}
