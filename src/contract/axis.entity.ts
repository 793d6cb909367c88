import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Contract } from './contract.entity';

@ObjectType({ description: 'Axe stratégique du contrat (1 à 4 pour le Douaisis).' })
@Entity('axis')
@Unique('uq_axis_contract_number', ['contractId', 'number'])
export class Axis {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Field(() => Int)
  @Column({ type: 'integer' })
  number: number;

  @Field()
  @Column({ type: 'varchar', length: 500 })
  title: string;
}
