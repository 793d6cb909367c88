import type DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { groupLoader, idsIn } from '../common/batch-loader';
import { Indicator } from './indicator.entity';

export interface IndicatorWithValues extends Indicator {
  values?: import('./indicator-value.entity').IndicatorValue[];
}

/** Indicators come with their values in one statement: there are a handful per indicator. */
function indicatorQuery(dataSource: DataSource) {
  return dataSource
    .getRepository(Indicator)
    .createQueryBuilder('indicator')
    .leftJoinAndMapMany('indicator.values', 'indicator_value', 'value', 'value.indicator_id = indicator.id')
    .orderBy('indicator.code', 'ASC')
    .addOrderBy('value.year', 'ASC')
    .addOrderBy('value.stage', 'ASC');
}

export interface IndicatorLoaders {
  indicatorsByAction: DataLoader<number, IndicatorWithValues[]>;
  indicatorsByOrientation: DataLoader<number, IndicatorWithValues[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends IndicatorLoaders {}
}

export function createIndicatorLoaders(dataSource: DataSource): IndicatorLoaders {
  return {
    indicatorsByAction: groupLoader<IndicatorWithValues>(
      (ids) => indicatorQuery(dataSource).where(...idsIn(dataSource, 'indicator.action_id', ids)).getMany(),
      (indicator) => indicator.actionId!,
    ),
    indicatorsByOrientation: groupLoader<IndicatorWithValues>(
      (ids) => indicatorQuery(dataSource).where(...idsIn(dataSource, 'indicator.orientation_id', ids)).getMany(),
      (indicator) => indicator.orientationId!,
    ),
  };
}
