import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { Action } from '../../src/action/action.entity';
import { batchEvent, cliActor, recordAudit } from '../../src/audit/audit.service';
import { createToken } from '../../src/auth/token.service';
import { Role } from '../../src/kernel/role.enum';
import { backupDatabase } from '../../src/backup/backup.service';
import { restoreDatabase, RestoreRefusal } from '../../src/backup/restore.service';
import { openTableReader, TableDigest, tableDigest } from '../../src/backup/table-reader';
import { DatabaseConfig } from '../../src/config';
import { revertLastMigration } from '../../src/db/migration-revert';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { previewImport } from '../../src/import-batch/import-preview.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { buildLargeContract } from '../support/builders';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';

const DOUAISIS = 'CRTE-DOUAISIS';
const audited = { audit: async (manager: any, result: any) => recordAudit(manager, cliActor(), batchEvent('IMPORT_APPLY', result)) };

/** Every base table's row count and content hash, and its next id. */
/**
 * Each table's rows hashed, in primary-key order. `columnsOf`: only these columns of the tables it names
 * (the rows of an older schema, compared after the migrations it lacked have added columns).
 */
async function snapshot(config: DatabaseConfig, columnsOf: Record<string, string[]> = {}): Promise<Record<string, TableDigest & { nextId: number | null; columns: string[] }>> {
  const reader = await openTableReader(config);
  try {
    const result: Record<string, TableDigest & { nextId: number | null; columns: string[] }> = {};
    for (const table of await reader.tables()) {
      const wanted = columnsOf[table.name];
      const columns = wanted ? table.columns.filter((column) => wanted.includes(column.name)) : table.columns;
      result[table.name] = { ...(await tableDigest(reader, table, columns)), nextId: table.nextId, columns: columns.map((column) => column.name) };
    }
    return result;
  } finally {
    await reader.close();
  }
}

/** The rows of a dump, table by table (only what the tests look at: small enough to hold). */
function dumpRows(file: string): Record<string, { columns: string[]; rows: unknown[][] }> {
  const tables: Record<string, { columns: string[]; rows: unknown[][] }> = {};
  let current: { columns: string[]; rows: unknown[][] } | null = null;
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    if (line.startsWith('[')) current!.rows.push(JSON.parse(line));
    else if (line.startsWith('{"table"')) {
      const start = JSON.parse(line);
      current = tables[start.table] = { columns: start.columns.map((c: { name: string }) => c.name), rows: [] };
    }
  }
  return tables;
}

