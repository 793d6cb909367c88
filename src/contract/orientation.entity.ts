import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Axis } from './axis.entity';
import { Contract } from './contract.entity';

@ObjectType({ description: 'Orientation stratégique (1.1 … 4.5), déclinaison d’un axe.' })
@Entity('orientation')
@Unique('uq_orientation_contract_code', ['contractId', 'code'])
export class Orientation {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** Repeated from the axis so that codes are unique per contract and filters need no join. */
  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Column({ type: 'integer' })
  axisId: number;

  @ManyToOne(() => Axis, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'axis_id' })
  axis: Relation<Axis>;

  /**
   * The orientation this one details (« 3.1 » for « 3.1.2 »), in the same contract and axis; null at the
   * first level. No foreign key (migrations/1765152000000-contract-structure.ts says why).
   */
  @Index('idx_orientation_parent')
  @Column({ type: 'integer', nullable: true })
  parentId: number | null;

  @Field({ description: 'Code de l’orientation tel que le contrat l’écrit, ex. "1.2", "3.1.2", "OS-2"' })
  @Column({ type: 'varchar', length: 10 })
  code: string;

  @Field()
  @Column({ type: 'varchar', length: 500 })
  title: string;

  @Field(() => String, { nullable: true, description: 'En vigueur depuis cette date (AAAA-MM-JJ), celle de l’avenant qui a ajouté l’orientation ; vide : depuis le contrat' })
  @Column({ type: 'date', nullable: true })
  validFrom: string | null;

  @Field(() => String, { nullable: true, description: 'Fermée par un avenant à cette date (AAAA-MM-JJ) ; vide : en vigueur' })
  @Column({ type: 'date', nullable: true })
  closedOn: string | null;

  /** The amendments that added and closed it (src/amendment/); no foreign key (migrations/1765670400000-amendments.ts says why). */
  @Column({ type: 'integer', nullable: true })
  addedByAmendmentId: number | null;

  @Column({ type: 'integer', nullable: true })
  closedByAmendmentId: number | null;

  /**
   * Set on the rows read at a moment (asOf): the moment their children and the funding totals under them
   * are read at too (structure-date.ts). Not a column.
   */
  structureAsOf?: Date;
}
