import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Organisation } from '../organisation/organisation.entity';

@ObjectType({ description: 'Dispositif de financement : DETR, DSIL, Fonds vert, FEDER…' })
@Entity('programme')
@Unique('uq_programme_code', ['code'])
export class Programme {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Field()
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Field()
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'integer', nullable: true })
  operatorId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'operator_id' })
  operator: Relation<Organisation> | null;
}
