import type DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { groupLoader, idsIn, loadersByKey } from '../common/batch-loader';
import { centsFromDriver } from '../kernel/money';
import { FundingStage } from '../kernel/funding.enum';
import { sumCentsSql } from '../sql/money-sql';
import { countedSql } from './funding-visibility';
import { Funding } from './funding.entity';

/**
 * An action's funding totals: read from the funding table, so here rather than in action.loaders.ts (its
 * lines, today's or at a moment: funding.loaders.ts).
 */

export interface ActionStageTotal {
  actionId: number;
  stage: FundingStage;
  cents: bigint;
  lines: number;
}

export interface ActionFundingLoaders {
  stageTotalsByAction: DataLoader<number, ActionStageTotal[]>;
  /**
   * The same at a past moment (the lines valid then): an action read in a tree dated asOf. One loader per
   * moment in a request; clearAll forgets them.
   */
  stageTotalsByActionAt: ((moment: Date) => DataLoader<number, ActionStageTotal[]>) & { clearAll(): void };
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends ActionFundingLoaders {}
}

export function createActionFundingLoaders(dataSource: DataSource): ActionFundingLoaders {
  return {
    /** Current funding per action and stage, summed exactly in SQL. */
    stageTotalsByAction: stageTotalsLoader(dataSource, null),
    stageTotalsByActionAt: loadersByKey(
      (moment: Date) => moment.toISOString(),
      (moment) => stageTotalsLoader(dataSource, moment),
    ),
  };
}

/** Funding per action and stage counted now, or at `asOf`, summed exactly in SQL. */
function stageTotalsLoader(dataSource: DataSource, asOf: Date | null): DataLoader<number, ActionStageTotal[]> {
  return groupLoader<ActionStageTotal>(
    async (ids) => {
      const query = dataSource
        .getRepository(Funding)
        .createQueryBuilder('funding')
        .select('funding.action_id', 'actionId')
        .addSelect('funding.stage', 'stage')
        .addSelect(sumCentsSql(dataSource, 'funding.amount'), 'cents')
        .addSelect('COUNT(*)', 'lines')
        .where(...idsIn(dataSource, 'funding.action_id', ids))
        .andWhere(countedSql('funding', asOf !== null));
      if (asOf) query.setParameter('asOf', asOf);
      const rows = await query
        .groupBy('funding.action_id')
        .addGroupBy('funding.stage')
        .getRawMany<{ actionId: number | string; stage: FundingStage; cents: unknown; lines: number | string }>();
      return rows.map((row) => ({
        actionId: Number(row.actionId),
        stage: row.stage,
        cents: centsFromDriver(row.cents, 'cents'),
        lines: Number(row.lines),
      }));
    },
    (row) => row.actionId,
  );
}
