import { EntityManager } from 'typeorm';
import { Contract } from './contract.entity';

/**
 * The contract with this code, or null: the one look-up by code. Mutations pass their transaction's
 * manager, the rest `dataSource.manager`.
 */
export async function findContract(manager: EntityManager, code: string): Promise<Contract | null> {
  return manager.getRepository(Contract).findOne({ where: { code } });
}
