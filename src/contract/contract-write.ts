import { DataSource, EntityManager } from 'typeorm';
import { AuditHook } from '../audit/audit.service';
import { AuthContext, mayAccessContract, requireContractAccess } from '../request/authorisation';
import { SQLITE_BUSY_TIMEOUT_MS } from '../sql/sqlite-busy-timeout';

/**
 * The one door of a write to a contract's data (actions, indicators and their values, fundings, import
 * batches): a service hands its writes to `writeToContract`, which
 *  1. waits for this process's turn on the contract (inTurn),
 *  2. opens the transaction (on SQLite it takes its turn among the process's transactions:
 *     src/db/sqlite-transaction-turns.ts),
 *  3. locks the contract as the transaction's first statement (lockContract),
 *  4. runs the writes,
 *  5. bumps the contract's data version, the key of the aggregate cache, when the writes changed its data,
 *  6. writes the caller's audit row,
 *  7. commits, or rolls all of it back when any step throws.
 * Every lock is taken in one order, contract → the write's own rows → the contract's version row, so two
 * writes to one contract cannot deadlock on each other; and a write cannot forget the bump (stale totals
 * from the cache) or record its audit row outside its transaction.
 * Not through it: the abandon of a preview (import-issues.routes.ts), which changes no figure and must not
 * wait for the contract's lock; it only takes this process's turn (inTurn).
 */

/** The contract a write goes to: its id, or its code as a request named it (null: the request named none). */
export type ContractKey = { id: number } | { code: string } | null;

/** What writeToContract does around the writes, beside the lock. */
export interface ContractWriteOptions<T> {
  /**
   * Whether the writes changed what the contract's figures are computed from (default: always). When not
   * (a rejected or unchanged import), the cached aggregates stay valid: the version is not bumped.
   */
  changed?: (result: T) => boolean;
  /** The write's audit row, written after the bump in the same transaction: it commits or rolls back with the write. */
  audit?: AuditHook<T>;
  /**
   * Who asks (a request's context): the write is refused (FORBIDDEN) when the contract is outside its
   * token's scope (src/auth/contract-scope.ts). Absent: the command line, which holds the database.
   */
  caller?: AuthContext;
}

/**
 * Runs `write` (in the transaction, under the contract's lock) as described above; returns what it returns.
 * `write` must not call writeToContract again for the same contract: it would wait for its own turn.
 */
export async function writeToContract<T>(dataSource: DataSource, contract: ContractKey, { changed, audit, caller }: ContractWriteOptions<T>, write: (manager: EntityManager) => Promise<T>): Promise<T> {
  const contractId = await contractIdOf(dataSource, contract);
  if (caller && contractId !== null && !mayAccessContract(caller, contractId)) {
    const [row] = await dataSource.query('SELECT code FROM contract WHERE id = ?', [contractId]);
    requireContractAccess(caller, { id: contractId, code: String(row?.code ?? contractId) });
  }
  if (contractId === null) {
    // An unknown contract: the writes run for the errors they report (an input names an unknown contract
    // among other mistakes, all reported at once), and must not succeed.
    return dataSource.transaction(async (manager) => {
      await write(manager);
      throw new Error(`Écriture sans contrat (${JSON.stringify(contract)}) : une écriture doit toujours viser un contrat existant.`);
    });
  }
  return inTurn(dataSource, contractId, () =>
    whileAnotherProcessWrites(dataSource, (locked) =>
      dataSource.transaction(async (manager) => {
        await lockContract(manager, contractId);
        locked();
        const result = await write(manager);
        // Last of the data writes (see bumpContractVersion): cached aggregates keyed by the old version retire
        // with this commit.
        if (changed?.(result) ?? true) await bumpContractVersion(manager, contractId);
        await audit?.(manager, result);
        return result;
      }),
    ),
  );
}

/** How long a write waits on SQLite for another process's transaction on the same file, at most. */
export const SQLITE_LOCK_WAIT_MS = 30_000;
/** How long one attempt at SQLite's write lock may block the event loop (the connection's busy timeout while locking). */
const SQLITE_LOCK_ATTEMPT_MS = 20;

/**
 * SQLite with two processes on one file (a second server, `crte import` while the server runs): the write
 * lock is the file's, and better-sqlite3 waits for it synchronously, for the connection's whole busy timeout
 * (5 s), with the event loop stopped; past it the request failed with « database is locked » (a 500, met by
 * test/faults/concurrent.test.ts). Here the lock is tried for a few milliseconds at a time; while another
 * process holds it, the transaction is rolled back (nothing was written: the lock is its first statement,
 * and a deferred transaction that failed to write keeps a stale snapshot) and begun again after a pause
 * that leaves the event loop to the other requests, up to SQLITE_LOCK_WAIT_MS. MySQL/MariaDB wait on the
 * row lock without blocking the process: nothing to do.
 */
