import { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import { AS_OF_DESCRIPTION, AS_OF_STRUCTURE, structureMoment } from '../contract/structure-date';
import { Orientation } from '../contract/orientation.entity';
import { RequestContext } from '../request/context';
import { prefetchChildren } from '../request/prefetch';
import { selectionOf } from '../request/selection';
import { Action } from './action.entity';

/** An orientation's actions: Orientation is defined in contract/, below action/ (docs/architecture.md). */
@Resolver(() => Orientation)
export class OrientationActionsResolver {
  @FieldResolver(() => [Action], { description: `Ses actions (à la date asOf : celles qui y étaient alors, un avenant ayant pu en déplacer depuis). ${AS_OF_STRUCTURE}` })
  async actions(
    @Root() orientation: Orientation,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Action[]> {
    const moment = structureMoment(asOf, orientation);
    if (moment !== null) return loaders.structureOn(moment).actionsByOrientation.load(orientation.id);
    // Today's tree reads only the columns the query selects (action.loaders.ts), and the actions' lines
    // before it answers (src/request/prefetch.ts).
    const selection = selectionOf(info);
    const actions = await loaders.actionsByOrientation(selection).load(orientation.id);
    await prefetchChildren(loaders, 'Action', selection, actions.map((action) => action.id));
    return actions;
  }
}
