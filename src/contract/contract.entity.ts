import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { timestampColumn } from '../sql/column-types';

@ObjectType({ description: 'Un CRTE : sa stratégie, son périmètre et ses financements.' })
@Entity('contract')
@Unique('uq_contract_code', ['code'])
export class Contract {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Field({ description: 'Code stable du contrat, ex. CRTE-DOUAISIS' })
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Field()
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Field(() => String, { nullable: true, description: 'Date de signature (AAAA-MM-JJ)' })
  @Column({ type: 'date', nullable: true })
  signedOn: string | null;

  @Field(() => Int)
  @Column({ type: 'integer' })
  startYear: number;

  @Field(() => Int)
  @Column({ type: 'integer' })
  endYear: number;

  @Column(timestampColumn())
  createdAt: Date;

  @Column(timestampColumn())
  updatedAt: Date;
}
