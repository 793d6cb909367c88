/**
 * WAL checkpoints of a SQLite database, run on a thread of their own.
 *
 * By default SQLite checkpoints in the connection that commits, once the WAL passes 1 000 pages: the commit
 * of a 100 000-line import then copied ~25 MB into the database file before returning (130 ms of its 175 ms
 * here), blocking the event loop, so every request waiting meanwhile. As SQLite's documentation suggests
 * for such applications, the server's connection does not checkpoint (wal_autocheckpoint = 0) and a second
 * connection, in a worker thread, runs a PASSIVE checkpoint every second: it never blocks the readers nor
 * the writer, and the WAL stays bounded by a second of writes. When the server stops, the checkpointer
 * runs a last checkpoint and closes first; the last connection to close then checkpoints what is left
 * (SQLite does at close).
 */
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';

const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next turn checkpoints.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') checkpoint();
  if (message === 'close') {
    clearInterval(timer);
    checkpoint();
    db.close();
    process.exit(0);
  }
});
parentPort.postMessage('ready');
`;

export const CHECKPOINT_INTERVAL_MS = 1000;

const checkpointers = new WeakMap<DataSource, Worker>();

/**
 * Starts the checkpointer of an initialised SQLite data source (a file, in WAL mode) and turns off the
 * checkpoints of its own connection; `dataSource.destroy()` stops it first. Does nothing for other databases.
 */
export async function startCheckpointer(dataSource: DataSource): Promise<void> {
  const options = dataSource.options as { type: string; database?: string };
  if (options.type !== 'better-sqlite3' || !options.database || options.database === ':memory:' || checkpointers.has(dataSource)) return;
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { module: require.resolve('better-sqlite3'), path: options.database, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  // A checkpointer that dies (the file removed under it) leaves the connection to checkpoint as before.
  worker.on('error', () => void dataSource.query('PRAGMA wal_autocheckpoint = 1000').catch(() => undefined));
  worker.unref();
  checkpointers.set(dataSource, worker);
  await dataSource.query('PRAGMA wal_autocheckpoint = 0');
  const destroy = dataSource.destroy.bind(dataSource);
  dataSource.destroy = async () => {
    await stopCheckpointer(dataSource);
    return destroy();
  };
}

/** Asks for a checkpoint now (after a large write), without waiting for it. */
export function requestCheckpoint(dataSource: DataSource): void {
  checkpointers.get(dataSource)?.postMessage('checkpoint');
}

async function stopCheckpointer(dataSource: DataSource): Promise<void> {
  const worker = checkpointers.get(dataSource);
  if (!worker) return;
  checkpointers.delete(dataSource);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // Waited for: the process stays alive until the last checkpoint is done (or 5 s).
  worker.ref();
  worker.postMessage('close');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
  await worker.terminate().catch(() => undefined);
  if (dataSource.isInitialized) await dataSource.query('PRAGMA wal_autocheckpoint = 1000').catch(() => undefined);
}
