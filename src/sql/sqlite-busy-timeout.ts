/**
 * How long a SQLite statement waits, synchronously, for another connection's lock before « database is
 * locked »: every connection the process opens to the file sets it (writes to a contract try the lock in
 * shorter attempts, src/contract/contract-write.ts).
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;
