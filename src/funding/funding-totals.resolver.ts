import { Arg, Ctx, Field, FieldResolver, Int, ObjectType, Query, registerEnumType, Resolver, Root } from 'type-graphql';
import { Action } from '../action/action.entity';
import { DecimalScalar } from '../common/decimal.scalar';
import { centsFromDriver, formatCents } from '../common/money';
import { Axis } from '../contract/axis.entity';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { sumCentsSql } from '../db/money-sql';
import { OrganisationKind } from '../organisation/organisation-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { RequestContext } from '../server/context';
import { FundingInstrument, FundingStage } from './funding.enums';
import { FundingFilter, filteredFundings } from './funding.resolver';

export enum FundingDimension {
  contract = 'contract',
  axis = 'axis',
  orientation = 'orientation',
  action = 'action',
  funder = 'funder',
  funderKind = 'funderKind',
  programme = 'programme',
  beneficiary = 'beneficiary',
  territory = 'territory',
  year = 'year',
  stage = 'stage',
  instrument = 'instrument',
}
registerEnumType(FundingDimension, { name: 'FundingDimension', description: 'Dimension de regroupement des montants' });

/** SQL for each dimension, over the joins that `totalsQuery` adds. */
const DIMENSION_SQL: Record<FundingDimension, string> = {
  contract: 'funding.contract_id',
  axis: 't_orientation.axis_id',
  orientation: 't_action.orientation_id',
  action: 'funding.action_id',
  funder: 'funding.funder_id',
  funderKind: 'funder.kind',
  programme: 'funding.programme_id',
  beneficiary: 'funding.beneficiary_id',
  // The EPCI of the perimeter: the beneficiary's (itself or its commune's), else the action's lead's.
  territory: `COALESCE(CASE WHEN beneficiary.kind = 'EPCI' THEN beneficiary.id ELSE beneficiary.parent_id END,
    CASE WHEN t_lead.kind = 'EPCI' THEN t_lead.id ELSE t_lead.parent_id END)`,
  year: 'funding.year',
  stage: 'funding.stage',
  instrument: 'funding.instrument',
};

@ObjectType({ description: 'Un groupe de lignes de financement : ses dimensions, son montant exact et son nombre de lignes.' })
export class FundingTotal {
  contractId?: number | null;
  axisId?: number | null;
  orientationId?: number | null;
  actionId?: number | null;
  funderId?: number | null;
  programmeId?: number | null;
  beneficiaryId?: number | null;
  territoryId?: number | null;

  @Field(() => OrganisationKind, { nullable: true })
  funderKind?: OrganisationKind | null;

  @Field(() => Int, { nullable: true })
  year?: number | null;

  @Field(() => FundingStage, { nullable: true })
  stage?: FundingStage | null;

  @Field(() => FundingInstrument, { nullable: true })
  instrument?: FundingInstrument | null;

  @Field(() => DecimalScalar)
  amount: string;

  @Field(() => Int, { description: 'Nombre de lignes comptées' })
  lines: number;
}

@Resolver(() => FundingTotal)
export class FundingTotalResolver {
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
    const dimensions = [...new Set(groupBy)];
    const query = filteredFundings(dataSource, filter ?? {}, asOf ?? null)
      .leftJoin(Action, 't_action', 't_action.id = funding.action_id')
      .leftJoin(Orientation, 't_orientation', 't_orientation.id = t_action.orientation_id')
      .leftJoin(Organisation, 't_lead', 't_lead.id = t_action.lead_id')
      .select(sumCentsSql(dataSource, 'funding.amount'), 'cents')
      .addSelect('COUNT(*)', 'lines');
    for (const dimension of dimensions) {
      query.addSelect(DIMENSION_SQL[dimension], dimension).addGroupBy(DIMENSION_SQL[dimension]);
    }
    for (const dimension of dimensions) query.addOrderBy(DIMENSION_SQL[dimension], 'ASC');
    const rows = await query.getRawMany<Record<string, unknown>>();
    return rows.map((row) => {
      const total: FundingTotal = { amount: formatCents(centsFromDriver(row.cents, 'cents')), lines: Number(row.lines) };
      for (const dimension of dimensions) {
        const value = row[dimension];
        if (dimension === 'year') total.year = value === null ? null : Number(value);
        else if (dimension === 'stage') total.stage = value as FundingStage;
        else if (dimension === 'instrument') total.instrument = value as FundingInstrument;
        else if (dimension === 'funderKind') total.funderKind = value as OrganisationKind;
        else (total as unknown as Record<string, number | null>)[`${dimension}Id`] = value === null || value === undefined ? null : Number(value);
      }
      return total;
    });
  }

  @FieldResolver(() => Contract, { nullable: true })
  contract(@Root() total: FundingTotal, @Ctx() { loaders }: RequestContext) {
    return total.contractId ? loaders.contractById.load(total.contractId) : null;
  }

  @FieldResolver(() => Axis, { nullable: true })
  axis(@Root() total: FundingTotal, @Ctx() { loaders }: RequestContext) {
    return total.axisId ? loaders.axisById.load(total.axisId) : null;
  }

  @FieldResolver(() => Orientation, { nullable: true })
  orientation(@Root() total: FundingTotal, @Ctx() { loaders }: RequestContext) {
    return total.orientationId ? loaders.orientationById.load(total.orientationId) : null;
  }

  @FieldResolver(() => Action, { nullable: true })
  action(@Root() total: FundingTotal, @Ctx() { loaders }: RequestContext) {
    return total.actionId ? loaders.actionById.load(total.actionId) : null;
  }

  @FieldResolver(() => Organisation, { nullable: true })
  funder(@Root() total: FundingTotal, @Ctx() { loaders }: RequestContext) {
    return total.funderId ? loaders.organisationById.load(total.funderId) : null;
  }

  @FieldResolver(() => Programme, { nullable: true })
  programme(@Root() total: FundingTotal, @Ctx() { loaders }: RequestContext) {
    return total.programmeId ? loaders.programmeById.load(total.programmeId) : null;
  }

  @FieldResolver(() => Organisation, { nullable: true })
  beneficiary(@Root() total: FundingTotal, @Ctx() { loaders }: RequestContext) {
    return total.beneficiaryId ? loaders.organisationById.load(total.beneficiaryId) : null;
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'EPCI du périmètre' })
  territory(@Root() total: FundingTotal, @Ctx() { loaders }: RequestContext) {
    return total.territoryId ? loaders.organisationById.load(total.territoryId) : null;
  }
}

