import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { quantityColumn, timestampColumn } from '../sql/column-types';
import { ImportBatch } from '../provenance/import-batch.entity';
import { IndicatorValueStage } from '../kernel/indicator-value-stage.enum';
import { Indicator } from './indicator.entity';

@ObjectType({ description: 'Valeur d’un indicateur pour une année : cible ou réalisé.' })
@Entity('indicator_value')
@Unique('uq_indicator_value', ['indicatorId', 'year', 'stage'])
export class IndicatorValue {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  indicatorId: number;

  @ManyToOne(() => Indicator, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'indicator_id' })
  indicator: Relation<Indicator>;

  @Field(() => Int)
  @Column({ type: 'integer' })
  year: number;

  @Field(() => String, { description: 'Valeur (nombre décimal exact)' })
  @Column(quantityColumn())
  value: string;

  @Field(() => IndicatorValueStage)
  @Column({ type: 'varchar', length: 10 })
  stage: IndicatorValueStage;

  @Column({ type: 'integer', nullable: true })
  batchId: number | null;

  @ManyToOne(() => ImportBatch, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'batch_id' })
  batch: Relation<ImportBatch> | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sourceSheet: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  sourceCell: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  rawValue: string | null;

  @Column(timestampColumn())
  createdAt: Date;

  @Column(timestampColumn())
  updatedAt: Date;
}
