import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { timestampColumn } from '../sql/column-types';
import { Contract } from '../contract/contract.entity';
import { ImportBatch } from '../provenance/import-batch.entity';

/** A measure of the recovery plan on the territory (annex 2), with its cells kept verbatim. */
@ObjectType({ description: 'Mesure du plan de relance (annexe 2).' })
@Entity('relance_measure')
export class RelanceMeasure {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Column({ type: 'integer', nullable: true })
  batchId: number | null;

  @ManyToOne(() => ImportBatch, { nullable: true, onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'batch_id' })
  batch: Relation<ImportBatch> | null;

  @Field({ description: 'Numéro du volet en chiffres romains (I … VII)' })
  @Column({ type: 'varchar', length: 8 })
  voletNumber: string;

  @Field()
  @Column({ type: 'varchar', length: 255 })
  voletTitle: string;

  @Field()
  @Column({ type: 'varchar', length: 500 })
  name: string;

  @Field(() => String, { nullable: true, description: 'Bénéficiaires ou projet, tels qu’écrits' })
  @Column({ type: 'text', nullable: true })
  beneficiaries: string | null;

  /** The measure's cells as written (JSON object keyed by column label). */
  @Column({ type: 'text', nullable: true })
  rawTexts: string | null;

  @Field(() => Int)
  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sourceSheet: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  sourceCell: string | null;

  @Column(timestampColumn({ nullable: true }))
  supersededAt: Date | null;

  @Column(timestampColumn())
  createdAt: Date;
}
