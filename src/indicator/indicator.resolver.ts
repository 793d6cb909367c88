import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Action } from '../action/action.entity';
import { Orientation } from '../contract/orientation.entity';
import { RequestContext } from '../request/context';
import { IndicatorValueStage } from '../kernel/indicator-value-stage.enum';
import { IndicatorValue } from './indicator-value.entity';
import { Indicator } from './indicator.entity';
import { IndicatorWithValues } from './indicator.loaders';

@Resolver(() => Indicator)
export class IndicatorResolver {
  @FieldResolver(() => [IndicatorValue], { description: 'Valeurs par année, cibles et réalisées' })
  values(@Root() indicator: IndicatorWithValues, @Ctx() { dataSource }: RequestContext): IndicatorValue[] | Promise<IndicatorValue[]> {
    // Indicators read through the loaders arrive with their values, returned as they are (no promise:
    // graphql-js completes a list of them synchronously); a lone indicator fetches its own.
    if (indicator.values) return indicator.values;
    return dataSource.getRepository(IndicatorValue).find({ where: { indicatorId: indicator.id }, order: { year: 'ASC', stage: 'ASC' } });
  }

  @FieldResolver(() => IndicatorValue, { nullable: true, description: 'Dernière valeur réalisée connue' })
  async latestActual(@Root() indicator: IndicatorWithValues, @Ctx() ctx: RequestContext): Promise<IndicatorValue | null> {
    const values = await this.values(indicator, ctx);
    const actuals = values.filter((value) => value.stage === IndicatorValueStage.ACTUAL);
    return actuals.length ? actuals.reduce((latest, value) => (value.year > latest.year ? value : latest)) : null;
  }

  @FieldResolver(() => Action, { nullable: true })
  action(@Root() indicator: Indicator, @Ctx() { loaders }: RequestContext): Promise<Action | null> {
    return indicator.actionId ? loaders.actionById.load(indicator.actionId) : Promise.resolve(null);
  }

  @FieldResolver(() => Orientation, { nullable: true })
  orientation(@Root() indicator: Indicator, @Ctx() { loaders }: RequestContext): Promise<Orientation | null> {
    return indicator.orientationId ? loaders.orientationById.load(indicator.orientationId) : Promise.resolve(null);
  }
}
