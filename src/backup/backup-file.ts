/**
 * The dump a MySQL/MariaDB backup is written as: gzip of JSON lines.
 *
 *   {"format":"crte-backup","version":1,"createdAt":…,"dialect":"mysql","server":…,"migrations":[{timestamp,name}…]}
 *   {"table":"action","columns":[{"name":"id","kind":"int"},…],"primaryKey":["id"],"nextId":123}
 *   [1,"CRTE-DOUAISIS",…]            one line per row, canonical values (table-reader.ts)
 *   {"end":"action","rows":10000,"sha256":"…"}   the count and hash of the table's row lines
 *   …
 *   {"end":true,"tables":22}          a dump without this line was cut short
 *
 * Every table is there, `migrations` included (the schema version the rows belong to). A SQLite backup is
 * a SQLite file instead (its online backup); restore.service.ts reads both.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ColumnInfo, Dialect, TableDigest, TableInfo } from './table-reader';

export const BACKUP_FORMAT = 'crte-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface MigrationRecord {
  timestamp: number;
  name: string;
}

export interface DumpHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  dialect: Dialect;
  server: string;
  migrations: MigrationRecord[];
}

export interface DumpTableStart {
  table: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  nextId: number | null;
}

/** What a restore reads, whichever the file: the schema version, then each table and its rows. */
export interface BackupSource {
  /** The database the backup was taken from. */
  dialect: Dialect;
  migrations: MigrationRecord[];
  tables(): AsyncIterable<SourceTable>;
  close(): Promise<void>;
}

export interface SourceTable {
  info: TableInfo;
  rows: AsyncIterable<unknown[]>;
  /** Once `rows` is exhausted: the count and hash of what was read (checked against the file's own for a dump). */
  digest(): TableDigest;
}

/** A table whose digest is known once its rows have been read to the end (the caller's generator sets it). */
export function sourceTable(info: TableInfo, rows: AsyncIterable<unknown[]>, readDigest: () => TableDigest | null): SourceTable {
  return {
    info,
    rows,
    digest: () => {
      const digest = readDigest();
      if (!digest) throw new Error(`table ${info.name} not read to its end`);
      return digest;
    },
  };
}

export class BackupFileError extends Error {}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

export function backupKind(head: Buffer): 'sqlite' | 'dump' | null {
  if (head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return 'sqlite';
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'dump';
  return null;
}

/** Reads a dump line by line, checking each table's count and hash and the closing line as it goes. */
export async function openDumpSource(path: string): Promise<BackupSource> {
  const input = createReadStream(path).pipe(createGunzip());
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next().catch((error: Error) => {
      throw new BackupFileError(`Sauvegarde illisible (${error.message}) : fichier tronqué ou endommagé.`);
    });
    if (line.done) throw new BackupFileError('Sauvegarde incomplète : le fichier s’arrête avant sa fin (copie interrompue ?).');
    return line.value;
  };
  const header = parseLine(await next()) as Partial<DumpHeader>;
  if (header.format !== BACKUP_FORMAT || typeof header.version !== 'number') throw new BackupFileError('Ce fichier n’est pas une sauvegarde de crte.');
  if (header.version > BACKUP_FORMAT_VERSION) {
    throw new BackupFileError(`Sauvegarde au format ${header.version}, plus récent que celui que cette version lit (${BACKUP_FORMAT_VERSION}) : mettez l’application à jour.`);
  }
  let tableCount = 0;
  return {
    dialect: header.dialect ?? 'mysql',
    migrations: header.migrations ?? [],
    async *tables() {
      for (;;) {
        const line = parseLine(await next()) as Partial<DumpTableStart> & { end?: unknown; tables?: number };
        if (line.end === true) {
          if (line.tables !== tableCount) throw new BackupFileError(`Sauvegarde incohérente : ${line.tables} tables annoncées, ${tableCount} lues.`);
          return;
        }
        if (typeof line.table !== 'string' || !Array.isArray(line.columns)) throw new BackupFileError('Sauvegarde endommagée : début de table attendu.');
        const info: TableInfo = { name: line.table, columns: line.columns, primaryKey: line.primaryKey ?? [], nextId: line.nextId ?? null };
        const hash = createHash('sha256');
        let count = 0;
        let digest: TableDigest | null = null;
        async function* rows(): AsyncGenerator<unknown[]> {
          for (;;) {
            const text = await next();
            if (text.startsWith('[')) {
              const row = parseLine(text) as unknown[];
              if (row.length !== info.columns.length) throw new BackupFileError(`Sauvegarde endommagée : ligne ${count + 1} de ${info.name} incomplète.`);
              hash.update(text + '\n');
              count++;
              yield row;
              continue;
            }
            const end = parseLine(text) as { end?: string; rows?: number; sha256?: string };
            if (end.end !== info.name) throw new BackupFileError(`Sauvegarde endommagée : fin de la table ${info.name} attendue.`);
            const sha256 = hash.digest('hex');
            if (end.rows !== count || end.sha256 !== sha256) {
              throw new BackupFileError(`Sauvegarde endommagée : la table ${info.name} ne correspond pas à son empreinte (${count} lignes lues, ${end.rows} annoncées).`);
            }
            digest = { rows: count, sha256 };
            return;
          }
        }
        const table = sourceTable(info, rows(), () => digest);
        yield table;
        // A consumer that skipped the rows still has to move past them.
        if (!digest) for await (const _row of table.rows) void _row;
        tableCount++;
      }
    },
    async close() {
      lines.return?.();
      input.destroy();
    },
  };
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BackupFileError('Sauvegarde endommagée : une ligne n’est pas du JSON.');
  }
}
