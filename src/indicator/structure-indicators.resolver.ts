import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Action } from '../action/action.entity';
import { Orientation } from '../contract/orientation.entity';
import { RequestContext } from '../request/context';
import { Indicator } from './indicator.entity';

/** The indicators of an action and of an orientation, types defined below indicator/ (docs/architecture.md). */

@Resolver(() => Action)
export class ActionIndicatorsResolver {
  @FieldResolver(() => [Indicator])
  indicators(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Indicator[]> {
    return loaders.indicatorsByAction.load(action.id);
  }
}

@Resolver(() => Orientation)
export class OrientationIndicatorsResolver {
  @FieldResolver(() => [Indicator], { description: 'Indicateurs rattachés à l’orientation elle-même.' })
  indicators(@Root() orientation: Orientation, @Ctx() { loaders }: RequestContext): Promise<Indicator[]> {
    return loaders.indicatorsByOrientation.load(orientation.id);
  }
}
