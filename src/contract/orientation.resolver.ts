import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RequestContext } from '../request/context';
import { AS_OF_DESCRIPTION, AS_OF_STRUCTURE, structureMoment } from './structure-date';
import { Axis } from './axis.entity';
import { Orientation } from './orientation.entity';

/**
 * Orientation's structure fields. Its actions, indicators and funding totals are resolved above contract/:
 * action/orientation-actions.resolver.ts, indicator/structure-indicators.resolver.ts,
 * funding/structure-funding.resolver.ts (docs/architecture.md).
 */
@Resolver(() => Orientation)
export class OrientationResolver {
  // Read in a dated tree (structureAsOf): the axis and the parent under their titles of that day.
  @FieldResolver(() => Axis)
  async axis(@Root() orientation: Orientation, @Ctx() { loaders }: RequestContext): Promise<Axis> {
    return (await (orientation.structureAsOf ? loaders.structureOn(orientation.structureAsOf).axisById : loaders.axisById).load(orientation.axisId))!;
  }

  @FieldResolver(() => Orientation, { nullable: true, description: 'L’orientation dont celle-ci est une déclinaison (aucune au premier niveau).' })
  async parent(@Root() orientation: Orientation, @Ctx() { loaders }: RequestContext): Promise<Orientation | null> {
    if (orientation.parentId === null) return null;
    return (orientation.structureAsOf ? loaders.structureOn(orientation.structureAsOf).orientationById : loaders.orientationById).load(orientation.parentId);
  }

  @FieldResolver(() => [Orientation], { description: `Ses déclinaisons en vigueur (ex. 3.1.1, 3.1.2 sous 3.1). ${AS_OF_STRUCTURE}` })
  children(
    @Root() orientation: Orientation,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<Orientation[]> {
    const moment = structureMoment(asOf, orientation);
    return moment === null ? loaders.orientationsByParent.load(orientation.id) : loaders.structureOn(moment).orientationsByParent.load(orientation.id);
  }
}
