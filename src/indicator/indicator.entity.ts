import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Action } from '../action/action.entity';
import { quantityColumn, timestampColumn } from '../sql/column-types';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';

@ObjectType({ description: 'Indicateur de suivi d’une action ou d’une orientation.' })
@Entity('indicator')
@Unique('uq_indicator_contract_code', ['contractId', 'code'])
export class Indicator {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Column({ type: 'integer', nullable: true })
  actionId: number | null;

  @ManyToOne(() => Action, { nullable: true, onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'action_id' })
  action: Relation<Action> | null;

  @Column({ type: 'integer', nullable: true })
  orientationId: number | null;

  @ManyToOne(() => Orientation, { nullable: true, onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'orientation_id' })
  orientation: Relation<Orientation> | null;

  @Field()
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Field()
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Field({ description: 'Unité : km, logements, tCO2e, %…' })
  @Column({ type: 'varchar', length: 40 })
  unit: string;

  @Field(() => String, { nullable: true, description: 'Valeur de référence (nombre décimal exact)' })
  @Column(quantityColumn({ nullable: true }))
  baseline: string | null;

  @Field(() => String, { nullable: true, description: 'Valeur cible (nombre décimal exact)' })
  @Column(quantityColumn({ nullable: true }))
  target: string | null;

  @Field(() => Int, { nullable: true })
  @Column({ type: 'integer', nullable: true })
  targetYear: number | null;

  @Column(timestampColumn())
  createdAt: Date;

  @Column(timestampColumn())
  updatedAt: Date;
}
