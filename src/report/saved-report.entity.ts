import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { ApiToken } from '../auth/api-token.entity';
import { timestampColumn } from '../sql/column-types';
import { Organisation } from '../organisation/organisation.entity';

/** A stored GraphQL query that a BI tool refreshes as a CSV/XLSX/JSON URL. */
@ObjectType({ description: 'Rapport enregistré : une requête GraphQL et ses variables.' })
@Entity('saved_report')
@Unique('uq_saved_report_name', ['name'])
export class SavedReport {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Field()
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Field()
  @Column({ type: 'text' })
  query: string;

  /** JSON object. */
  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  variables: string | null;

  @Column({ type: 'integer', nullable: true })
  createdByTokenId: number | null;

  @ManyToOne(() => ApiToken, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'created_by_token_id' })
  createdByToken: Relation<ApiToken> | null;

  /**
   * The organisation whose editors may replace or delete the report: that of the editor's token that
   * created it. NULL: created by an admin (or before owners existed, by an admin or a token since
   * deleted), for administrators only. It never changes when the report is replaced.
   */
  @Column({ type: 'integer', nullable: true })
  ownerOrganisationId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'owner_organisation_id', foreignKeyConstraintName: 'fk_saved_report_owner_organisation' })
  ownerOrganisation: Relation<Organisation> | null;

  @Field()
  @Column(timestampColumn())
  createdAt: Date;

  @Field()
  @Column(timestampColumn())
  updatedAt: Date;
}
