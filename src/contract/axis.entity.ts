import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Contract } from './contract.entity';

@ObjectType({ description: 'Axe stratégique du contrat (1 à 4 pour le Douaisis).' })
@Entity('axis')
@Unique('uq_axis_contract_number', ['contractId', 'number'])
@Index('uq_axis_contract_code', ['contractId', 'code'], { unique: true })
export class Axis {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Field(() => Int, { description: 'Rang de l’axe dans le contrat (ordre d’affichage)' })
  @Column({ type: 'integer' })
  number: number;

  /** As the contract writes it (« 1 », « A », « OS-2 »); null only on rows older than the column (read as the number). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  code: string | null;

  @Field()
  @Column({ type: 'varchar', length: 500 })
  title: string;

  @Field(() => String, { nullable: true, description: 'En vigueur depuis cette date (AAAA-MM-JJ), celle de l’avenant qui a ajouté l’axe ; vide : depuis le contrat' })
  @Column({ type: 'date', nullable: true })
  validFrom: string | null;

  @Field(() => String, { nullable: true, description: 'Fermé par un avenant à cette date (AAAA-MM-JJ) ; vide : en vigueur' })
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
