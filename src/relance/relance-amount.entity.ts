import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { DecimalScalar } from '../common/decimal.scalar';
import { moneyColumn } from '../sql/column-types';
import { FundingInstrument } from '../kernel/funding.enum';
import { RelanceAmountKind } from '../kernel/relance-amount-kind.enum';
import { RelanceMeasure } from './relance-measure.entity';

@ObjectType({ description: 'Montant d’une mesure du plan de relance, avec sa cellule d’origine.' })
@Entity('relance_amount')
export class RelanceAmount {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  measureId: number;

  @ManyToOne(() => RelanceMeasure, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'measure_id' })
  measure: Relation<RelanceMeasure>;

  @Field(() => RelanceAmountKind)
  @Column({ type: 'varchar', length: 12 })
  kind: RelanceAmountKind;

  @Field(() => FundingInstrument)
  @Column({ type: 'varchar', length: 12 })
  instrument: FundingInstrument;

  @Field(() => DecimalScalar)
  @Column(moneyColumn())
  amount: string;

  @Field(() => Int, { nullable: true })
  @Column({ type: 'integer', nullable: true })
  year: number | null;

  @Field()
  @Column({ type: 'boolean', default: false })
  approximate: boolean;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  rawValue: string | null;

  @Field(() => String, { nullable: true, description: 'Feuille de la cellule lue' })
  @Column({ type: 'varchar', length: 100, nullable: true })
  sourceSheet: string | null;

  @Field(() => String, { nullable: true, description: 'Cellule lue, par exemple C10' })
  @Column({ type: 'varchar', length: 20, nullable: true })
  sourceCell: string | null;
}
