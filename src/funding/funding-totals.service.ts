import { DataSource } from 'typeorm';
import { Action } from '../action/action.entity';
import { placedOrientation } from '../amendment/action-placement';
import { structureDateOf } from '../contract/structure-date';
import { cachedAggregate } from '../cache/aggregate-cache';
import { idsIn } from '../common/batch-loader';
import { centsFromDriver } from '../kernel/money';
import { Orientation } from '../contract/orientation.entity';
import { sumCentsSql } from '../sql/money-sql';
import { Organisation } from '../organisation/organisation.entity';
import { assignDimensions, DIMENSION_SQL, FundingDimension, FundingGroup } from './funding-group';
import { FundingFilter } from './funding.filter';
import { FundingRelationAlias, filteredFundings } from './funding.query';

export interface FundingGroupSum extends FundingGroup {
  cents: bigint;
  lines: number;
}

export interface FundingTotalsRequest {
  groupBy: readonly FundingDimension[];
  filter?: FundingFilter | null;
  asOf?: Date | null;
  /** Only the groups whose `dimension` is one of `ids` (for loaders that batch many parents). */
  scope?: { dimension: FundingDimension; ids: readonly number[] };
  /** Leave out the lines that belong to no action (territory-level envelopes such as DETR received by an EPCI). */
  actionsOnly?: boolean;
}

/**
 * The counted funding lines summed by the given dimensions, in one SQL statement: exact integer cents
 * (DECIMAL on MySQL, rounded per line on SQLite), groups in the order of the dimensions.
 *
 * Within a server request the result is cached (src/cache/aggregate-cache.ts), keyed by the data version
 * of the filter's contract (the global one without) and the normalised request: the groups are shared
 * and frozen, the array is the caller's.
 */
export async function sumFundings(dataSource: DataSource, request: FundingTotalsRequest): Promise<FundingGroupSum[]> {
  const sums = await cachedAggregate(dataSource, 'sumFundings', request.filter?.contract ?? null, normalisedRequest(request), async () =>
    (await computeSums(dataSource, request)).map((group) => Object.freeze(group)),
  );
  return [...sums];
}

/** The request as a cache key: lists whose order does not change the SQL's answer are sorted. */
function normalisedRequest(request: FundingTotalsRequest): unknown {
  const sorted = <T>(list: readonly T[] | null | undefined) => (list ? [...new Set(list)].sort() : undefined);
  const filter = request.filter ?? {};
  return {
    groupBy: [...new Set(request.groupBy)],
    filter: { ...filter, contracts: sorted(filter.contracts), contractIds: sorted(filter.contractIds), stage: sorted(filter.stage), instrument: sorted(filter.instrument), creditNature: sorted(filter.creditNature), kind: sorted(filter.kind) },
    asOf: request.asOf ? request.asOf.toISOString() : null,
    scope: request.scope ? { dimension: request.scope.dimension, ids: [...new Set(request.scope.ids)].sort((a, b) => a - b) } : null,
    actionsOnly: request.actionsOnly ?? false,
  };
}

async function computeSums(dataSource: DataSource, request: FundingTotalsRequest): Promise<FundingGroupSum[]> {
  const dimensions = [...new Set(request.groupBy)];
  // Only the joins that the dimensions asked for need (see DIMENSION_SQL).
  const uses = (...wanted: FundingDimension[]) => wanted.some((dimension) => dimensions.includes(dimension) || request.scope?.dimension === dimension);
  const join: FundingRelationAlias[] = [];
  if (uses(FundingDimension.FUNDER_KIND)) join.push('funder');
  if (uses(FundingDimension.TERRITORY)) join.push('beneficiary');
  const query = filteredFundings(dataSource, request.filter ?? {}, request.asOf ?? null, { join });
  if (uses(FundingDimension.AXIS, FundingDimension.ORIENTATION, FundingDimension.TERRITORY)) query.leftJoin(Action, 't_action', 't_action.id = funding.action_id');
  // At a past moment, an action counts under the orientation (and so the axis) it was in then: an
  // amendment may have moved it since (src/amendment/action-placement.ts).
  const placed = request.asOf && uses(FundingDimension.AXIS, FundingDimension.ORIENTATION);
  const dimensionSql = placed ? { ...DIMENSION_SQL, orientation: placedOrientation(query, 't_action', structureDateOf(request.asOf!)) } : DIMENSION_SQL;
  if (uses(FundingDimension.AXIS)) query.leftJoin(Orientation, 't_orientation', `t_orientation.id = ${dimensionSql.orientation}`);
  if (uses(FundingDimension.TERRITORY)) query.leftJoin(Organisation, 't_lead', 't_lead.id = t_action.lead_id');
  query.select(sumCentsSql(dataSource, 'funding.amount'), 'cents').addSelect('COUNT(*)', 'lines');
  for (const dimension of dimensions) query.addSelect(dimensionSql[dimension], dimension).addGroupBy(dimensionSql[dimension]);
  if (request.scope) {
    query.andWhere(...idsIn(dataSource, dimensionSql[request.scope.dimension], request.scope.ids, 'scopeIds'));
  }
  if (request.actionsOnly) query.andWhere('funding.action_id IS NOT NULL');
  for (const dimension of dimensions) query.addOrderBy(dimensionSql[dimension], 'ASC');
  const rows = await query.getRawMany<Record<string, unknown>>();
  return rows.map((row) => {
    const group: FundingGroupSum = { cents: centsFromDriver(row.cents, 'cents'), lines: Number(row.lines) };
    assignDimensions(group, dimensions, row);
    return group;
  });
}
