import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { timestampColumn } from '../sql/column-types';
import { Organisation } from '../organisation/organisation.entity';
import { Role } from '../kernel/role.enum';

/** A bearer token; only the SHA-256 of the secret is stored, never the secret itself. */
@ObjectType({ description: 'Jeton d’accès (le secret n’est jamais conservé).' })
@Entity('api_token')
@Unique('uq_api_token_hash', ['tokenHash'])
export class ApiToken {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Field()
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Field(() => Role)
  @Column({ type: 'varchar', length: 10 })
  role: Role;

  @Column({ type: 'integer', nullable: true })
  organisationId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation> | null;

  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Field({ description: 'Début du jeton, pour le reconnaître' })
  @Column({ type: 'varchar', length: 16 })
  tokenPrefix: string;

  @Field()
  @Column(timestampColumn())
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column(timestampColumn({ nullable: true }))
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column(timestampColumn({ nullable: true }))
  revokedAt: Date | null;
}
