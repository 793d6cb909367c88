import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { Contract } from '../contract/contract.entity';
import { Organisation } from '../organisation/organisation.entity';
import { Amendment } from './amendment.entity';

export type CommuneChangeKind = 'ADD' | 'REMOVE';

/**
 * A commune entering or leaving a contract's perimeter by an amendment (a commune that left its EPCI, say).
 * The perimeter at a date: the communes of its EPCIs, then for each commune its last change on or before
 * that date.
 */
@Entity('contract_commune_change')
@Index('idx_commune_change_contract', ['contractId', 'effectiveOn'])
export class ContractCommuneChange {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Column({ type: 'integer' })
  amendmentId: number;

  @ManyToOne(() => Amendment, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'amendment_id' })
  amendment: Relation<Amendment>;

  @Column({ type: 'integer' })
  organisationId: number;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation>;

  @Column({ type: 'date' })
  effectiveOn: string;

  @Column({ type: 'varchar', length: 10 })
  kind: CommuneChangeKind;
}
