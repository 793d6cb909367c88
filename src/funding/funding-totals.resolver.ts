import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { DecimalScalar } from '../common/decimal.scalar';
import { formatCents } from '../kernel/money';
import { RequestContext } from '../server/context';
import { createFundingGroupResolver, FundingDimension, FundingGroup } from './funding-group';
import { FundingGroupSum, sumFundings } from './funding-totals.service';
import { FundingFilter } from './funding.resolver';

export { FundingDimension } from './funding-group';

@ObjectType({ description: 'Un groupe de lignes de financement : ses dimensions, son montant exact et son nombre de lignes.' })
export class FundingTotal extends FundingGroup {
  @Field(() => DecimalScalar)
  amount: string;

  @Field(() => Int, { description: 'Nombre de lignes comptées' })
  lines: number;
}

export function toFundingTotal({ cents, lines, ...group }: FundingGroupSum): FundingTotal {
  return Object.assign(new FundingTotal(), group, { amount: formatCents(cents), lines });
}

@Resolver(() => FundingTotal)
export class FundingTotalResolver extends createFundingGroupResolver(FundingTotal) {
  @Query(() => [FundingTotal], {
    description:
      'Montants des lignes en vigueur regroupés par les dimensions demandées, calculés en SQL et exacts au centime. Avec asOf : tels qu’ils étaient à ce moment.',
  })
  async fundingTotals(
    @Arg('groupBy', () => [FundingDimension]) groupBy: FundingDimension[],
    @Arg('filter', () => FundingFilter, { nullable: true }) filter: FundingFilter | undefined,
    @Arg('asOf', () => Date, { nullable: true }) asOf: Date | undefined,
    @Ctx() { dataSource }: RequestContext,
  ): Promise<FundingTotal[]> {
    return (await sumFundings(dataSource, { groupBy, filter, asOf })).map(toFundingTotal);
  }
}
