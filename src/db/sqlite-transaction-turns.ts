import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { DataSource, EntityManager, QueryFailedError, QueryResult, QueryRunner } from 'typeorm';
import { ArrayRows, registerSqliteArrayReader } from '../sql/array-rows';
import { SQLITE_BUSY_TIMEOUT_MS } from '../sql/sqlite-busy-timeout';

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
 * stays what TypeORM makes it, a savepoint, without waiting for itself.
 *
 * Other requests' statements while such a transaction is open (an apply gives the event loop back between
 * its INSERTs, issue 13): on the shared connection they would be part of it, reads seeing its uncommitted,
 * half-written rows, writes committed or rolled back with it. So a read-only statement runs on a second,
 * read-only connection to the same file, which in WAL mode sees the last commit (the data as it was before
 * the import, never half of it), without waiting; any other statement waits for the transaction to end and
 * runs alone. Statements of transactions TypeORM begins by itself (a `save` outside a transaction) cannot be
 * told from others' and stay on the shared connection (they are short). MySQL/MariaDB are left alone: a
 * pool, a connection per transaction, real isolation.
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
  guardRunner(dataSource, dataSource.createQueryRunner(), turns, new ReadConnection(dataSource));
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
  /** Begun by a callback (`transaction(callback)`): its statements run in its AsyncLocalStorage context. */
  contextual: boolean;
}

/** How many read statements the read-only connection keeps prepared. */
const READ_STATEMENT_CACHE = 200;

/**
 * A read-only connection to the data source's file, opened at the first read made during another request's
 * transaction and closed with the data source. None for an in-memory database (no second connection sees it).
 */
class ReadConnection {
  private database: Database.Database | null | undefined;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly dataSource: DataSource) {
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      this.database?.close();
      this.database = null;
      this.statements.clear();
      return destroy();
    };
  }

  /** The statement prepared on the read-only connection when it only reads; null otherwise. */
  statement(sql: string): Database.Statement | null {
    if (this.database === undefined) this.database = this.open();
    if (!this.database) return null;
    const database = this.database;
    let statement: Database.Statement;
    try {
      statement = prepared(this.statements, sql, () => database.prepare(sql));
    } catch {
      return null; // let the shared connection prepare it and report its error
    }
    return statement.readonly && statement.reader ? statement : null;
  }

  private open(): Database.Database | null {
    const shared = (this.dataSource.driver as unknown as { databaseConnection?: { name: string; memory: boolean } }).databaseConnection;
    if (!shared || shared.memory || !this.dataSource.isInitialized) return null;
    const database = new Database(shared.name, { readonly: true, fileMustExist: true });
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    return database;
  }
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
    const turn: Turn = { holds: false, contextual: true };
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
function guardRunner(dataSource: DataSource, runner: QueryRunner, turns: Turns, reader: ReadConnection): void {
  if (guarded.has(runner)) return;
  guarded.add(runner);
  const startTransaction = runner.startTransaction.bind(runner);
  const commitTransaction = runner.commitTransaction.bind(runner);
  const rollbackTransaction = runner.rollbackTransaction.bind(runner);
  const query = runner.query.bind(runner) as (sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;
  let current: Turn | null = null;

  // Another request's statement while a callback's transaction is open: see installTransactionTurns.
  (runner as { query: unknown }).query = async (sql: string, parameters?: unknown[], structured?: boolean) => {
    if (!current?.contextual || turns.context.getStore() === current) return query(sql, parameters, structured);
    const statement = reader.statement(sql);
    if (statement) return readCommitted(runner, statement, sql, parameters ?? [], structured ?? false);
    await turns.acquire();
    try {
      return await query(sql, parameters, structured);
    } finally {
      turns.release();
    }
  };

  // The same routing for the reads that want their rows as arrays (src/sql/array-rows.ts).
  const shared = new SharedArrayStatements(runner);
  registerSqliteArrayReader(dataSource, async (sql, parameters) => {
    const values = bindable(parameters);
    if (!current?.contextual || turns.context.getStore() === current) return shared.read(sql, values);
    const statement = reader.statement(sql);
    if (statement) return arrayRows(runner, statement, sql, values, true);
    await turns.acquire();
    try {
      return await shared.read(sql, values);
    } finally {
      turns.release();
    }
  });

  runner.startTransaction = async (isolationLevel) => {
    const inherited = turns.context.getStore();
    if (inherited?.holds) return startTransaction(isolationLevel);
    await turns.acquire();
    const turn = inherited ?? { holds: false, contextual: false };
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

/** As the driver: better-sqlite3 binds no booleans. */
function bindable(parameters: readonly unknown[]): unknown[] {
  return parameters.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
}

/**
 * Statements prepared on the shared connection for reads as arrays: apart from TypeORM's own cache, whose
 * statements answer objects (a statement's raw mode is its own state).
 */
class SharedArrayStatements {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly runner: QueryRunner) {}

  async read(sql: string, values: unknown[]): Promise<ArrayRows> {
    const connection = (await this.runner.connect()) as Database.Database;
    let statement: Database.Statement;
    try {
      statement = prepared(this.statements, sql, () => connection.prepare(sql).raw(true));
    } catch (error) {
      throw new QueryFailedError(sql, values, error as Error);
    }
    return arrayRows(this.runner, statement, sql, values);
  }
}

/** The statement of `sql` from `statements`, prepared at its first use; the oldest dropped past READ_STATEMENT_CACHE. */
function prepared(statements: Map<string, Database.Statement>, sql: string, prepare: () => Database.Statement): Database.Statement {
  let statement = statements.get(sql);
  if (!statement) {
    statement = prepare();
    statements.set(sql, statement);
    if (statements.size > READ_STATEMENT_CACHE) statements.delete(statements.keys().next().value!);
  }
  return statement;
}

/**
 * A read's rows as arrays, logged as the runner logs its statements (the tests count them). `borrowed`: the
 * statement is one of readCommitted's, which wants objects; its raw mode is set back after.
 */
function arrayRows(runner: QueryRunner, statement: Database.Statement, sql: string, values: unknown[], borrowed = false): ArrayRows {
  runner.connection.logger.logQuery(sql, values, runner);
  if (borrowed) statement.raw(true);
  try {
    return { columns: statement.columns().map((column) => column.name), rows: statement.all(...values) as unknown[][] };
  } catch (error) {
    throw new QueryFailedError(sql, values, error as Error);
  } finally {
    if (borrowed) statement.raw(false);
  }
}

/** A read on the read-only connection, answered as the runner's `query` answers it. */
function readCommitted(runner: QueryRunner, statement: Database.Statement, sql: string, parameters: unknown[], structured: boolean): unknown {
  const values = bindable(parameters);
  runner.connection.logger.logQuery(sql, values, runner);
  let rows: unknown[];
  try {
    rows = statement.all(...values);
  } catch (error) {
    throw new QueryFailedError(sql, values, error as Error);
  }
  if (!structured) return rows;
  const result = new QueryResult();
  result.raw = rows;
  result.records = rows;
  return result;
}
