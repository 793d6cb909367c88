import { DataSource, In } from 'typeorm';
import { byIdLoader, groupLoader } from '../common/batch-loader';
import { ImportBatch } from '../import-batch/import-batch.entity';
import { Programme } from '../programme/programme.entity';
import { countedSql } from './funding-visibility';
import { Funding } from './funding.entity';

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

/** The lines that count (now, or at `asOf`), with their relations. */
export function fundingQuery(dataSource: DataSource, alias = 'funding', asOf: Date | null = null) {
  const query = fundingWithRelations(dataSource, alias).where(countedSql(alias, asOf !== null));
  if (asOf) query.setParameter('asOf', asOf);
  return query;
}

export function createFundingLoaders(dataSource: DataSource) {
  return {
    fundingsByAction: groupLoader(
      (ids) =>
        fundingQuery(dataSource)
          .andWhere('funding.action_id IN (:...ids)', { ids })
          .orderBy('funding.year', 'ASC')
          .addOrderBy('funding.id', 'ASC')
          .getMany(),
      (funding) => funding.actionId!,
    ),
    programmeById: byIdLoader((ids) => dataSource.getRepository(Programme).find({ where: { id: In([...ids]) } })),
    batchById: byIdLoader((ids) => dataSource.getRepository(ImportBatch).find({ where: { id: In([...ids]) } })),
  };
}
