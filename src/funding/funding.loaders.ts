import DataLoader from 'dataloader';
import { DataSource, In } from 'typeorm';
import { byIdLoader, groupLoader, MAX_BATCH_SIZE } from '../common/batch-loader';
import { selectOwnColumns } from '../db/raw-rows';
import { ImportBatch } from '../import-batch/import-batch.entity';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { FundingDimension } from './funding-group';
import { FundingGroupSum, sumFundings } from './funding-totals.service';
import { countedSql } from './funding-visibility';
import { Funding } from './funding.entity';
import type { FundingFilter } from './funding.resolver';

/**
 * Funding lines come with their funder, programme, beneficiary and batch joined in the same statement:
 * they are always asked for together, and a separate batch per relation would add a round trip per level.
 */
export function fundingWithRelations(dataSource: DataSource, alias = 'funding') {
  return dataSource
    .getRepository(Funding)
    .createQueryBuilder(alias)
    .leftJoinAndSelect(`${alias}.funder`, 'funder')
    .leftJoinAndSelect(`${alias}.programme`, 'programme')
    .leftJoinAndSelect(`${alias}.beneficiary`, 'beneficiary')
    .leftJoinAndSelect(`${alias}.batch`, 'batch');
}

/** The lines that count (now, or at `asOf`), alone: for aggregates. */
export function countedFundings(dataSource: DataSource, alias = 'funding', asOf: Date | null = null) {
  const query = dataSource.getRepository(Funding).createQueryBuilder(alias).where(countedSql(alias, asOf !== null));
  if (asOf) query.setParameter('asOf', asOf);
  return query;
}

/** The lines that count (now, or at `asOf`), with their relations. */
export function fundingQuery(dataSource: DataSource, alias = 'funding', asOf: Date | null = null) {
  const query = fundingWithRelations(dataSource, alias).where(countedSql(alias, asOf !== null));
  if (asOf) query.setParameter('asOf', asOf);
  return query;
}

export function createFundingLoaders(dataSource: DataSource) {
  return {
    /**
     * An action's lines with their funder, programme and beneficiary, in one statement, read as plain
     * objects (each organisation or programme built once per batch); the batch comes from its loader
     * only when asked for.
     */
    fundingsByAction: groupLoader(
      async (ids) => {
        const query = countedFundings(dataSource).leftJoin('funding.funder', 'funder').leftJoin('funding.programme', 'programme').leftJoin('funding.beneficiary', 'beneficiary');
        const readFunding = selectOwnColumns(dataSource, Funding, query, 'funding', { first: true });
        const readFunder = selectOwnColumns(dataSource, Organisation, query, 'funder');
        const readProgramme = selectOwnColumns(dataSource, Programme, query, 'programme');
        const readBeneficiary = selectOwnColumns(dataSource, Organisation, query, 'beneficiary');
        const rows = await query
          .andWhere('funding.action_id IN (:...ids)', { ids })
          .orderBy('funding.year', 'ASC')
          .addOrderBy('funding.id', 'ASC')
          .getRawMany<Record<string, unknown>>();
        const organisations = new Map<number, Organisation>();
        const programmes = new Map<number, Programme>();
        const once = <T extends { id: number }>(seen: Map<number, T>, id: number | null, read: () => T | null): T | null => {
          if (id === null) return null;
          let found = seen.get(id);
          if (!found) {
            found = read()!;
            seen.set(id, found);
          }
          return found;
        };
        return rows.map((row) => {
          const funding = readFunding(row)!;
          funding.funder = once(organisations, funding.funderId, () => readFunder(row))!;
          funding.programme = once(programmes, funding.programmeId, () => readProgramme(row));
          funding.beneficiary = once(organisations, funding.beneficiaryId, () => readBeneficiary(row));
          return funding;
        });
      },
      (funding) => funding.actionId!,
    ),
    programmeById: byIdLoader((ids) => dataSource.getRepository(Programme).find({ where: { id: In([...ids]) } })),
    batchById: byIdLoader((ids) => dataSource.getRepository(ImportBatch).find({ where: { id: In([...ids]) } })),
    fundingTotalsWithin: scopedTotalsLoaders(dataSource),
  };
}

type ScopeDimension = FundingDimension.axis | FundingDimension.orientation;

/**
 * Totals of many axes (or orientations) in one statement: one loader per distinct (scope, groupBy,
 * filter) asked for in the request, each grouping by the scope's id first.
 */
function scopedTotalsLoaders(dataSource: DataSource) {
  const loaders = new Map<string, DataLoader<number, FundingGroupSum[]>>();
  return (scope: ScopeDimension, groupBy: readonly FundingDimension[], filter: FundingFilter | null): DataLoader<number, FundingGroupSum[]> => {
    const key = JSON.stringify([scope, groupBy, filter]);
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader<number, FundingGroupSum[]>(
        async (ids) => {
          const sums = await sumFundings(dataSource, { groupBy: [scope, ...groupBy], filter, scope: { dimension: scope, ids } });
          const byScope = new Map<number, FundingGroupSum[]>();
          for (const sum of sums) {
            const id = (scope === FundingDimension.axis ? sum.axisId : sum.orientationId) as number;
            const group = byScope.get(id);
            if (group) group.push(sum);
            else byScope.set(id, [sum]);
          }
          return ids.map((id) => byScope.get(id) ?? []);
        },
        { maxBatchSize: MAX_BATCH_SIZE },
      );
      loaders.set(key, loader);
    }
    return loader;
  };
}
