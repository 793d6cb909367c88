import { resolve } from 'node:path';
import { DatabaseConfig } from '../config';
import { backupDatabase, BackupSummary } from '../backup/backup.service';
import { restoreDatabase, RestoreSummary } from '../backup/restore.service';
import { UsageError } from './usage-error';

interface BackupArgs {
  file: string;
  json: boolean;
  force: boolean;
}

function parseArgs(command: 'backup' | 'restore', args: string[]): BackupArgs {
  const allowed = command === 'restore' ? ['--json', '--force'] : ['--json'];
  const positional: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('--') && !allowed.includes(arg)) throw new UsageError(`Option inconnue : ${arg}.`);
    if (!arg.startsWith('--')) positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError(command === 'backup' ? 'Indiquez le fichier de sauvegarde à écrire, et un seul.' : 'Indiquez le fichier de sauvegarde à restaurer, et un seul.');
  return { file: resolve(positional[0]), json: args.includes('--json'), force: args.includes('--force') };
}

const rowsOf = (tables: Array<{ rows: number }>) => tables.reduce((sum, table) => sum + table.rows, 0);
const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} Mio`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1).replace('.', ',')} s`;

/** `crte backup FILE [--json]`: never migrates (a backup taken before an upgrade keeps the old schema). */
export async function runBackupCommand(database: DatabaseConfig, args: string[]): Promise<number> {
  const options = parseArgs('backup', args);
  const summary: BackupSummary = await backupDatabase(database, options.file);
  if (options.json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `Sauvegarde écrite dans ${summary.file} (${summary.format === 'sqlite' ? 'copie SQLite' : 'export MySQL/MariaDB compressé'}, ${mebibytes(summary.bytes)}, ` +
        `${summary.tables.length} tables, ${rowsOf(summary.tables)} lignes, schéma ${summary.migration ?? 'vide'}, ${seconds(summary.durationMs)}).`,
    );
  }
  return 0;
}

/** `crte restore FILE [--force] [--json]` */
export async function runRestoreCommand(database: DatabaseConfig, args: string[]): Promise<number> {
  const options = parseArgs('restore', args);
  const summary: RestoreSummary = await restoreDatabase(database, options.file, { force: options.force });
  if (options.json) console.log(JSON.stringify(summary));
  else {
    const applied = summary.appliedMigrations.length ? ` ; migrations appliquées ensuite : ${summary.appliedMigrations.join(', ')}` : '';
    const verified = summary.verified === 'checksum' ? 'nombre de lignes et empreinte de chaque table vérifiés' : 'nombre de lignes de chaque table vérifié';
    console.log(
      `Sauvegarde ${summary.file} restaurée : ${summary.tables.length} tables, ${rowsOf(summary.tables)} lignes (schéma ${summary.backupMigration}), ${verified}${applied} (${seconds(summary.durationMs)}).`,
    );
  }
  return 0;
}
