import { DataSource, EntityManager, WhereExpressionBuilder } from 'typeorm';
import { AuthContext, requireContractAccess, visibleContractIds } from '../request/authorisation';
import { Identity } from '../request/identity';
import { Contract } from './contract.entity';

/**
 * The contract with this code, or null: the one look-up by code. Mutations pass their transaction's
 * manager, the rest `dataSource.manager`.
 */
export async function findContract(manager: EntityManager, code: string): Promise<Contract | null> {
  return manager.getRepository(Contract).findOne({ where: { code } });
}

/**
 * The contract a request names, if the caller may see it: null for an unknown code (as before), a FORBIDDEN
 * refusal for a contract outside the token's scope (src/auth/contract-scope.ts). Every entry that takes a
 * contract code asks here.
 */
export async function findReadableContract(ctx: { dataSource: DataSource; identity: Identity | null }, code: string, manager: EntityManager = ctx.dataSource.manager): Promise<Contract | null> {
  const contract = await findContract(manager, code);
  if (contract) requireContractAccess(ctx, contract);
  return contract;
}

/** Lists across contracts (actions, fundings, batches, audit): only the rows of the contracts the caller may see. */
export function restrictToVisibleContracts<Q extends WhereExpressionBuilder>(ctx: AuthContext, query: Q, column: string): Q {
  const ids = visibleContractIds(ctx);
  if (ids === null) return query;
  if (!ids.length) return query.andWhere('1 = 0') as Q;
  return query.andWhere(`${column} IN (:...visibleContractIds)`, { visibleContractIds: [...ids] }) as Q;
}
