import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { DataSource } from 'typeorm';
import { FILE_IMPORT_KINDS, ImportKind } from '../kernel/import-batch.enum';
import { applyStoredBatch, ApplyResult, importFile, rollbackBatch } from '../import-batch/import-apply.service';
import { ImportRequestError, previewImport, PreviewResult, PreviewStage } from '../import-batch/import-preview.service';
import { UsageError } from './usage-error';
import { AuditActor, batchEvent, cliActor, recordAudit } from '../audit/audit.service';
import { authenticate, InvalidTokenError } from '../auth/token.service';
import { humanSummary } from './import-summary';
import { batchCorrections, correctPreviewCell, Corrector, doubtfulSheetsOf } from '../import-batch/cell-correction.service';
import { ImportCellCorrection } from '../provenance/import-cell-correction.entity';
import { ImportBatch } from '../provenance/import-batch.entity';

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
  /** Who imports (« Prénom Nom »): recorded on the batch and in the audit instead of `cli:USER`. */
  by: string | null;
  /** A token's secret: the import is made with that token's rights and recorded under its name. */
  token: string | null;
}

const KINDS = FILE_IMPORT_KINDS as readonly string[];

/** `crte import FILE --kind K --source ORG [--year YYYY] [--programme P] [--contract CODE] [--by NAME] [--token SECRET] --dry-run [--json]` */
export function parseImportArgs(args: string[]): ImportArgs {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--dry-run' || arg === '--json' || arg === '--allow-partial') flags.add(arg);
    else if (['--kind', '--source', '--year', '--programme', '--contract', '--by', '--token'].includes(arg)) {
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
    by: byOption(values['--by']),
    token: values['--token'] ?? null,
  };
}

/** `--by "Prénom Nom"`: who imports, as the batch's uploadedBy column and the audit keep it (255 characters). */
function byOption(value: string | undefined): string | null {
  if (value === undefined) return null;
  const name = value.replace(/\s+/g, ' ').trim();
  if (!name) throw new UsageError('--by attend le nom de la personne qui importe (« Prénom Nom »).');
  if (name.length > 255) throw new UsageError('--by : le nom dépasse 255 caractères.');
  return name;
}

/**
 * Who imports. With `--token`, that token, as over HTTP: the file is checked with its rights (an editor
 * imports only for its own organisation, never the State's figures) and recorded under its name, or
 * under `--by` when given. Without, the command line (an administrator's rights).
 */
async function importActor(dataSource: DataSource, options: Pick<ImportArgs, 'token' | 'by'>): Promise<AuditActor> {
  if (options.token === null) return cliActor(options.by);
  try {
    const identity = await authenticate(dataSource, `Bearer ${options.token}`);
    return { ...identity!, name: options.by ?? identity!.name };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new UsageError('--token : jeton d’accès inconnu ou révoqué.');
    throw error;
  }
}

/** Who the batch and the audit name: `--by`, else the system user (`cli:USER`). */
function importedBy(by: string | null): string {
  return by ?? cliActor().name;
}

export async function runImportCommand(dataSource: DataSource, args: string[]): Promise<number> {
  // `crte import correct LOT …` and `crte import corrections LOT`: a file so named is imported as ./correct.
  if ((args[0] === 'correct' || args[0] === 'corrections') && args[1] !== undefined && /^\d+$/.test(args[1])) {
    return args[0] === 'correct' ? runCorrectCommand(dataSource, args.slice(1)) : runCorrectionsCommand(dataSource, args.slice(1));
  }
  const options = parseImportArgs(args);
  if (options.dryRun && options.allowPartial) throw new UsageError('--allow-partial ne sert qu’à l’application : retirez --dry-run ou --allow-partial.');
  let buffer: Buffer;
  try {
    if (!statSync(options.file).isFile()) throw new Error();
    buffer = readFileSync(options.file);
  } catch {
    throw new UsageError(`Le fichier « ${options.file} » est introuvable ou illisible.`);
  }
  const actor = await importActor(dataSource, options);
  const bar = ProgressLine.forOutput(options.json);
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
      uploadedBy: actor.name,
      uploadedByTokenId: actor.tokenId,
      onProgress: (stage: PreviewStage, done: number) => bar?.update(stage, done),
    };
    result = options.dryRun
      ? await previewImport(dataSource, request, (manager, r) => recordAudit(manager, actor, batchEvent('IMPORT_PREVIEW', r)))
      : await importFile(dataSource, { ...request, allowPartial: options.allowPartial }, (manager, r) => recordAudit(manager, actor, batchEvent('IMPORT_APPLY', r)));
  } catch (error) {
    if (error instanceof ImportRequestError) throw new UsageError(error.message);
    throw error;
  } finally {
    bar?.done();
  }
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : humanSummary(result, options.kind));
  return result.status === 'REJECTED' ? 1 : 0;
}

