import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { ApiToken } from '../auth/api-token.entity';
import { DecimalScalar } from '../common/decimal.scalar';
import { moneyColumn, timestampColumn } from '../sql/column-types';
import { Contract } from '../contract/contract.entity';
import { Organisation } from '../organisation/organisation.entity';
import { ImportKind, ImportStatus } from '../kernel/import-batch.enum';

/** One uploaded file, from preview to application, supersession or rollback. */
@ObjectType({ description: 'Un fichier importé et son devenir.' })
@Entity('import_batch')
@Index('idx_import_batch_contract_kind_source', ['contractId', 'kind', 'sourceId'])
@Index('idx_import_batch_sha256', ['sha256'])
export class ImportBatch {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  contractId: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'contract_id' })
  contract: Relation<Contract>;

  @Field(() => ImportKind)
  @Column({ type: 'varchar', length: 12 })
  kind: ImportKind;

  /** The organisation that sent the file. */
  @Column({ type: 'integer' })
  sourceId: number;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'source_id' })
  source: Relation<Organisation>;

  @Field(() => Int, { nullable: true, description: 'Année déclarée au dépôt' })
  @Column({ type: 'integer', nullable: true })
  year: number | null;

  @Field(() => String, { nullable: true, description: 'Programme déclaré au dépôt (liste de subventions d’un seul programme : Fonds vert…)' })
  @Column({ type: 'varchar', length: 100, nullable: true })
  programme: string | null;

  @Field()
  @Column({ type: 'varchar', length: 255 })
  fileName: string;

  @Field()
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Field(() => Int)
  @Column({ type: 'integer' })
  sizeBytes: number;

  /** How the file's chunks hold it: null as uploaded, 'gzip' compressed (src/import-batch/store-preview.ts). */
  @Column({ name: 'file_encoding', type: 'varchar', length: 10, nullable: true })
  fileEncoding: string | null;

  @Field(() => String, { nullable: true, description: 'Disposition reconnue : by-year, by-funder, pairs, long…' })
  @Column({ type: 'varchar', length: 20, nullable: true })
  layout: string | null;

  @Field(() => ImportStatus)
  @Column({ type: 'varchar', length: 12 })
  status: ImportStatus;

  @Column({ type: 'integer', nullable: true })
  uploadedByTokenId: number | null;

  @ManyToOne(() => ApiToken, { nullable: true, onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'uploaded_by_token_id' })
  uploadedByToken: Relation<ApiToken> | null;

  @Field(() => String, { nullable: true, description: 'Qui a déposé le fichier' })
  @Column({ type: 'varchar', length: 255, nullable: true })
  uploadedBy: string | null;

  @Field()
  @Column(timestampColumn())
  uploadedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column(timestampColumn({ nullable: true }))
  appliedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column(timestampColumn({ nullable: true }))
  rolledBackAt: Date | null;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  lineCount: number;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  errorCount: number;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  warningCount: number;

  @Field({ description: 'Appliqué sans les lignes en erreur (--allow-partial, « Appliquer sans les lignes en erreur »)' })
  @Column({ type: 'boolean', default: false })
  appliedPartially: boolean;

  @Field(() => Int, { description: 'Nombre de lignes du fichier laissées de côté pour leurs erreurs (0 : appliqué en entier)' })
  @Column({ type: 'integer', default: 0 })
  rowsLeftOut: number;

  /** What applying changed on existing actions and indicators, to restore it on rollback (JSON). */
  @Column({ type: 'text', nullable: true })
  undo: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Somme des lignes lues' })
  @Column(moneyColumn({ nullable: true }))
  total: string | null;
}
