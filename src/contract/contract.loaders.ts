import type DataLoader from 'dataloader';
import { DataSource, IsNull } from 'typeorm';
import { anyId, byIdLoader, groupLoader, idsIn } from '../common/batch-loader';
import { Axis } from './axis.entity';
import { ContractParty } from './contract-party.entity';
import { Contract } from './contract.entity';
import { Orientation } from './orientation.entity';

export interface ContractLoaders {
  contractById: DataLoader<number, Contract | null>;
  axesByContract: DataLoader<number, Axis[]>;
  axisById: DataLoader<number, Axis | null>;
  /** An axis's first-level orientations (their sub-orientations: orientationsByParent). */
  orientationsByAxis: DataLoader<number, Orientation[]>;
  orientationsByParent: DataLoader<number, Orientation[]>;
  orientationById: DataLoader<number, Orientation | null>;
  partiesByContract: DataLoader<number, ContractParty[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends ContractLoaders {}
}

export function createContractLoaders(dataSource: DataSource): ContractLoaders {
  return {
    contractById: byIdLoader((ids) => dataSource.getRepository(Contract).find({ where: { id: anyId(dataSource, ids) } })),
    axesByContract: groupLoader(
      // In force today: not closed by an amendment (none is dated after today; the past: amendment.loaders.ts).
      (ids) => dataSource.getRepository(Axis).find({ where: { contractId: anyId(dataSource, ids), closedOn: IsNull() }, order: { number: 'ASC' } }),
      (axis) => axis.contractId,
    ),
    axisById: byIdLoader((ids) => dataSource.getRepository(Axis).find({ where: { id: anyId(dataSource, ids) } })),
    orientationsByAxis: groupLoader(
      (ids) => dataSource.getRepository(Orientation).find({ where: { axisId: anyId(dataSource, ids), parentId: IsNull(), closedOn: IsNull() }, order: { code: 'ASC' } }),
      (orientation) => orientation.axisId,
    ),
    orientationsByParent: groupLoader(
      (ids) => dataSource.getRepository(Orientation).find({ where: { parentId: anyId(dataSource, ids), closedOn: IsNull() }, order: { code: 'ASC' } }),
      (orientation) => orientation.parentId!,
    ),
    orientationById: byIdLoader((ids) => dataSource.getRepository(Orientation).find({ where: { id: anyId(dataSource, ids) } })),
    partiesByContract: groupLoader(
      (ids) =>
        dataSource
          .getRepository(ContractParty)
          .createQueryBuilder('party')
          .innerJoinAndSelect('party.organisation', 'organisation')
          .where(...idsIn(dataSource, 'party.contract_id', ids))
          .orderBy('organisation.name', 'ASC')
          .getMany(),
      (party) => party.contractId,
    ),
  };
}
