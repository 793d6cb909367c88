import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Contract } from '../contract/contract.entity';
import { Organisation } from './organisation.entity';

/**
 * A spelling met in files, normalised, mapped to one organisation. Aliases such as "Région" or "DA"
 * only mean something inside one contract: those carry the contract; the others are global.
 */
@ObjectType()
@Entity('organisation_alias')
@Unique('uq_organisation_alias', ['contractId', 'normalised'])
export class OrganisationAlias {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  organisationId: number;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation>;

  @Column({ type: 'integer', nullable: true })
  contractId: number | null;

  @ManyToOne(() => Contract, { nullable: true, onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract> | null;

  @Field({ description: 'L’orthographe telle que rencontrée' })
  @Column({ type: 'varchar', length: 255 })
  alias: string;

  @Index('idx_organisation_alias_normalised')
  @Column({ type: 'varchar', length: 255 })
  normalised: string;
}
