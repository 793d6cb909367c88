import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Organisation } from '../organisation/organisation.entity';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { Contract } from './contract.entity';

/** Links a contract to its signatories, named partners and perimeter EPCIs. */
@ObjectType()
@Entity('contract_party')
@Unique('uq_contract_party', ['contractId', 'organisationId', 'role'])
export class ContractParty {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Column({ type: 'integer' })
  organisationId: number;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation>;

  @Field(() => ContractPartyRole)
  @Column({ type: 'varchar', length: 20 })
  role: ContractPartyRole;
}
