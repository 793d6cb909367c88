import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { DataSource } from 'typeorm';
import { ImportKind } from '../kernel/import-batch.enum';
import { applyStoredBatch, ApplyResult, importFile, rollbackBatch } from '../import-batch/import-apply.service';
import { ImportRequestError, previewImport, PreviewResult, PreviewStage } from '../import-batch/import-preview.service';
import { UsageError } from './usage-error';
import { batchEvent, cliActor, recordAudit } from '../audit/audit.service';

export interface ImportArgs {
  file: string;
  kind: ImportKind;
  source: string;
  year: number | null;
  /** The programme of a grants list of one programme (« Fonds vert »). */
  programme: string | null;
  contract: string | null;
  dryRun: boolean;
  allowPartial: boolean;
  json: boolean;
}

const KINDS = Object.values(ImportKind) as string[];

/** `crte import FILE --kind K --source ORG [--year YYYY] [--programme P] [--contract CODE] --dry-run [--json]` */
export function parseImportArgs(args: string[]): ImportArgs {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--dry-run' || arg === '--json' || arg === '--allow-partial') flags.add(arg);
    else if (['--kind', '--source', '--year', '--programme', '--contract'].includes(arg)) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} attend une valeur.`);
      values[arg] = value;
    } else if (arg.startsWith('--')) throw new UsageError(`Option inconnue : ${arg}.`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError('Indiquez un fichier à importer, et un seul.');
  const kind = values['--kind'];
  if (!kind || !KINDS.includes(kind)) throw new UsageError(`--kind doit valoir ${KINDS.join(', ')}.`);
  if (!values['--source']) throw new UsageError("--source est obligatoire : l'organisation qui envoie le fichier.");
  let year: number | null = null;
  if (values['--year'] !== undefined) {
    year = Number(values['--year']);
    if (!/^\d{4}$/.test(values['--year']) || year < 1950 || year > 2100) throw new UsageError(`--year « ${values['--year']} » n'est pas une année (AAAA).`);
  }
  return {
    file: positional[0],
    kind: kind as ImportKind,
    source: values['--source'],
    year,
    programme: values['--programme']?.trim() || null,
    contract: values['--contract'] ?? null,
    dryRun: flags.has('--dry-run'),
    allowPartial: flags.has('--allow-partial'),
    json: flags.has('--json'),
  };
}

export async function runImportCommand(dataSource: DataSource, args: string[]): Promise<number> {
  const options = parseImportArgs(args);
  if (options.dryRun && options.allowPartial) throw new UsageError('--allow-partial ne sert qu’à l’application : retirez --dry-run ou --allow-partial.');
  let buffer: Buffer;
  try {
    if (!statSync(options.file).isFile()) throw new Error();
    buffer = readFileSync(options.file);
  } catch {
    throw new UsageError(`Le fichier « ${options.file} » est introuvable ou illisible.`);
  }
  const bar = process.stderr.isTTY ? new ProgressBar() : null;
  let result: PreviewResult | ApplyResult;
  try {
    const request = {
      buffer,
      fileName: basename(options.file),
      kind: options.kind,
      source: options.source,
      contract: options.contract,
      year: options.year,
      programme: options.programme,
      uploadedBy: process.env.USER ? `cli:${process.env.USER}` : 'cli',
      onProgress: (stage: PreviewStage, done: number) => bar?.update(stage, done),
    };
    result = options.dryRun
      ? await previewImport(dataSource, request, (manager, r) => recordAudit(manager, cliActor(), batchEvent('IMPORT_PREVIEW', r)))
      : await importFile(dataSource, { ...request, allowPartial: options.allowPartial }, (manager, r) => recordAudit(manager, cliActor(), batchEvent('IMPORT_APPLY', r)));
  } catch (error) {
    if (error instanceof ImportRequestError) throw new UsageError(error.message);
    throw error;
  } finally {
    bar?.done();
  }
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : humanSummary(result));
  return result.status === 'REJECTED' ? 1 : 0;
}

