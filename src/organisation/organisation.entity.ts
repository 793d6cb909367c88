import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { ImportBatch } from '../provenance/import-batch.entity';
import { timestampColumn } from '../sql/column-types';
import { OrganisationKind } from '../kernel/organisation-kind.enum';

@ObjectType({ description: 'Financeur, maître d’ouvrage ou signataire.' })
@Entity('organisation')
@Unique('uq_organisation_siren', ['siren'])
@Unique('uq_organisation_insee_code', ['inseeCode'])
export class Organisation {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Field()
  @Index('idx_organisation_name')
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 80, nullable: true })
  shortName: string | null;

  @Field(() => OrganisationKind)
  @Column({ type: 'varchar', length: 20 })
  kind: OrganisationKind;

  @Field(() => String, { nullable: true, description: 'SIREN (9 chiffres)' })
  @Column({ type: 'varchar', length: 9, nullable: true })
  siren: string | null;

  @Field(() => String, { nullable: true, description: 'Code INSEE de la commune (5 caractères)' })
  @Column({ type: 'varchar', length: 5, nullable: true })
  inseeCode: string | null;

  /** For a commune, its EPCI: the territory its fundings belong to. */
  @Column({ type: 'integer', nullable: true })
  parentId: number | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'parent_id' })
  parent: Relation<Organisation> | null;

  /** The import that created it, if any: a rollback removes it again when nothing else uses it. */
  @Column({ type: 'integer', nullable: true })
  createdByBatchId: number | null;

  @ManyToOne(() => ImportBatch, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'created_by_batch_id' })
  createdByBatch: Relation<ImportBatch> | null;

  @Column(timestampColumn())
  createdAt: Date;

  @Column(timestampColumn())
  updatedAt: Date;
}
