import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * On SQLite, the transactions of a data source take turns within the process.
 *
 * TypeORM's better-sqlite3 driver has one query runner, on one connection, for the whole data source
 * (BetterSqlite3Driver.createQueryRunner), and its startTransaction only opens a SAVEPOINT when a
 * transaction is already open on it (transactionDepth > 0). So a request's transaction begun while another
 * request's transaction awaited (an import reading its file again in a worker) ran inside that one: its
 * « commit » only released a savepoint, its client was told the write was done, and the other's ROLLBACK
 * took the write away. SQLite's own lock cannot help: there is no second connection to wait on it.
 *
 * Here a transaction begun at depth 0 of this process's code waits for the one running to end (an async
 * mutex, first come first served). A transaction begun from inside the running one (its callback calls
 * `manager.transaction` or `dataSource.transaction` again) is recognised through AsyncLocalStorage and
 * stays what TypeORM makes it, a savepoint, without waiting for itself. Statements outside transactions do
 * not wait: reads go on during an import, and see its uncommitted rows (one connection; aggregate-cache.ts
 * copes with that). MySQL/MariaDB are left alone: a pool, a connection per transaction, real isolation.
 */
export function installTransactionTurns(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3' || turnsOf.has(dataSource)) return;
  const turns = new Turns();
  turnsOf.set(dataSource, turns);
  // The entry points that run a callback: the data source's manager (dataSource.transaction uses it) and
  // the managers created with the runner (the one a transaction's callback receives among them).
  guardManager(dataSource.manager, turns);
  const createEntityManager = dataSource.createEntityManager.bind(dataSource);
  dataSource.createEntityManager = (queryRunner?: QueryRunner) => guardManager(createEntityManager(queryRunner), turns);
  // The single runner: the driver creates it once and hands it to every caller.
  guardRunner(dataSource.createQueryRunner(), turns);
}

/** The turns of one data source: who holds the connection's transaction, and who waits for it. */
class Turns {
  /** The context of the transaction's callback; set while its transaction runs. */
  readonly context = new AsyncLocalStorage<Turn>();
  private held = false;
  private readonly waiting: Array<() => void> = [];

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the connection to the next in line (still held), or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

/** One top-level transaction: whether it holds the turn (its BEGIN ran, its COMMIT/ROLLBACK not yet). */
interface Turn {
  holds: boolean;
}

const turnsOf = new WeakMap<DataSource, Turns>();
const guarded = new WeakSet<object>();

/**
 * `manager.transaction(callback)`: from inside a turn, TypeORM's own (a savepoint); otherwise the callback
 * runs in a turn of its own, which the runner's startTransaction waits for.
 */
function guardManager(manager: EntityManager, turns: Turns): EntityManager {
  if (guarded.has(manager)) return manager;
  guarded.add(manager);
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  (manager as { transaction: unknown }).transaction = async (...args: unknown[]) => {
    if (turns.context.getStore()?.holds) return transaction(...args);
    const turn: Turn = { holds: false };
    try {
      return await turns.context.run(turn, () => transaction(...args));
    } finally {
      // COMMIT and ROLLBACK both failed (the runner still counts the transaction open): the turn ends
      // anyway, so that one broken transaction does not stop every later write.
      if (turn.holds) {
        turn.holds = false;
        turns.release();
      }
    }
  };
  return manager;
}

/**
 * The runner's BEGIN waits for the turn unless it is a savepoint of the turn's own transaction; the
 * COMMIT or ROLLBACK that closes depth 0 ends the turn. Also covers transactions TypeORM begins by itself
 * (a `save` outside a transaction, migrations), which have no callback context: they take a turn too.
 */
function guardRunner(runner: QueryRunner, turns: Turns): void {
  if (guarded.has(runner)) return;
  guarded.add(runner);
  const startTransaction = runner.startTransaction.bind(runner);
  const commitTransaction = runner.commitTransaction.bind(runner);
  const rollbackTransaction = runner.rollbackTransaction.bind(runner);
  let current: Turn | null = null;

  runner.startTransaction = async (isolationLevel) => {
    const inherited = turns.context.getStore();
    if (inherited?.holds) return startTransaction(isolationLevel);
    await turns.acquire();
    const turn = inherited ?? { holds: false };
    turn.holds = true;
    current = turn;
    try {
      await startTransaction(isolationLevel);
    } catch (error) {
      end(turn);
      throw error;
    }
  };
  const end = (turn: Turn) => {
    if (!turn.holds) return;
    turn.holds = false;
    if (current === turn) current = null;
    turns.release();
  };
  const closing = (close: () => Promise<void>) => async () => {
    try {
      await close();
    } finally {
      if (current && !runner.isTransactionActive) end(current);
    }
  };
  runner.commitTransaction = closing(commitTransaction);
  runner.rollbackTransaction = closing(rollbackTransaction);
}
