import { GraphQLError } from 'graphql';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { placedOrientation } from '../amendment/action-placement';
import { titleThenSql } from '../amendment/title-history';
import { ActionStatus } from '../kernel/action-status.enum';
import { Action } from '../action/action.entity';
import { formatCents } from '../kernel/money';
import { Axis } from '../contract/axis.entity';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { inForceSql, structureDateOf } from '../contract/structure-date';
import { FundingDimension } from '../funding/funding-group';
import { sumFundings } from '../funding/funding-totals.service';
import { FundingStage } from '../kernel/funding.enum';
import { IndicatorValue } from '../indicator/indicator-value.entity';
import { Indicator } from '../indicator/indicator.entity';
import { computeProgress, IndicatorInput, IndicatorProgressData, ProgressFiguresData, sumFigures } from './progress.compute';
import { AxisProgress, ContractProgress, IndicatorProgress, ProgressFigures } from './progress.types';

export function toFigures(data: ProgressFiguresData): ProgressFigures {
  return {
    actions: data.actions,
    byStatus: data.byStatus,
    planned: formatCents(data.cents.PLANNED),
    requested: formatCents(data.cents.REQUESTED),
    granted: formatCents(data.cents.GRANTED),
    paid: formatCents(data.cents.PAID),
    grantedRate: data.grantedRate,
    paidRate: data.paidRate,
    realisationRate: data.realisationRate,
  };
}

/**
 * The review of one contract; shared through the cache, so never mutated once returned. With `asOf`, the
 * funding lines as they stood at that moment (funding-visibility.ts); statuses and indicator values are
 * those of now (they keep no history).
 */
export async function contractProgress(dataSource: DataSource, code: string, reviewYear: number | null, asOf: Date | null = null): Promise<ContractProgress> {
  const contract = await dataSource.getRepository(Contract).findOne({ where: { code } });
  if (!contract) throw new GraphQLError(`Le contrat « ${code} » n’existe pas.`, { extensions: { code: 'BAD_USER_INPUT', field: 'contract' } });
  // The axes and orientations in force on that day (amendments add and close them), under the titles they
  // had then; each action, its money and its indicators counted in the orientation it was in then (an
  // amendment may have moved it since: action-placement.ts).
  const on = asOf ? structureDateOf(asOf) : null;
  const [axes, orientations, statusCounts, stageSums, indicators] = await Promise.all([
    structureRows(dataSource.getRepository(Axis).createQueryBuilder('axis').where('axis.contract_id = :id', { id: contract.id }).andWhere(inForceSql('axis', on), { on }).orderBy('axis.number', 'ASC'), 'axis', asOf),
    structureRows(
      dataSource
        .getRepository(Orientation)
        .createQueryBuilder('orientation')
        .innerJoin(Axis, 'axis', 'axis.id = orientation.axis_id')
        .where('axis.contract_id = :id', { id: contract.id })
        .andWhere(inForceSql('orientation', on), { on })
        .orderBy('orientation.code', 'ASC'),
      'orientation',
      asOf,
    ),
    loadStatusCounts(dataSource, contract.id, on),
    sumFundings(dataSource, { groupBy: [FundingDimension.ORIENTATION, FundingDimension.STAGE], filter: { contract: code, yearTo: reviewYear ?? undefined }, actionsOnly: true, asOf }),
    loadIndicators(dataSource, contract.id, on),
  ]);
  const data = computeProgress(
    statusCounts,
    stageSums.map((sum) => ({ orientationId: sum.orientationId ?? null, stage: sum.stage as FundingStage, cents: sum.cents })),
    indicators.inputs,
    reviewYear,
  );
  const indicatorOf = (progress: IndicatorProgressData): IndicatorProgress => {
    const indicator = indicators.byId.get(progress.indicatorId)!;
    return { ...progress, indicator, target: indicator.target, targetYear: indicator.targetYear };
  };
  const axisProgress: AxisProgress[] = axes.map((axis) => {
    const own = orientations.filter((orientation) => orientation.axisId === axis.id);
    const entries = own.map((orientation) => ({ orientation, entry: data.orientations.get(orientation.id) }));
    const figures = entries.map(({ entry }) => entry?.figures).filter((figure): figure is ProgressFiguresData => figure !== undefined);
    const orientationProgress = entries.map(({ orientation, entry }) => ({
      orientation,
      figures: toFigures(entry?.figures ?? sumFigures([])),
      indicators: (entry?.indicators ?? []).map(indicatorOf),
    }));
    return { axis, figures: toFigures(sumFigures(figures)), orientations: orientationProgress, indicators: orientationProgress.flatMap((o) => o.indicators) };
  });
  return { contract, year: reviewYear, overall: toFigures(data.overall), axes: axisProgress, unclassified: toFigures(data.unclassified) };
}

