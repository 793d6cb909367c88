import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { AS_OF_DESCRIPTION, AS_OF_STRUCTURE, structureDate } from '../contract/structure-date';
import { Orientation } from '../contract/orientation.entity';
import { RequestContext } from '../request/context';
import { Action } from './action.entity';

/** An orientation's actions: Orientation is defined in contract/, below action/ (docs/architecture.md). */
@Resolver(() => Orientation)
export class OrientationActionsResolver {
  @FieldResolver(() => [Action], { description: `Ses actions (à la date asOf : celles qui y étaient alors, un avenant ayant pu en déplacer depuis). ${AS_OF_STRUCTURE}` })
  actions(
    @Root() orientation: Orientation,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<Action[]> {
    const on = structureDate(asOf, orientation);
    return on === null ? loaders.actionsByOrientation.load(orientation.id) : loaders.structureOn(on).actionsByOrientation.load(orientation.id);
  }
}
