import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ActionStatus } from '../kernel/action-status.enum';
import { DecimalScalar } from '../common/decimal.scalar';
import { Axis } from '../contract/axis.entity';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { Indicator } from '../indicator/indicator.entity';

@ObjectType({ description: 'Nombre d’actions d’un statut' })
export class StatusCount {
  @Field(() => ActionStatus)
  status: ActionStatus;

  @Field(() => Int)
  count: number;
}

@ObjectType({ description: 'Avancement d’un ensemble d’actions : statuts, financements par étape et taux de réalisation.' })
export class ProgressFigures {
  @Field(() => Int, { description: 'Nombre d’actions' })
  actions: number;

  @Field(() => [StatusCount], { description: 'Actions par statut (statuts présents seulement)' })
  byStatus: StatusCount[];

  @Field(() => DecimalScalar, { description: 'Financements prévus' })
  planned: string;

  @Field(() => DecimalScalar, { description: 'Financements demandés' })
  requested: string;

  @Field(() => DecimalScalar, { description: 'Financements attribués / engagés' })
  granted: string;

  @Field(() => DecimalScalar, { description: 'Financements payés / mandatés' })
  paid: string;

  @Field(() => Float, { nullable: true, description: 'Part du prévu qui est attribuée (0.5 = 50 %) ; vide sans prévu. Peut dépasser 1 quand des attributions ne figuraient pas au prévu.' })
  grantedRate: number | null;

  @Field(() => Float, { nullable: true, description: 'Taux de réalisation : part du prévu qui est payée (0.5 = 50 %) ; vide sans prévu. Nombre à virgule flottante : préférer realisationRate, exact.' })
  paidRate: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Taux de réalisation : payé / prévu, calculé exactement sur les montants et donné en chaîne décimale arrondie au dix-millième, au plus proche (« 0.0021 » = 0,21 %) ; null quand rien n’est prévu (taux non calculable). Payé et prévu sont deux étapes : aucune n’est ajoutée à l’autre.',
  })
  realisationRate: string | null;
}

@ObjectType({ description: 'Un indicateur : sa dernière valeur réalisée face à sa cible.' })
export class IndicatorProgress {
  indicatorId: number;

  @Field(() => Indicator)
  indicator: Indicator;

  @Field(() => Int, { nullable: true, description: 'Année de la dernière valeur réalisée' })
  latestYear: number | null;

  @Field(() => String, { nullable: true, description: 'Dernière valeur réalisée (nombre décimal exact)' })
  latestValue: string | null;

  @Field(() => String, { nullable: true, description: 'Cible fixée pour l’année de la dernière valeur, s’il y en a une' })
  targetForYear: string | null;

  @Field(() => String, { nullable: true, description: 'Cible finale de l’indicateur' })
  target: string | null;

  @Field(() => Int, { nullable: true })
  targetYear: number | null;

  @Field(() => Float, { nullable: true, description: 'Part du chemin parcouru de la valeur de référence (ou 0) à la cible finale : 1 = atteinte' })
  achievement: number | null;
}

@ObjectType({ description: 'Avancement d’une orientation' })
export class OrientationProgress {
  @Field(() => Orientation)
  orientation: Orientation;

  @Field(() => ProgressFigures)
  figures: ProgressFigures;

  @Field(() => [IndicatorProgress], { description: 'Indicateurs de l’orientation et de ses actions' })
  indicators: IndicatorProgress[];
}

@ObjectType({ description: 'Avancement d’un axe : la somme de ses orientations' })
export class AxisProgress {
  @Field(() => Axis)
  axis: Axis;

  @Field(() => ProgressFigures)
  figures: ProgressFigures;

  @Field(() => [OrientationProgress])
  orientations: OrientationProgress[];

  @Field(() => [IndicatorProgress], { description: 'Indicateurs de ses orientations et de leurs actions' })
  indicators: IndicatorProgress[];
}

@ObjectType({ description: 'Revue annuelle d’un contrat pour le COPIL : avancement par axe et orientation.' })
export class ContractProgress {
  @Field(() => Contract)
  contract: Contract;

  @Field(() => Int, { nullable: true, description: 'Année de la revue : financements et valeurs jusqu’à cette année incluse' })
  year: number | null;

  @Field(() => ProgressFigures, { description: 'Tout le contrat' })
  overall: ProgressFigures;

  @Field(() => [AxisProgress])
  axes: AxisProgress[];

  @Field(() => ProgressFigures, { description: 'Actions sans orientation (à classer)' })
  unclassified: ProgressFigures;
}