describe(`backup and restore on ${TEST_DATABASE_TYPE}`, () => {
  let source: TestDatabase;
  const targets: TestDatabase[] = [];
  let dir: string;
  let fileSha256: string;
  const extension = TEST_DATABASE_TYPE === 'sqlite' ? 'sqlite' : 'crte.gz';

  /** A fresh, empty database on the same server (a new file, or a new MariaDB database). */
  async function freshTarget(): Promise<TestDatabase> {
    const target = await createTestDatabase({ migrate: false });
    await target.dataSource.destroy();
    targets.push(target);
    return target;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crte-backup-'));
    source = await createTestDatabase();
    const ds = source.dataSource;
    await seedReferenceData(ds);
    const imports: Array<[string, ImportKind, string]> = [
      ['annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires'],
      ['annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME'],
      ['dotations-detr-dsil-fnadt-2017-2021.xlsx', ImportKind.DOTATIONS, 'Etat'],
    ];
    for (const [file, kind, from] of imports) {
      const result = await importFile(ds, { buffer: readFileSync(fixturePath(file)), fileName: file, kind, source: from, contract: DOUAISIS }, audited.audit);
      expect(result.status).toBe('APPLIED');
    }
    // A preview left waiting: a stored file and its issues, not applied.
    const agglo = readFileSync(fixturePath('annexe3-douaisis-agglo-2022.xlsx'));
    fileSha256 = createHash('sha256').update(agglo).digest('hex');
    await previewImport(ds, { buffer: agglo, fileName: 'annexe3-douaisis-agglo-2022.xlsx', kind: ImportKind.ANNEX3, source: 'Douaisis Agglo', contract: DOUAISIS });
    await createToken(ds, { name: 'Équipe 🌍 « BI »', role: Role.EDITOR, organisationId: null });
    // Emoji, a negative amount, text with quotes and line breaks; more lines than one INSERT holds.
    await buildLargeContract(ds, { code: 'CRTE-BACKUP', actions: 150, fundingsPerAction: 10 });
    const action = await ds.getRepository(Action).findOneOrFail({ where: { code: 'ACT-0000' } });
    await ds.getRepository(Action).update(action.id, { title: 'Vélo 🚲 « pistes », "quotes"\nligne 2', description: null });
    // A deleted last row: its id must not be handed out again after a restore.
    const lastToken = await createToken(ds, { name: 'Supprimé', role: Role.READER, organisationId: null });
    await ds.query('DELETE FROM api_token WHERE id = ?', [lastToken.token.id]);
  }, 120_000);

  afterAll(async () => {
    for (const target of targets) await target.drop();
    await source?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores into a fresh database every line, batch, issue, stored file and audit event, table by table', async () => {
    const file = join(dir, `full.${extension}`);
    const before = await snapshot(source.config);
    for (const table of ['funding', 'import_batch', 'import_issue', 'import_file_chunk', 'audit_event', 'api_token', 'indicator_value']) {
      expect(before[table].rows).toBeGreaterThan(0);
    }

    const summary = await backupDatabase(source.config, file);
    expect(summary.format).toBe(TEST_DATABASE_TYPE === 'sqlite' ? 'sqlite' : 'dump');
    expect(summary.tables.find((t) => t.name === 'funding')!.rows).toBe(before.funding.rows);

    const target = await freshTarget();
    const restored = await restoreDatabase(target.config, file);
    expect(restored.verified).toBe('checksum');
    expect(restored.appliedMigrations).toEqual([]);

    // Every table, row by row: same count, same content hash, same next id.
    const after = await snapshot(target.config);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const name of Object.keys(before)) expect({ name, ...after[name] }).toEqual({ name, ...before[name] });

    // Read back independently of the backup code: the stored file's bytes, the emoji, the exact amounts.
    const [batch] = await source.dataSource.query(`SELECT id FROM import_batch WHERE sha256 = ?`, [fileSha256]);
    const chunks = target.config.type === 'sqlite' ? new Database(target.config.path, { readonly: true }) : null;
    try {
      const rows: Array<{ data: Buffer }> = chunks
        ? (chunks.prepare('SELECT data FROM import_file_chunk WHERE batch_id = ? ORDER BY seq').all(batch.id) as Array<{ data: Buffer }>)
        : await restoredQuery(target, 'SELECT data FROM import_file_chunk WHERE batch_id = ? ORDER BY seq', [batch.id]);
      const encoding: Array<{ file_encoding: string | null }> = chunks
        ? (chunks.prepare('SELECT file_encoding FROM import_batch WHERE id = ?').all(batch.id) as Array<{ file_encoding: string | null }>)
        : await restoredQuery(target, 'SELECT file_encoding FROM import_batch WHERE id = ?', [batch.id]);
      const stored = Buffer.concat(rows.map((row) => Buffer.from(row.data)));
      const bytes = encoding[0].file_encoding === 'gzip' ? gunzipSync(stored) : stored;
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(fileSha256);
      const titles: Array<{ title: string; description: string | null }> = chunks
        ? (chunks.prepare(`SELECT title, description FROM action WHERE title LIKE 'Vélo%'`).all() as any)
        : await restoredQuery(target, `SELECT title, description FROM action WHERE title LIKE 'Vélo%'`);
      expect(titles).toEqual([{ title: 'Vélo 🚲 « pistes », "quotes"\nligne 2', description: null }]);
    } finally {
      chunks?.close();
    }
    const cents = 'SELECT COUNT(*) AS n, SUM(CAST(ROUND(amount * 100) AS INTEGER)) AS cents FROM funding'.replace('INTEGER', TEST_DATABASE_TYPE === 'sqlite' ? 'INTEGER' : 'SIGNED');
    const [sourceSum] = await source.dataSource.query(cents);
    const [targetSum] = await restoredQuery(target, cents);
    expect(String(targetSum.cents)).toBe(String(sourceSum.cents));

    // Restoring over it is refused; --force replaces it.
    await expect(restoreDatabase(target.config, file)).rejects.toThrow(/contient déjà des données.*--force/);
    const forced = await restoreDatabase(target.config, file, { force: true });
    expect(forced.tables.find((t) => t.name === 'funding')!.rows).toBe(before.funding.rows);
  });

  it('refuses a backup from a newer schema, and leaves the target alone', async () => {
    const file = join(dir, `full.${extension}`);
    const future = join(dir, `future.${extension}`);
    if (TEST_DATABASE_TYPE === 'sqlite') {
      writeFileSync(future, readFileSync(file));
      const db = new Database(future);
      db.prepare('INSERT INTO migrations (timestamp, name) VALUES (?, ?)').run(1899999999999, 'FromTheFuture1899999999999');
      db.close();
    } else {
      const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
      const header = JSON.parse(lines[0]);
      header.migrations.push({ timestamp: 1899999999999, name: 'FromTheFuture1899999999999' });
      lines[0] = JSON.stringify(header);
      writeFileSync(future, gzipSync(lines.join('\n')));
    }
    const target = targets[0];
    const before = await snapshot(target.config);
    await expect(restoreDatabase(target.config, future, { force: true })).rejects.toThrow(RestoreRefusal);
    await expect(restoreDatabase(target.config, future, { force: true })).rejects.toThrow(/version plus récente.*FromTheFuture/);
    expect(await snapshot(target.config)).toEqual(before);
  });

  it('restores a backup of an older schema, then runs the migrations it lacked on its rows', async () => {
    const older = await createTestDatabase();
    targets.push(older);
    await seedReferenceData(older.dataSource);
    await importFile(
      older.dataSource,
      { buffer: readFileSync(fixturePath('annexe3-ademe-2021-2023.csv')), fileName: 'ademe.csv', kind: ImportKind.ANNEX3, source: 'ADEME', contract: DOUAISIS },
      audited.audit,
    );
    // Back to the release before FileEncoding, whatever migrations came after it.
    const lacked: string[] = [];
    while (lacked[0] !== 'FileEncoding1764806400000') lacked.unshift((await revertLastMigration(older.dataSource))!);
    const previous = await snapshot(older.config);
    const file = join(dir, `older.${extension}`);
    await backupDatabase(older.config, file);
    expect(previous.import_batch.rows).toBe(1);

    const target = await freshTarget();
    const summary = await restoreDatabase(target.config, file);
    expect(summary.backupMigration).toBe('DataVersion1764720000000');
    expect(summary.appliedMigrations).toEqual(lacked);
    // The rows as they were, in the columns they had (a later migration may add some, as credit_nature to funding).
    const compared = ['funding', 'audit_event', 'import_file_chunk', 'import_issue', 'organisation', 'contract_data_version'];
    const after = await snapshot(target.config, Object.fromEntries(compared.map((name) => [name, previous[name].columns])));
    for (const name of compared) expect(after[name]).toEqual(previous[name]);
    const [batch] = await restoredQuery(target, 'SELECT file_encoding FROM import_batch');
    expect(batch).toEqual({ file_encoding: null });
  });

  (TEST_DATABASE_TYPE === 'mysql' ? it : it.skip)('dumps one consistent state while an import commits half-way through the dump', async () => {
    const file = join(dir, 'during-import.crte.gz');
    let backup: Promise<unknown> = Promise.resolve();
    let committed!: () => void;
    const importCommitted = new Promise<void>((resolve) => (committed = resolve));
    const result = await importFile(
      source.dataSource,
      {
        buffer: readFileSync(fixturePath('annexe3-douaisis-agglo-2022.xlsx')),
        fileName: 'agglo-pendant-la-sauvegarde.xlsx',
        kind: ImportKind.ANNEX3,
        source: 'Douaisis Agglo',
        contract: DOUAISIS,
      },
      async (manager, applied) => {
        await audited.audit(manager, applied);
        // The import's rows are written, not committed. The dump starts now; the import commits once the
        // dump has read audit_event, and the dump reads funding and import_batch only after that commit.
        let auditRead!: () => void;
        const auditWasRead = new Promise<void>((resolve) => (auditRead = resolve));
        backup = backupDatabase(source.config, file, {
          onTable: async ({ name }) => {
            if (name === 'audit_event') auditRead();
            if (name === 'contract') await importCommitted;
          },
        });
        await auditWasRead;
      },
    );
    committed();
    await backup;
    expect(result.status).toBe('APPLIED');
    const batchId = result.batchId;
    const [{ n: lines }] = await source.dataSource.query('SELECT COUNT(*) AS n FROM funding WHERE batch_id = ?', [batchId]);
    expect(Number(lines)).toBeGreaterThan(0);

    const ofImport = (dump: ReturnType<typeof dumpRows>) => {
      const count = (table: string, column: string, value: unknown) => {
        const index = dump[table].columns.indexOf(column);
        return dump[table].rows.filter((row) => row[index] === value).length;
      };
      return {
        funding: count('funding', 'batch_id', batchId),
        import_batch: count('import_batch', 'id', batchId),
        import_file_chunk: count('import_file_chunk', 'batch_id', batchId),
        audit_event: count('audit_event', 'target_id', String(batchId)),
      };
    };
    // None of it: the snapshot was taken before the commit, though funding was read after it.
    expect(ofImport(dumpRows(file))).toEqual({ funding: 0, import_batch: 0, import_file_chunk: 0, audit_event: 0 });
    const later = join(dir, 'after-import.crte.gz');
    await backupDatabase(source.config, later);
    expect(ofImport(dumpRows(later))).toEqual({ funding: Number(lines), import_batch: 1, import_file_chunk: expect.any(Number), audit_event: 1 });
    expect(ofImport(dumpRows(later)).import_file_chunk).toBeGreaterThan(0);
  });
});

/** A query on a restored database, through a connection of its own. */
async function restoredQuery(target: TestDatabase, sql: string, params: unknown[] = []): Promise<any[]> {
  if (target.config.type === 'sqlite') {
    const db = new Database(target.config.path, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as any[];
    } finally {
      db.close();
    }
  }
  const { createConnection } = await import('mysql2/promise');
  const c = target.config;
  const connection = await createConnection({ host: c.host, port: c.port, user: c.username, password: c.password, database: c.database, charset: 'utf8mb4_unicode_ci' });
  try {
    return (await connection.query(sql, params))[0] as any[];
  } finally {
    await connection.end();
  }
}
