import { Field, InputType, registerEnumType } from 'type-graphql';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { Action } from '../action/action.entity';
import { FundingStage } from '../kernel/funding.enum';
import { sumCentsSql } from '../sql/money-sql';
import { countedSql } from './funding-visibility';
import { Funding } from './funding.entity';

/* How the `actions` list sorts: here, in funding/, because FUNDING_TOTAL and COVERAGE sort by the counted funding lines. */

export enum ActionOrderField {
  ID = 'ID',
  CODE = 'CODE',
  TITLE = 'TITLE',
  TOTAL_COST = 'TOTAL_COST',
  FUNDING_TOTAL = 'FUNDING_TOTAL',
  COVERAGE = 'COVERAGE',
}
registerEnumType(ActionOrderField, {
  name: 'ActionOrderField',
  valuesConfig: {
    ID: { description: 'Ordre de création (par défaut)' },
    CODE: { description: 'Code de l’action' },
    TITLE: { description: 'Intitulé' },
    TOTAL_COST: { description: 'Coût total' },
    FUNDING_TOTAL: { description: 'Total des financements en vigueur à l’étape choisie' },
    COVERAGE: { description: 'Part du coût couverte par les financements de l’étape choisie' },
  },
});

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

@InputType({ description: 'Tri des actions ; les valeurs absentes (coût inconnu…) viennent toujours en dernier.' })
export class ActionOrder {
  @Field(() => ActionOrderField)
  field: ActionOrderField;

  @Field(() => SortDirection, { defaultValue: SortDirection.ASC })
  direction: SortDirection;

  @Field(() => FundingStage, { defaultValue: FundingStage.PLANNED, description: 'Étape des financements pour FUNDING_TOTAL et COVERAGE' })
  stage: FundingStage;
}

/** Orders by the chosen value, missing values last, then by id so that pages never overlap. */
export function sortActions(dataSource: DataSource, query: SelectQueryBuilder<Action>, order: ActionOrder): SelectQueryBuilder<Action> {
  const direction = order.direction === SortDirection.DESC ? 'DESC' : 'ASC';
  let value: string;
  if (order.field === ActionOrderField.CODE) value = 'action.code';
  else if (order.field === ActionOrderField.TITLE) value = 'action.normalised_title';
  else if (order.field === ActionOrderField.TOTAL_COST) value = 'action.total_cost';
  else {
    query.leftJoin(
      (sub) =>
        sub
          .select('sort_funding.action_id', 'action_id')
          .addSelect(sumCentsSql(dataSource, 'sort_funding.amount'), 'cents')
          .from(Funding, 'sort_funding')
          .where(countedSql('sort_funding', false))
          .andWhere('sort_funding.stage = :sortStage', { sortStage: order.stage })
          .groupBy('sort_funding.action_id'),
      'sort_totals',
      'sort_totals.action_id = action.id',
    );
    // Coverage orders by a ratio of exact cents; the float only ranks, it is never shown.
    value =
      order.field === ActionOrderField.FUNDING_TOTAL
        ? 'COALESCE(sort_totals.cents, 0)'
        : 'CASE WHEN action.total_cost > 0 THEN COALESCE(sort_totals.cents, 0) / (action.total_cost * 100.0) END';
  }
  // Ordered by selected aliases: a bare column selected under another alias would hide the entity's own.
  return query
    .addSelect(`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`, 'sort_missing')
    .addSelect(`CASE WHEN ${value} IS NULL THEN NULL ELSE ${value} END`, 'sort_value')
    .orderBy('sort_missing', 'ASC')
    .addOrderBy('sort_value', direction)
    .addOrderBy('action.id', 'ASC');
}

