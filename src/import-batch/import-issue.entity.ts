import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { ImportBatch } from '../provenance/import-batch.entity';
import { IssueSeverity } from '../kernel/import-batch.enum';

/** A problem found in a file, with the cell the partner must fix and a message in French. */
@ObjectType({ description: 'Anomalie relevée dans un fichier importé.' })
@Entity('import_issue')
export class ImportIssue {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  batchId: number;

  @ManyToOne(() => ImportBatch, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'batch_id' })
  batch: Relation<ImportBatch>;

  @Field(() => IssueSeverity)
  @Column({ type: 'varchar', length: 8 })
  severity: IssueSeverity;

  @Field({ description: 'Code stable, ex. AMOUNT_AMBIGUOUS' })
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Field()
  @Column({ type: 'text' })
  message: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 100, nullable: true })
  sheet: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 20, nullable: true })
  cell: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  rawValue: string | null;
}
