import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, Relation } from 'typeorm';
import { Contract } from '../contract/contract.entity';

/** A contract's data version (migrations/1764720000000-data-version.ts); read and bumped in raw SQL by data-version.ts. */
@Entity('contract_data_version')
export class ContractDataVersion {
  @PrimaryColumn({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Column({ type: 'integer', default: 0 })
  version: number;
}
