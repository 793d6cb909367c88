import { DataSource, EntityManager } from 'typeorm';

/**
 * Data versions, the key of the aggregate cache (aggregate-cache.ts). Every write that changes a
 * contract's fundings, actions, indicators or values bumps that contract's version in its own
 * transaction (the write goes through writeToContract, src/contract/contract-write.ts, which bumps), so a
 * version read outside a transaction never runs ahead of the data it names. The
 * global version, for aggregates without a contract, is the sum of the contracts' versions: it moves
 * with every bump without a shared row that would make writes on two contracts wait for each other.
 */

/** Bumps every contract's version (reference data shared by all contracts changed: organisations, programmes…). */
export async function bumpAllVersions(manager: EntityManager): Promise<void> {
  await manager.query('INSERT INTO contract_data_version (contract_id, version) SELECT c.id, 0 FROM contract c WHERE NOT EXISTS (SELECT 1 FROM contract_data_version v WHERE v.contract_id = c.id)');
  await manager.query('UPDATE contract_data_version SET version = version + 1');
}

/**
 * The version that keys a cached aggregate: of the contract whose code is given (`c<id>:<version>`,
 * `none` for an unknown code), else the global one (`g<sum>`). One indexed statement.
 */
export async function readDataVersion(dataSource: DataSource, contractCode: string | null): Promise<string> {
  if (contractCode === null) {
    const [row] = await dataSource.query('SELECT COALESCE(SUM(version), 0) AS version FROM contract_data_version');
    return `g${String(row?.version ?? 0)}`;
  }
  const [row] = await dataSource.query(
    'SELECT c.id AS id, v.version AS version FROM contract c LEFT JOIN contract_data_version v ON v.contract_id = c.id WHERE c.code = ?',
    [contractCode],
  );
  return row ? `c${String(row.id)}:${String(row.version ?? 0)}` : 'none';
}