/** `crte apply BATCH [--allow-partial] [--json]`: applies a stored preview. */
export async function runApplyCommand(dataSource: DataSource, args: string[]): Promise<number> {
  const { batchId, flags, by } = batchArgs(args, ['--allow-partial', '--json'], 'apply');
  const bar = ProgressLine.forOutput(flags.has('--json'));
  try {
    const result = await applyStoredBatch(
      dataSource,
      batchId,
      { allowPartial: flags.has('--allow-partial'), appliedBy: importedBy(by), onProgress: (stage, done) => bar?.update(stage, done) },
      (manager, r) => recordAudit(manager, cliActor(by), batchEvent('IMPORT_APPLY', r)),
    ).finally(() => bar?.done());
    process.stdout.write(flags.has('--json') ? `${JSON.stringify(result)}\n` : humanSummary(result));
    return result.status === 'REJECTED' ? 1 : 0;
  } catch (error) {
    if (error instanceof ImportRequestError) throw new UsageError(error.message);
    throw error;
  }
}

/** `crte rollback BATCH [--json]`: undoes an applied batch. */
export async function runRollbackCommand(dataSource: DataSource, args: string[]): Promise<number> {
  const { batchId, flags, by } = batchArgs(args, ['--json'], 'rollback');
  try {
    const result = await rollbackBatch(dataSource, batchId, (manager, r) => recordAudit(manager, cliActor(by), batchEvent('IMPORT_ROLLBACK', r)));
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

export interface CorrectArgs {
  batchId: number;
  sheet: string | null;
  cell: string;
  value: string;
  by: string | null;
  token: string | null;
  json: boolean;
}

/** `crte import correct LOT --cell C10 [--sheet FEUILLE] --value "1 050 000 €" [--by NAME] [--token SECRET] [--json]` */
export function parseCorrectArgs(args: string[]): CorrectArgs {
  const values: Record<string, string> = {};
  const positional: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (['--cell', '--sheet', '--value', '--by', '--token'].includes(arg)) {
      const value = args[++i];
      // A value may start with « - » (« -5 € »), never with « -- ».
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} attend une valeur.`);
      values[arg] = value;
    } else if (arg.startsWith('--')) throw new UsageError(`Option inconnue pour import correct : ${arg}.`);
    else positional.push(arg);
  }
  if (positional.length !== 1 || !/^\d+$/.test(positional[0])) throw new UsageError('Indiquez le numéro de l’aperçu : crte import correct NUMÉRO --cell C10 --value "1 050 000 €".');
  if (!values['--cell']?.trim()) throw new UsageError('--cell est obligatoire : la cellule douteuse (par exemple C10).');
  if (values['--value'] === undefined || !values['--value'].trim()) throw new UsageError('--value est obligatoire : la lecture corrigée de la cellule (par exemple "1 050 000 €").');
  return {
    batchId: Number(positional[0]),
    sheet: values['--sheet']?.trim() || null,
    cell: values['--cell'].trim().toUpperCase(),
    value: values['--value'],
    by: byOption(values['--by']),
    token: values['--token'] ?? null,
    json,
  };
}

const frenchMoment = (date: Date) =>
  date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** One correction as a line: the file's text, the reading kept, who and when. */
function correctionLine(correction: Pick<ImportCellCorrection, 'sheet' | 'cell' | 'rawValue' | 'correctedValue' | 'correctedBy' | 'correctedAt'>): string {
  const raw = correction.rawValue === null ? 'cellule vide' : `« ${correction.rawValue} »`;
  return `  ${correction.sheet}!${correction.cell} : ${raw} lu « ${correction.correctedValue} » — par ${correction.correctedBy}, le ${frenchMoment(new Date(correction.correctedAt))}`;
}

/**
 * `crte import correct`: the HTTP route's correction (cell-correction.service.ts), from the command line:
 * with an administrator's rights under `--by` (default cli:USER), or a token's (`--token`: only the file's
 * sender or an admin). Prints the preview checked again: exit 0 when it is ready, 1 when errors remain (as
 * `crte import --dry-run`), 2 for a wrong command line or a refused correction (a cell not doubtful, a token
 * that is not the sender's, a batch already applied: as `crte apply` refuses one).
 */
export async function runCorrectCommand(dataSource: DataSource, args: string[]): Promise<number> {
  const options = parseCorrectArgs(args);
  const actor = await importActor(dataSource, options);
  const corrector: Corrector = { tokenId: actor.tokenId, name: actor.name, role: actor.role as Corrector['role'] };
  const batch = await dataSource.getRepository(ImportBatch).findOne({ where: { id: options.batchId } });
  if (!batch) throw new UsageError(`Le lot n° ${options.batchId} n'existe pas.`);
  let sheet = options.sheet;
  if (sheet === null) {
    const sheets = await doubtfulSheetsOf(dataSource, options.batchId, options.cell);
    if (sheets.length > 1) throw new UsageError(`La cellule ${options.cell} est douteuse dans plusieurs feuilles (${sheets.map((name) => `« ${name} »`).join(', ')}) : précisez --sheet.`);
    if (!sheets.length) throw new UsageError(`La cellule ${options.cell} n’a ni erreur ni avertissement dans l’aperçu n° ${options.batchId} : seule une cellule douteuse se corrige.`);
    sheet = sheets[0];
  }
  try {
    const result = await correctPreviewCell(dataSource, corrector, options.batchId, { sheet, cell: options.cell, value: options.value }, (manager, r) =>
      recordAudit(manager, actor, batchEvent('IMPORT_CORRECT', r)),
    );
    if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const mine = result.corrections.find((c) => c.sheet === sheet && c.cell === options.cell)!;
      process.stdout.write(`Cellule ${sheet}!${options.cell} corrigée : ${mine.rawValue === null ? 'cellule vide' : `« ${mine.rawValue} »`} lu « ${mine.correctedValue} » (par ${mine.correctedBy}).\n`);
      process.stdout.write(humanSummary(result, batch.kind));
      process.stdout.write(`Corrections de l’aperçu n° ${options.batchId} :\n${result.corrections.map(correctionLine).join('\n')}\n`);
    }
    return result.status === 'REJECTED' ? 1 : 0;
  } catch (error) {
    if (error instanceof ImportRequestError) throw new UsageError(error.message);
    throw error;
  }
}

/** `crte import corrections LOT [--json]`: the corrections of a batch, the file's text beside each. */
export async function runCorrectionsCommand(dataSource: DataSource, args: string[]): Promise<number> {
  const unknown = args.slice(1).find((arg) => arg !== '--json');
  if (unknown !== undefined) throw new UsageError(`import corrections : ${unknown.startsWith('--') ? 'option inconnue' : 'argument inattendu'} « ${unknown} » (seule --json est acceptée).`);
  const batchId = Number(args[0]);
  let corrections: ImportCellCorrection[];
  try {
    corrections = await batchCorrections(dataSource, batchId);
  } catch (error) {
    if (error instanceof ImportRequestError) throw new UsageError(error.message);
    throw error;
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(corrections.map(({ sheet, cell, rawValue, correctedValue, correctedBy, correctedAt }) => ({ sheet, cell, rawValue, correctedValue, correctedBy, correctedAt })))}\n`);
  } else if (!corrections.length) process.stdout.write(`Aucune correction dans le lot n° ${batchId}.\n`);
  else process.stdout.write(`Corrections du lot n° ${batchId} (${corrections.length}) :\n${corrections.map(correctionLine).join('\n')}\n`);
  return 0;
}

/** `NUMBER [flags…] [--by NAME]`. */
function batchArgs(args: string[], allowed: string[], command: string): { batchId: number; flags: Set<string>; by: string | null } {
  const flags = new Set<string>();
  const positional: string[] = [];
  let by: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--by') {
      by = args[++i];
      if (by === undefined || by.startsWith('--')) throw new UsageError('--by attend une valeur.');
    } else if (arg.startsWith('--')) {
      if (!allowed.includes(arg)) throw new UsageError(`Option inconnue pour ${command} : ${arg}.`);
      flags.add(arg);
    } else positional.push(arg);
  }
  if (positional.length !== 1 || !/^\d+$/.test(positional[0])) throw new UsageError(`Indiquez le numéro du lot : crte ${command} NUMÉRO.`);
  return { batchId: Number(positional[0]), flags, by: byOption(by) };
}

const STAGE_TEXT: Record<PreviewStage, string> = { lecture: 'Lecture…', analyse: 'Analyse…', enregistrement: 'Enregistrement…' };

/**
 * « Lecture… 45 % », redrawn in place with \r: only on a terminal, never under --json (stdout then is
 * data), and erased before the summary is printed.
 */
class ProgressLine {
  private last = '';

  static forOutput(json: boolean): ProgressLine | null {
    return process.stdout.isTTY && !json ? new ProgressLine() : null;
  }

  update(stage: PreviewStage, done: number): void {
    const line = `${STAGE_TEXT[stage]} ${Math.round(done * 100)} %`;
    if (line !== this.last) process.stdout.write(`\r\x1b[K${line}`);
    this.last = line;
  }

  done(): void {
    if (this.last) process.stdout.write('\r\x1b[K');
    this.last = '';
  }
}
