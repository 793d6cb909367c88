import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { FundingDimension } from '../funding/funding-group';
import { FundingTotal, SCOPED_TOTALS_DESCRIPTION, toFundingTotal } from '../funding/funding-totals.types';
import { FundingFilter } from '../funding/funding.filter';
import { Action } from '../action/action.entity';
import { Indicator } from '../indicator/indicator.entity';
import { RequestContext } from '../request/context';
import { AS_OF_DESCRIPTION, AS_OF_STRUCTURE, structureDate } from './structure-date';
import { Axis } from './axis.entity';
import { Orientation } from './orientation.entity';

@Resolver(() => Orientation)
export class OrientationResolver {
  @FieldResolver(() => Axis)
  async axis(@Root() orientation: Orientation, @Ctx() { loaders }: RequestContext): Promise<Axis> {
    return (await loaders.axisById.load(orientation.axisId))!;
  }

  @FieldResolver(() => Orientation, { nullable: true, description: 'L’orientation dont celle-ci est une déclinaison (aucune au premier niveau).' })
  async parent(@Root() orientation: Orientation, @Ctx() { loaders }: RequestContext): Promise<Orientation | null> {
    return orientation.parentId === null ? null : loaders.orientationById.load(orientation.parentId);
  }

  @FieldResolver(() => [Orientation], { description: `Ses déclinaisons en vigueur (ex. 3.1.1, 3.1.2 sous 3.1). ${AS_OF_STRUCTURE}` })
  children(
    @Root() orientation: Orientation,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<Orientation[]> {
    const on = structureDate(asOf, orientation);
    return on === null ? loaders.orientationsByParent.load(orientation.id) : loaders.structureOn(on).orientationsByParent.load(orientation.id);
  }

  @FieldResolver(() => [Action], { description: `Ses actions (à la date asOf : celles qui y étaient alors, un avenant ayant pu en déplacer depuis). ${AS_OF_STRUCTURE}` })
  actions(
    @Root() orientation: Orientation,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<Action[]> {
    const on = structureDate(asOf, orientation);
    return on === null ? loaders.actionsByOrientation.load(orientation.id) : loaders.structureOn(on).actionsByOrientation.load(orientation.id);
  }

  @FieldResolver(() => [Indicator], { description: 'Indicateurs rattachés à l’orientation elle-même.' })
  indicators(@Root() orientation: Orientation, @Ctx() { loaders }: RequestContext): Promise<Indicator[]> {
    return loaders.indicatorsByOrientation.load(orientation.id);
  }

  @FieldResolver(() => [FundingTotal], { description: SCOPED_TOTALS_DESCRIPTION })
  async fundingTotals(
    @Root() orientation: Orientation,
    @Arg('groupBy', () => [FundingDimension], { defaultValue: [FundingDimension.YEAR, FundingDimension.STAGE] }) groupBy: FundingDimension[],
    @Arg('filter', () => FundingFilter, { nullable: true }) filter: FundingFilter | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<FundingTotal[]> {
    return (await loaders.fundingTotalsWithin(FundingDimension.ORIENTATION, groupBy, filter ?? null).load(orientation.id)).map(toFundingTotal);
  }
}
