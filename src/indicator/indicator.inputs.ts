import { Field, InputType, Int } from 'type-graphql';
import { IndicatorValueStage } from '../kernel/indicator-value-stage.enum';

/* Quantities are decimal strings (4 decimals at most) checked by the service, like amounts. */

@InputType({ description: 'Nouvel indicateur, rattaché soit à une action, soit à une orientation.' })
export class CreateIndicatorInput {
  @Field({ description: 'Code du contrat, ex. CRTE-DOUAISIS' })
  contract: string;

  @Field({ description: 'Code de l’indicateur, unique dans le contrat (40 caractères au plus)' })
  code: string;

  @Field({ description: 'Libellé (255 caractères au plus)' })
  name: string;

  @Field({ description: 'Unité : km, logements, tCO2e, %… (40 caractères au plus)' })
  unit: string;

  @Field(() => String, { nullable: true, description: 'Code de l’action suivie' })
  action?: string | null;

  @Field(() => String, { nullable: true, description: 'Code de l’orientation suivie, ex. "1.2" (administrateurs seulement)' })
  orientation?: string | null;

  @Field(() => String, { nullable: true, description: 'Valeur de référence, nombre décimal exact, ex. "12.5"' })
  baseline?: string | null;

  @Field(() => String, { nullable: true, description: 'Valeur cible, nombre décimal exact' })
  target?: string | null;

  @Field(() => Int, { nullable: true, description: 'Année de la cible' })
  targetYear?: number | null;
}

@InputType({ description: 'Modification d’un indicateur : seuls les champs indiqués changent ; null efface un champ facultatif.' })
export class UpdateIndicatorInput {
  @Field(() => String, { nullable: true, description: 'Nouveau code' })
  code?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  unit?: string | null;

  @Field(() => String, { nullable: true, description: 'Rattache l’indicateur à cette action (et le détache de son orientation)' })
  action?: string | null;

  @Field(() => String, { nullable: true, description: 'Rattache l’indicateur à cette orientation (et le détache de son action)' })
  orientation?: string | null;

  @Field(() => String, { nullable: true })
  baseline?: string | null;

  @Field(() => String, { nullable: true })
  target?: string | null;

  @Field(() => Int, { nullable: true })
  targetYear?: number | null;
}

@InputType({ description: 'Une valeur d’indicateur, cible ou réalisée, pour une année : créée ou remplacée.' })
export class SetIndicatorValueInput {
  @Field({ description: 'Code du contrat' })
  contract: string;

  @Field({ description: 'Code de l’indicateur' })
  indicator: string;

  @Field(() => Int)
  year: number;

  @Field(() => IndicatorValueStage)
  stage: IndicatorValueStage;

  @Field({ description: 'Valeur, nombre décimal exact (4 décimales au plus), ex. "12.5"' })
  value: string;
}

@InputType({ description: 'Désigne une valeur d’indicateur à supprimer.' })
export class DeleteIndicatorValueInput {
  @Field()
  contract: string;

  @Field({ description: 'Code de l’indicateur' })
  indicator: string;

  @Field(() => Int)
  year: number;

  @Field(() => IndicatorValueStage)
  stage: IndicatorValueStage;
}
