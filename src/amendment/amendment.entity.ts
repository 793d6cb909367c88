import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Contract } from '../contract/contract.entity';
import { timestampColumn } from '../sql/column-types';

/**
 * An amendment (avenant) of a contract: numbered as the contract writes it, dated by its signature, from
 * which its changes are in force. What it changed is kept in the history tables beside it (the structure
 * as it stood before stays answered, asOf) and, for reading, as a list (changes_json).
 */
@ObjectType({ description: 'Un avenant au contrat : son numéro, sa date de signature (date d’effet de ses modifications) et ce qu’il change.' })
@Entity('amendment')
@Unique('uq_amendment_contract_number', ['contractId', 'number'])
export class Amendment {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Field({ description: 'Numéro de l’avenant tel que le contrat l’écrit (« 1 », « 2bis »), unique dans le contrat' })
  @Column({ type: 'varchar', length: 40 })
  number: string;

  @Field({ description: 'Date de signature (AAAA-MM-JJ) : ses modifications sont en vigueur à partir de ce jour' })
  @Column({ type: 'date' })
  signedOn: string;

  @Field()
  @Column({ type: 'varchar', length: 500 })
  title: string;

  /** The changes as AmendmentChange objects (amendment.types.ts), in the order they were applied. */
  @Column({ type: 'text' })
  changesJson: string;

  @Field({ description: 'Qui l’a enregistré (nom du jeton, ou la ligne de commande)' })
  @Column({ type: 'varchar', length: 255 })
  recordedBy: string;

  @Field()
  @Column(timestampColumn())
  recordedAt: Date;
}
