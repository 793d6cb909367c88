import { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Float, Info, Resolver, Root } from 'type-graphql';
import { Action } from '../action/action.entity';
import { Axis } from '../contract/axis.entity';
import { Orientation } from '../contract/orientation.entity';
import { structureMoment } from '../contract/structure-date';
import { DecimalScalar } from '../common/decimal.scalar';
import { FundingStage } from '../kernel/funding.enum';
import { formatCents, parseCents } from '../kernel/money';
import { RequestContext } from '../request/context';
import { registerPrefetch } from '../request/prefetch';
import { selectionOf } from '../request/selection';
import { FundingDimension } from './funding-group';
import { FundingTotal, SCOPED_TOTALS_DESCRIPTION, toFundingTotal } from './funding-totals.types';
import { FundingFilter } from './funding.filter';
import { Funding } from './funding.entity';

/**
 * The funding fields of types defined below funding/: an action's lines and totals, an axis's and an
 * orientation's scoped totals (docs/architecture.md: a field that reads another domain's rows is resolved
 * in that domain).
 */

// An orientation's actions read their lines before they answer (action/orientation-actions.resolver.ts): today's
// tree only; a dated one's actions read theirs at its moment (fundingsByAction(selection, moment)), one statement per level too.
registerPrefetch('Action', 'fundings', (loaders, selection, actionIds) => loaders.fundingsByAction(selection).settle(actionIds));

@Resolver(() => Action)
export class ActionFundingResolver {
  @FieldResolver(() => [Funding], {
    description: 'Lignes de financement en vigueur (non remplacées). Dans un arbre lu à une date (asOf), les lignes en vigueur à ce moment (celles que fundingTotal compte alors).',
  })
  fundings(@Root() action: Action, @Ctx() { loaders }: RequestContext, @Info() info: GraphQLResolveInfo): Promise<Funding[]> | Funding[] {
    // Read already when the action's list asked for its lines (prefetchChildren): the lines as they are. In a
    // tree read at a moment, the lines valid then (a dated list of actions prefetches nothing).
    const loader = loaders.fundingsByAction(selectionOf(info), action.structureAsOf ?? null);
    return loader.settled(action.id) ?? loader.load(action.id);
  }

  @FieldResolver(() => DecimalScalar, {
    description:
      'Total des financements en vigueur à une étape (prévu par défaut). Les étapes ne s’additionnent pas : un même euro peut être prévu, puis attribué, puis payé. Dans un arbre lu à une date (asOf), les lignes en vigueur à ce moment.',
  })
  async fundingTotal(
    @Root() action: Action,
    @Arg('stage', () => FundingStage, { defaultValue: FundingStage.PLANNED }) stage: FundingStage,
    @Ctx() { loaders }: RequestContext,
  ): Promise<string> {
    return formatCents(await stageTotalCents(action, stage, loaders));
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description: 'Part du coût total couverte par les financements de l’étape (0.5 = 50 %) ; vide sans coût connu. Dans un arbre lu à une date (asOf), les lignes en vigueur à ce moment.',
  })
  async coverage(
    @Root() action: Action,
    @Arg('stage', () => FundingStage, { defaultValue: FundingStage.PLANNED }) stage: FundingStage,
    @Ctx() { loaders }: RequestContext,
  ): Promise<number | null> {
    if (!action.totalCost) return null;
    const cost = parseCents(action.totalCost);
    if (cost <= 0n) return null;
    const funded = await stageTotalCents(action, stage, loaders);
    // A ratio, not money: computed from exact cents, rounded half up to 4 decimals.
    return Number((funded * 20000n / cost + 1n) / 2n) / 10000;
  }
}

/** Now, or at the moment of the dated tree the action was read in (the lines valid then). */
async function stageTotalCents(action: Action, stage: FundingStage, loaders: RequestContext['loaders']): Promise<bigint> {
  const totals = await (action.structureAsOf ? loaders.stageTotalsByActionAt(action.structureAsOf) : loaders.stageTotalsByAction).load(action.id);
  return totals.find((total) => total.stage === stage)?.cents ?? 0n;
}

const SCOPED_AS_OF =
  'Les montants tels qu’ils étaient à ce moment (comme fundingTotals(asOf)) : les lignes enregistrées alors, chaque action comptée là où elle était ce jour-là (un avenant a pu la déplacer depuis) ; sans asOf, le moment auquel l’arbre au-dessus est lu (Contract.axes(asOf)…), sinon maintenant.';

@Resolver(() => Axis)
export class AxisFundingResolver {
  @FieldResolver(() => [FundingTotal], { description: SCOPED_TOTALS_DESCRIPTION })
  async fundingTotals(
    @Root() axis: Axis,
    @Arg('groupBy', () => [FundingDimension], { defaultValue: [FundingDimension.YEAR, FundingDimension.STAGE] }) groupBy: FundingDimension[],
    @Arg('filter', () => FundingFilter, { nullable: true }) filter: FundingFilter | undefined,
    @Arg('asOf', () => Date, { nullable: true, description: SCOPED_AS_OF }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<FundingTotal[]> {
    return (await loaders.fundingTotalsWithin(FundingDimension.AXIS, groupBy, filter ?? null, structureMoment(asOf, axis)).load(axis.id)).map(toFundingTotal);
  }
}

@Resolver(() => Orientation)
export class OrientationFundingResolver {
  @FieldResolver(() => [FundingTotal], { description: SCOPED_TOTALS_DESCRIPTION })
  async fundingTotals(
    @Root() orientation: Orientation,
    @Arg('groupBy', () => [FundingDimension], { defaultValue: [FundingDimension.YEAR, FundingDimension.STAGE] }) groupBy: FundingDimension[],
    @Arg('filter', () => FundingFilter, { nullable: true }) filter: FundingFilter | undefined,
    @Arg('asOf', () => Date, { nullable: true, description: SCOPED_AS_OF }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<FundingTotal[]> {
    return (await loaders.fundingTotalsWithin(FundingDimension.ORIENTATION, groupBy, filter ?? null, structureMoment(asOf, orientation)).load(orientation.id)).map(toFundingTotal);
  }
}
