import type DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { groupLoader, GroupLoader, idsIn, loadersByKey } from '../common/batch-loader';
import { centsFromDriver } from '../kernel/money';
import { FundingStage } from '../kernel/funding.enum';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { sumCentsSql } from '../sql/money-sql';
import { selectOwnColumns } from '../sql/raw-rows';
import { countedSql } from './funding-visibility';
import { Funding } from './funding.entity';
import { countedFundings } from './funding.query';

/**
 * An action's funding totals, and its lines at a past moment: read from the funding table, so here rather
 * than in action.loaders.ts (today's lines: funding.loaders.ts).
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
  /**
   * An action's lines valid at a past moment (those stageTotalsByActionAt counts then, as fundings(asOf)
   * lists them), with their funder, programme, beneficiary and batch: Action.fundings in a tree dated asOf.
   * One loader per moment; one statement per level.
   */
  fundingsByActionAt: ((moment: Date) => GroupLoader<Funding>) & { clearAll(): void };
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
    fundingsByActionAt: loadersByKey(
      (moment: Date) => moment.toISOString(),
      (moment) => linesAtLoader(dataSource, moment),
    ),
  };
}

/**
 * The lines of many actions valid and counted at `moment`, with their funder, programme and beneficiary, in
 * one statement. Every column of them (not only the selection's, as today's lines: funding.loaders.ts): a
 * dated tree is a rarer read. Read as raw rows (each organisation or programme built once per batch):
 * entities built by getMany took three times as long (5 000 lines).
 */
function linesAtLoader(dataSource: DataSource, moment: Date): GroupLoader<Funding> {
  return groupLoader(
    async (ids) => {
      const query = countedFundings(dataSource, 'funding', moment).andWhere(...idsIn(dataSource, 'funding.action_id', ids));
      const readLine = selectOwnColumns(dataSource, Funding, query, 'funding', { first: true });
      const joined = <T extends { id: number }>(entity: new () => T, alias: 'funder' | 'programme' | 'beneficiary') => {
        query.leftJoin(`funding.${alias}`, alias);
        const read = selectOwnColumns(dataSource, entity, query, alias);
        const seen = new Map<number, T | null>();
        return (row: Record<string, unknown>, id: number | null): T | null => {
          if (id === null) return null;
          let found = seen.get(id);
          if (found === undefined) seen.set(id, (found = read(row)));
          return found;
        };
      };
      const funder = joined(Organisation, 'funder');
      const programme = joined(Programme, 'programme');
      const beneficiary = joined(Organisation, 'beneficiary');
      const rows = await query.getRawMany<Record<string, unknown>>();
      return rows.map((row) => {
        const line = readLine(row)!;
        line.funder = funder(row, line.funderId)!;
        line.programme = programme(row, line.programmeId);
        line.beneficiary = beneficiary(row, line.beneficiaryId);
        // Each line's action answers as it stood at that moment (Funding.action), as in fundings(asOf).
        line.structureAsOf = moment;
        return line;
      });
    },
    (line) => line.actionId!,
    // In the order of today's lines: by year, then as written.
    { order: (a, b) => a.year - b.year || a.id - b.id },
  );
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
