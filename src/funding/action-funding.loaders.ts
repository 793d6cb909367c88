import type DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { groupLoader, idsIn } from '../common/batch-loader';
import { centsFromDriver } from '../kernel/money';
import { FundingStage } from '../kernel/funding.enum';
import { sumCentsSql } from '../sql/money-sql';
import { countedSql } from './funding-visibility';
import { Funding } from './funding.entity';

/** An action's funding totals: read from the funding table, so here rather than in action.loaders.ts. */

export interface ActionStageTotal {
  actionId: number;
  stage: FundingStage;
  cents: bigint;
  lines: number;
}

export interface ActionFundingLoaders {
  stageTotalsByAction: DataLoader<number, ActionStageTotal[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends ActionFundingLoaders {}
}

export function createActionFundingLoaders(dataSource: DataSource): ActionFundingLoaders {
  return {
    /** Current funding per action and stage, summed exactly in SQL. */
    stageTotalsByAction: groupLoader<ActionStageTotal>(
      async (ids) => {
        const rows = await dataSource
          .getRepository(Funding)
          .createQueryBuilder('funding')
          .select('funding.action_id', 'actionId')
          .addSelect('funding.stage', 'stage')
          .addSelect(sumCentsSql(dataSource, 'funding.amount'), 'cents')
          .addSelect('COUNT(*)', 'lines')
          .where(...idsIn(dataSource, 'funding.action_id', ids))
          .andWhere(countedSql('funding', false))
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
    ),
  };
}
