import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { placedOrientation } from '../amendment/action-placement';
import { structureDateOf } from '../contract/structure-date';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { findReadableContract } from '../contract/contract.lookups';
import { visibleContractIds } from '../request/authorisation';
import { Identity } from '../request/identity';
import { Organisation } from '../organisation/organisation.entity';
import { countedSql } from './funding-visibility';
import { Funding } from './funding.entity';
import type { FundingFilter } from './funding.filter';

// Query builders of funding lines, shared by resolvers, loaders, services and exports: they live apart
// so that none of these imports another for them.

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

/** Matches an organisation given as an id, a SIREN, or a name as written. */
function organisationMatch(alias: string, parameter: string, value: string): Brackets {
  return new Brackets((where) => {
    if (/^\d+$/.test(value)) where.where(`${alias}.id = :${parameter}Id`, { [`${parameter}Id`]: Number(value) }).orWhere(`${alias}.siren = :${parameter}`, { [parameter]: value });
    else where.where(`${alias}.name = :${parameter}`, { [parameter]: value }).orWhere(`${alias}.short_name = :${parameter}`, { [parameter]: value });
  });
}

export type FundingRelationAlias = 'funder' | 'programme' | 'beneficiary';

/**
 * The counted lines matching `filter`. By default each line comes with its funder, programme,
 * beneficiary and batch selected (for lists of entities). Aggregates pass `lean`: no relation selected,
 * and only the joins that the filter and the caller's own expressions need — SQLite does not drop an
 * unused LEFT JOIN, and every extra one costs on a million lines.
 */
export function filteredFundings(
  dataSource: DataSource,
  filter: FundingFilter,
  asOf: Date | null = null,
  lean?: { join: readonly FundingRelationAlias[] },
): SelectQueryBuilder<Funding> {
  const query = lean ? countedFundings(dataSource, 'funding', asOf) : fundingQuery(dataSource, 'funding', asOf);
  if (lean) {
    const joins = new Set<FundingRelationAlias>(lean.join);
    if (filter.funder) joins.add('funder');
    if (filter.programme) joins.add('programme');
    if (filter.beneficiary) joins.add('beneficiary');
    for (const alias of joins) query.leftJoin(`funding.${alias}`, alias);
  }
  if (filter.contract) {
    query.innerJoin(Contract, 'contract', 'contract.id = funding.contract_id').andWhere('contract.code = :contractCode', { contractCode: filter.contract });
  }
  if (filter.contracts) {
    const codes = filter.contracts.length ? filter.contracts : [''];
    query.andWhere(`funding.contract_id IN (SELECT listed.id FROM contract listed WHERE listed.code IN (:...contractCodes))`, { contractCodes: codes });
  }
  if (filter.contractIds) {
    if (filter.contractIds.length) query.andWhere('funding.contract_id IN (:...scopeContractIds)', { scopeContractIds: [...filter.contractIds] });
    else query.andWhere('1 = 0');
  }
  const needsAction = filter.action || filter.orientation || (filter.axis !== undefined && filter.axis !== null);
  if (needsAction) query.innerJoin('funding.action', 'action');
  if (filter.action) query.andWhere('action.code = :actionCode', { actionCode: filter.action });
  if (filter.orientation || (filter.axis !== undefined && filter.axis !== null)) {
    if (asOf) {
      // At a past moment, the orientation the action was in then (an amendment may have moved it since).
      query.innerJoin(Orientation, 'orientation', `orientation.id = ${placedOrientation(query, 'action', structureDateOf(asOf))}`);
    } else query.innerJoin('action.orientation', 'orientation');
  }
  if (filter.orientation) query.andWhere('orientation.code = :orientationCode', { orientationCode: filter.orientation });
  if (filter.axis !== undefined && filter.axis !== null) {
    query.innerJoin('orientation.axis', 'axis').andWhere('axis.number = :axisNumber', { axisNumber: filter.axis });
  }
  if (filter.funder) query.andWhere(organisationMatch('funder', 'funder', filter.funder));
  if (filter.beneficiary) query.andWhere(organisationMatch('beneficiary', 'beneficiary', filter.beneficiary));
  if (filter.programme) query.andWhere('programme.code = :programmeCode', { programmeCode: filter.programme });
  if (filter.yearFrom !== undefined && filter.yearFrom !== null) query.andWhere('funding.year >= :yearFrom', { yearFrom: filter.yearFrom });
  if (filter.yearTo !== undefined && filter.yearTo !== null) query.andWhere('funding.year <= :yearTo', { yearTo: filter.yearTo });
  if (filter.stage?.length) query.andWhere('funding.stage IN (:...stages)', { stages: filter.stage });
  if (filter.instrument?.length) query.andWhere('funding.instrument IN (:...instruments)', { instruments: filter.instrument });
  if (filter.creditNature?.length) query.andWhere('funding.credit_nature IN (:...creditNatures)', { creditNatures: filter.creditNature });
  if (filter.kind?.length) query.andWhere('funding.import_kind IN (:...importKinds)', { importKinds: filter.kind });
  if (filter.source) {
    query.innerJoin(Organisation, 'declarer', 'declarer.id = funding.source_id').andWhere(organisationMatch('declarer', 'declarer', filter.source));
  }
  return query;
}

/**
 * The filter a caller's request runs with: a contract it names outside its token's scope is refused
 * (FORBIDDEN, findReadableContract), and the lines are restricted to the contracts it may see, so a
 * cross-contract answer (no contract, or `contracts`) never counts another's rows.
 */
export async function scopedFundingFilter(ctx: { dataSource: DataSource; identity: Identity | null }, filter: FundingFilter | null | undefined): Promise<FundingFilter> {
  const scoped: FundingFilter = { ...(filter ?? {}) };
  for (const code of [...(scoped.contract ? [scoped.contract] : []), ...(scoped.contracts ?? [])]) await findReadableContract(ctx, code);
  const ids = visibleContractIds(ctx);
  if (ids !== null) scoped.contractIds = ids;
  return scoped;
}
