import { DataSource, EntityManager } from 'typeorm';

/**
 * Data versions, the key of the aggregate cache (aggregate-cache.ts). Every write that changes a
 * contract's fundings, actions, indicators or values bumps that contract's version in its own
 * transaction, so a version read outside a transaction never runs ahead of the data it names. The
 * global version, for aggregates without a contract, is the sum of the contracts' versions: it moves
 * with every bump without a shared row that would make writes on two contracts wait for each other.
 */

function isSqlite(manager: EntityManager | DataSource): boolean {
  const type = (manager instanceof DataSource ? manager : manager.connection).options.type;
  return type === 'better-sqlite3';
}

/**
 * Bumps one contract's version, in the caller's transaction, after its last write that a cached read
 * may see: on SQLite, reads on the shared connection see the transaction's rows as they are written, and
 * what they compute after the bump is kept under the new version (aggregate-cache.ts, storable).
 */
export async function bumpContractVersion(manager: EntityManager, contractId: number): Promise<void> {
  // An UPDATE of a present row locks only that row on InnoDB; contracts created since the migration
  // (seed, tests) get their row here.
  const updated = await manager
    .createQueryBuilder()
    .update('contract_data_version')
    .set({ version: () => 'version + 1' })
    .where('contract_id = :contractId', { contractId })
    .execute();
  if (updated.affected) return;
  await manager.query(
    isSqlite(manager)
      ? 'INSERT INTO contract_data_version (contract_id, version) VALUES (?, 1) ON CONFLICT (contract_id) DO UPDATE SET version = version + 1'
      : 'INSERT INTO contract_data_version (contract_id, version) VALUES (?, 1) ON DUPLICATE KEY UPDATE version = version + 1',
    [contractId],
  );
}

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
