import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn } from '../sql/column-types';

/**
 * One write, as it was done: who (the token, copied — a token renamed or revoked later does not rewrite
 * history), when, what and on what. No foreign keys: the trail outlives what it names (a rolled-back
 * batch's organisations, a deleted report).
 */
@ObjectType({ description: 'Une écriture enregistrée dans le journal d’audit : qui, quand, quoi, sur quoi.' })
@Entity('audit_event')
@Index('idx_audit_event_occurred', ['occurredAt'])
@Index('idx_audit_event_target', ['targetKind', 'targetId'])
export class AuditEvent {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Field({ description: 'Quand (UTC)' })
  @Column(timestampColumn())
  occurredAt: Date;

  @Field({ description: 'Quoi : IMPORT_APPLY, ACTION_UPDATE, TOKEN_REVOKE…' })
  @Column({ type: 'varchar', length: 40 })
  action: string;

  @Field({ description: 'Le genre de l’objet touché : import_batch, action, indicator, saved_report, api_token' })
  @Column({ type: 'varchar', length: 40 })
  targetKind: string;

  @Field(() => String, { nullable: true, description: 'Son identifiant' })
  @Column({ type: 'varchar', length: 100, nullable: true })
  targetId: string | null;

  @Field(() => Int, { nullable: true, description: 'Le jeton qui a écrit ; vide pour la ligne de commande' })
  @Column({ type: 'integer', nullable: true })
  tokenId: number | null;

  @Field({ description: 'Le nom du jeton, ou « cli:UTILISATEUR » pour la ligne de commande' })
  @Column({ type: 'varchar', length: 255 })
  actorName: string;

  @Field({ description: 'Son rôle : admin, editor, ou cli' })
  @Column({ type: 'varchar', length: 10 })
  actorRole: string;

  @Field(() => Int, { nullable: true, description: 'L’organisation du jeton' })
  @Column({ type: 'integer', nullable: true })
  organisationId: number | null;

  @Field(() => String, { nullable: true, description: 'Détail, objet JSON' })
  @Column({ type: 'text', nullable: true })
  detail: string | null;
}