/** `crte apply BATCH [--allow-partial] [--json]`: applies a stored preview. */
export async function runApplyCommand(dataSource: DataSource, args: string[]): Promise<number> {
  const { batchId, flags } = batchArgs(args, ['--allow-partial', '--json'], 'apply');
  try {
    const result = await applyStoredBatch(dataSource, batchId, { allowPartial: flags.has('--allow-partial'), appliedBy: process.env.USER ? `cli:${process.env.USER}` : 'cli' }, (manager, r) =>
      recordAudit(manager, cliActor(), batchEvent('IMPORT_APPLY', r)),
    );
    process.stdout.write(flags.has('--json') ? `${JSON.stringify(result)}\n` : humanSummary(result));
    return result.status === 'REJECTED' ? 1 : 0;
  } catch (error) {
    if (error instanceof ImportRequestError) throw new UsageError(error.message);
    throw error;
  }
}

/** `crte rollback BATCH [--json]`: undoes an applied batch. */
export async function runRollbackCommand(dataSource: DataSource, args: string[]): Promise<number> {
  const { batchId, flags } = batchArgs(args, ['--json'], 'rollback');
  try {
    const result = await rollbackBatch(dataSource, batchId, (manager, r) => recordAudit(manager, cliActor(), batchEvent('IMPORT_ROLLBACK', r)));
    process.stdout.write(
      flags.has('--json')
        ? `${JSON.stringify(result)}\n`
        : `Lot n° ${batchId} annulé : ${result.withdrawn} ligne(s) retirée(s), ${result.restored} rétablie(s), ${result.removedActions} action(s) et ${result.removedOrganisations} organisation(s) supprimée(s).\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ImportRequestError) throw new UsageError(error.message);
    throw error;
  }
}

function batchArgs(args: string[], allowed: string[], command: string): { batchId: number; flags: Set<string> } {
  const flags = new Set(args.filter((arg) => arg.startsWith('--')));
  for (const flag of flags) if (!allowed.includes(flag)) throw new UsageError(`Option inconnue pour ${command} : ${flag}.`);
  const positional = args.filter((arg) => !arg.startsWith('--'));
  if (positional.length !== 1 || !/^\d+$/.test(positional[0])) throw new UsageError(`Indiquez le numéro du lot : crte ${command} NUMÉRO.`);
  return { batchId: Number(positional[0]), flags };
}

class ProgressBar {
  private last = '';

  update(stage: PreviewStage, done: number): void {
    const width = 24;
    const filled = Math.round(done * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(done * 100)).padStart(3)} % ${stage}`;
    if (line !== this.last) process.stderr.write(`\r${line}`);
    this.last = line;
  }

  done(): void {
    if (this.last) process.stderr.write('\r\x1b[K');
  }
}

const STATUS_TEXT: Record<string, string> = { PREVIEWED: 'aperçu prêt', REJECTED: 'REJETÉ', APPLIED: 'appliqué', UNCHANGED: 'inchangé (même fichier que celui en vigueur)' };

const SEVERITY_TEXT: Record<string, string> = { ERROR: 'ERREUR ', WARNING: 'avert. ', NOTE: 'note   ' };

function humanSummary(result: PreviewResult | ApplyResult): string {
  const lines = [
    `Lot n° ${result.batchId} : ${STATUS_TEXT[result.status] ?? result.status}`,
    `Disposition : ${result.layout || '—'}`,
    `Lignes : ${result.counts.lines}, total ${result.total} €`,
    `Erreurs : ${result.counts.errors}, avertissements : ${result.counts.warnings}${result.counts.notes ? `, notes : ${result.counts.notes}` : ''}`,
    `À créer : ${result.counts.newActions} action(s), ${result.counts.newOrganisations} organisation(s)`,
  ];
  if (result.issues.length) {
    lines.push('', 'Anomalies :');
    for (const issue of result.issues) {
      const place = [issue.sheet, issue.cell].filter(Boolean).join(' ! ');
      lines.push(`  ${SEVERITY_TEXT[issue.severity] ?? issue.severity} ${place.padEnd(28)} ${issue.code} — ${issue.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