/**
 * Axes or orientations read now, or at `asOf`: then under the title each had that day (an amendment may
 * have renamed it since), and carrying the moment down (structureAsOf), so that the fields asked under them
 * (orientations, actions, fundingTotals) are read at the same moment.
 */
async function structureRows<T extends Axis | Orientation>(query: SelectQueryBuilder<T>, alias: 'axis' | 'orientation', asOf: Date | null): Promise<T[]> {
  if (!asOf) return query.getMany();
  const { entities, raw } = await query.addSelect(titleThenSql(alias, alias === 'axis' ? 'axis_id' : 'orientation_id'), 'title_then').getRawAndEntities();
  const titleThen = new Map(raw.map((row: Record<string, unknown>) => [Number(row[`${alias}_id`]), row.title_then]));
  for (const row of entities) {
    const title = titleThen.get(row.id);
    if (title !== null && title !== undefined) row.title = String(title);
    row.structureAsOf = asOf;
  }
  return entities;
}

async function loadStatusCounts(dataSource: DataSource, contractId: number, on: string | null) {
  const query = dataSource.getRepository(Action).createQueryBuilder('action');
  const orientation = placedOrientation(query, 'action', on);
  const rows = await query
    .select(orientation, 'orientationId')
    .addSelect('action.status', 'status')
    .addSelect('COUNT(*)', 'count')
    .where('action.contract_id = :contractId', { contractId })
    .groupBy(orientation)
    .addGroupBy('action.status')
    .getRawMany<{ orientationId: number | string | null; status: ActionStatus; count: number | string }>();
  return rows.map((row) => ({ orientationId: row.orientationId === null ? null : Number(row.orientationId), status: row.status, count: Number(row.count) }));
}

/** The contract's indicators with their values, and the orientation of each one's action: two statements. */
async function loadIndicators(dataSource: DataSource, contractId: number, on: string | null): Promise<{ inputs: IndicatorInput[]; byId: Map<number, Indicator> }> {
  const query = dataSource.getRepository(Indicator).createQueryBuilder('indicator').leftJoin(Action, 'action', 'action.id = indicator.action_id');
  const rows = await query
    .addSelect(placedOrientation(query, 'action', on), 'action_orientation_id')
    .where('indicator.contract_id = :contractId', { contractId })
    .orderBy('indicator.code', 'ASC')
    .getRawAndEntities();
  const ids = rows.entities.map((indicator) => indicator.id);
  const values = ids.length ? await dataSource.getRepository(IndicatorValue).createQueryBuilder('value').where('value.indicator_id IN (:...ids)', { ids }).getMany() : [];
  const valuesOf = new Map<number, IndicatorValue[]>();
  for (const value of values) {
    const list = valuesOf.get(value.indicatorId);
    if (list) list.push(value);
    else valuesOf.set(value.indicatorId, [value]);
  }
  const inputs = rows.entities.map((indicator, i) => {
    const orientation = rows.raw[i]?.action_orientation_id;
    return {
      id: indicator.id,
      orientationId: indicator.orientationId,
      actionOrientationId: orientation === null || orientation === undefined ? null : Number(orientation),
      baseline: indicator.baseline,
      target: indicator.target,
      targetYear: indicator.targetYear,
      values: (valuesOf.get(indicator.id) ?? []).map((value) => ({ year: value.year, value: value.value, stage: value.stage })),
    };
  });
  return { inputs, byId: new Map(rows.entities.map((indicator) => [indicator.id, indicator])) };
}