async function whileAnotherProcessWrites<T>(dataSource: DataSource, attempt: (locked: () => void) => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'better-sqlite3') return attempt(() => undefined);
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
    let hasLock = false;
    const connection = sqliteConnection(dataSource);
    connection?.pragma(`busy_timeout = ${SQLITE_LOCK_ATTEMPT_MS}`);
    try {
      return await attempt(() => {
        hasLock = true;
        connection?.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      });
    } catch (error) {
      if (hasLock || !isSqliteBusy(error) || Date.now() + pause > deadline) throw error;
    } finally {
      if (!hasLock) connection?.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    }
    await new Promise((resume) => setTimeout(resume, pause));
  }
}

function sqliteConnection(dataSource: DataSource): { pragma(sql: string): unknown } | null {
  const connection = (dataSource.driver as unknown as { databaseConnection?: { pragma?: (sql: string) => unknown } }).databaseConnection;
  return connection && typeof connection.pragma === 'function' ? (connection as { pragma(sql: string): unknown }) : null;
}

function isSqliteBusy(error: unknown): boolean {
  const code = (error as { driverError?: { code?: unknown }; code?: unknown } | null)?.driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** A contract's id from its key; null for a code no contract has. Ids and codes of contracts do not change while a server runs. */
async function contractIdOf(dataSource: DataSource, contract: ContractKey): Promise<number | null> {
  if (contract === null) return null;
  if ('id' in contract) return contract.id;
  const [row] = await dataSource.query('SELECT id FROM contract WHERE code = ?', [contract.code]);
  return row ? Number(row.id) : null;
}

/**
 * In this process, the writes to a contract run one after the other. On SQLite all transactions of the
 * process already do (src/db/sqlite-transaction-turns.ts: one connection, where a transaction begun during
 * another would be a savepoint of it), so this adds nothing there. On MySQL/MariaDB the database's locks
 * keep them apart (lockContract, also across processes); queuing here keeps a process's queued writes to
 * one contract (applies of large files) from each holding a pool connection while it waits on InnoDB's row
 * lock, where a long queue would meet innodb_lock_wait_timeout.
 */
const turns = new WeakMap<DataSource, Map<number, Promise<unknown>>>();

/** Also for the one change of a contract's batches that is not a write to its data: an abandon (import-issues.routes.ts). */
export function inTurn<T>(dataSource: DataSource, contractId: number, work: () => Promise<T>): Promise<T> {
  let queue = turns.get(dataSource);
  if (!queue) turns.set(dataSource, (queue = new Map()));
  const mine = (queue.get(contractId) ?? Promise.resolve()).then(work, work);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  queue.set(contractId, settled);
  void settled.then(() => {
    if (queue.get(contractId) === settled) queue.delete(contractId);
  });
  return mine;
}

/**
 * Writes to one contract take turns, and each sees the contract as the previous one left it: an import's
 * file was resolved before the transaction, so two uploads at once both found an action or an organisation
 * new and both inserted it (duplicate key), or both superseded the same lines (deadlocks on MariaDB); two
 * requests on one batch both found it applicable. A no-op UPDATE of the contract row is the lock on both
 * databases (row lock on InnoDB, the write lock on SQLite: it must be the transaction's first statement, so
 * that its reads are not of a snapshot older than the lock).
 */
async function lockContract(manager: EntityManager, contractId: number): Promise<void> {
  await manager.query('UPDATE contract SET code = code WHERE id = ?', [contractId]);
}

/**
 * Bumps one contract's version (src/cache/data-version.ts), in the write's transaction, after its last write
 * that a cached read may see: on SQLite, reads on the shared connection see the transaction's rows as they
 * are written, and what they compute after the bump is kept under the new version (aggregate-cache.ts,
 * storable). Only writeToContract calls it, so that no write to a contract can forget it.
 */
async function bumpContractVersion(manager: EntityManager, contractId: number): Promise<void> {
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
    manager.connection.options.type === 'better-sqlite3'
      ? 'INSERT INTO contract_data_version (contract_id, version) VALUES (?, 1) ON CONFLICT (contract_id) DO UPDATE SET version = version + 1'
      : 'INSERT INTO contract_data_version (contract_id, version) VALUES (?, 1) ON DUPLICATE KEY UPDATE version = version + 1',
    [contractId],
  );
}
