import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { timestampColumn } from '../sql/column-types';
import { ImportBatch } from './import-batch.entity';

/**
 * A doubtful cell read as a person corrected it in the preview (« 1,050 000 € » read as « 1 050 000 € »):
 * the file stays as sent; the pipeline reads `correctedValue` instead of the cell's text, and the line it
 * gives keeps, beside its raw text, this row: the file's text, the correction, who made it and when.
 */
@ObjectType({ description: 'Une cellule douteuse relue par une personne dans l’aperçu : le texte du fichier, la lecture corrigée, qui et quand.' })
@Entity('import_cell_correction')
@Index('uq_import_cell_correction_cell', ['batchId', 'sheet', 'cell'], { unique: true })
export class ImportCellCorrection {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  batchId: number;

  @ManyToOne(() => ImportBatch, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'batch_id' })
  batch: Relation<ImportBatch>;

  @Field({ description: 'Feuille' })
  @Column({ type: 'varchar', length: 100 })
  sheet: string;

  @Field({ description: 'Cellule, par exemple C10' })
  @Column({ type: 'varchar', length: 20 })
  cell: string;

  @Field(() => String, { nullable: true, description: 'Le texte de la cellule dans le fichier, tel qu’envoyé' })
  @Column({ type: 'text', nullable: true })
  rawValue: string | null;

  @Field({ description: 'La lecture corrigée, lue à la place du texte du fichier' })
  @Column({ type: 'varchar', length: 500 })
  correctedValue: string;

  @Field({ description: 'Qui a corrigé (le nom du jeton)' })
  @Column({ type: 'varchar', length: 255 })
  correctedBy: string;

  /** The token that corrected (null once it is deleted): who, as the database knows it. */
  @Column({ type: 'integer', nullable: true })
  correctedByTokenId: number | null;

  @Field()
  @Column(timestampColumn())
  correctedAt: Date;
}
