import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { RequestContext } from '../request/context';
import { FundingDimension } from './funding-group';
import { createFundingGroupResolver } from './funding-group.fields';
import { sumFundings } from './funding-totals.service';
import { FundingTotal, toFundingTotal } from './funding-totals.types';
import { FundingFilter } from './funding.filter';
import { scopedFundingFilter } from './funding.query';

export { FundingDimension } from './funding-group';

@Resolver(() => FundingTotal)
export class FundingTotalResolver extends createFundingGroupResolver(FundingTotal) {
  @Query(() => [FundingTotal], {
    description:
      'Montants des lignes en vigueur regroupés par les dimensions demandées, calculés en SQL et exacts au centime, sur les contrats que le jeton peut voir (groupBy: CONTRACT les met côte à côte). Avec asOf : tels qu’ils étaient à ce moment.',
  })
  async fundingTotals(
    @Arg('groupBy', () => [FundingDimension]) groupBy: FundingDimension[],
    @Arg('filter', () => FundingFilter, { nullable: true }) filter: FundingFilter | undefined,
    @Arg('asOf', () => Date, { nullable: true }) asOf: Date | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<FundingTotal[]> {
    return (await sumFundings(ctx.dataSource, { groupBy, filter: await scopedFundingFilter(ctx, filter), asOf })).map(toFundingTotal);
  }
}
