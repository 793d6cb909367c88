import { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import { AS_OF_DESCRIPTION, AS_OF_STRUCTURE, structureMoment } from '../contract/structure-date';
import { Orientation } from '../contract/orientation.entity';
import { RequestContext } from '../request/context';
import { selectionOf } from '../request/selection';
import { Action } from './action.entity';

/** An orientation's actions: Orientation is defined in contract/, below action/ (docs/architecture.md). */
@Resolver(() => Orientation)
export class OrientationActionsResolver {
  @FieldResolver(() => [Action], { description: `Ses actions (à la date asOf : celles qui y étaient alors, un avenant ayant pu en déplacer depuis). ${AS_OF_STRUCTURE}` })
  actions(
    @Root() orientation: Orientation,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Action[]> {
    const moment = structureMoment(asOf, orientation);
    // Today's tree reads only the columns the query selects (action.loaders.ts).
    return moment === null ? loaders.actionsByOrientation(selectionOf(info)).load(orientation.id) : loaders.structureOn(moment).actionsByOrientation.load(orientation.id);
  }
}
