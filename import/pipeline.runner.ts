/**
 * Runs the pipeline on a read file where it cannot hold the server: a small file on this thread (a few
 * milliseconds, not worth a thread), a large one in a worker of its own (pipeline.worker.ts) with
 * `resourceLimits` and a wall-clock timer.
 *
 * A 300 000-line CSV took 16 s of the main thread to decode, split, parse, resolve, check and build the preview,
 * during which no other request was answered; a 100 000-line workbook 1.6 s. In the worker, only the
 * rebuilding of the answer stays here, in pieces of PIECE_ITEMS lines or issues, one message each.
 *
 * Memory: the worker's heap is capped (IMPORT_WORKER_MAX_MB); past it the worker dies alone and the file is
 * refused (FILE_TOO_COMPLEX). At most IMPORT_MAX_WORKERS import workers run at once; others wait their turn.
 */
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ImportKind } from '../src/kernel/import-batch.enum';
import type { CellCorrection, IssueDraft } from './common/model';
import { runPipeline, type PipelineResult } from './pipeline';
import { PIPELINE_WORKER_ROLE, type PipelineMessage, type PipelineRequest, type ResultPiece } from './pipeline.worker';
import type { ParsedAction, ParsedLine } from './parse/parsed.types';
import { ReadError, readMessages } from './read/read-error';
import { packedReadSize, unpackRead, type PackedRead } from './read/read-file';
import { resolveWorkerScript } from './read/xlsx.reader';
import { giveWorkerSlotBack, importWorkerLimits, takeWorkerSlot } from './read/worker-slots';
import { importWorkerNice } from './read/worker-priority';
import type { PreviewIssue, PreviewLine, ImportPreview } from './preview/import-preview';
import type { ContractReference } from './resolve/contract-reference';
import type { ResolvedAction, ResolvedLine, SenderAuthority } from './resolve/resolve';

export interface PipelineRunInput {
  kind: ImportKind;
  reference: ContractReference;
  sourceOrganisationId: number;
  /** What the sender may write (resolve.ts): decided from the database by the caller. */
  authority: SenderAuthority;
  year?: number | null;
  programme?: string | null;
  /** Cells read as corrected in the preview (pipeline.ts, applyCorrections). */
  corrections?: CellCorrection[];
}

export interface PipelineRun {
  /** The preview, the reading warnings first. */
  preview: ImportPreview;
  /** Null when not asked for (`withResult` false). */
  result: PipelineResult | null;
}

export interface PipelineRunOptions {
  /** Parse and resolve results are needed (to apply the file); showing a preview needs nothing more. */
  withResult: boolean;
  /** Force the worker (true) or this thread (false); default: by size (OFF_THREAD_CELLS, OFF_THREAD_CSV_BYTES). */
  offThread?: boolean;
  /** Wall-clock limit of the worker (default 60 s). */
  timeoutMs?: number;
  /** Old-generation heap of the worker (default: IMPORT_WORKER_MAX_MB's, import/read/worker-slots.ts). */
  heapMb?: number;
}

/** From this many cells a workbook's pipeline runs in the worker (about 30 ms of main thread below). */
export const OFF_THREAD_CELLS = 20_000;
/** From this many bytes a CSV is decoded, split and checked in the worker. */
export const OFF_THREAD_CSV_BYTES = 256 * 1024;
/**
 * The worker's heap is the import workers' ceiling (IMPORT_WORKER_MAX_MB, import/read/worker-slots.ts): a
 * 300 000-line CSV (the largest a 20 MB upload holds in practice) needs about 500 MB; the 500 000-row /
 * 4 000 000-cell workbook limits keep the rest under it. Its place is one of IMPORT_MAX_WORKERS, shared with
 * the workers that read workbooks.
 */
async function takeTurn(): Promise<void> {
  await takeWorkerSlot();
}

const endTurn = giveWorkerSlotBack;

export function shouldRunOffThread(read: PackedRead): boolean {
  const size = packedReadSize(read);
  return size.cells >= OFF_THREAD_CELLS || size.bytes >= OFF_THREAD_CSV_BYTES;
}

/** Reading warnings first, as the partner meets them. */
function withReadIssues(preview: ImportPreview, readIssues: IssueDraft[]): ImportPreview {
  if (readIssues.length === 0) return preview;
  return {
    ...preview,
    issues: [...readIssues.map(toPreviewIssue), ...preview.issues],
    counts: { ...preview.counts, warnings: preview.counts.warnings + readIssues.length },
  };
}

function toPreviewIssue(issue: IssueDraft): PreviewIssue {
  return { severity: issue.severity, code: issue.code, message: issue.message, sheet: issue.sheet, cell: issue.cell, value: issue.value };
}

/** Builds the file's cells and runs the pipeline on them. Throws ReadError when the file cannot be read. */
export async function runPipelineOn(read: PackedRead, input: PipelineRunInput, options: PipelineRunOptions): Promise<PipelineRun> {
  if (!(options.offThread ?? shouldRunOffThread(read))) {
    const workbook = unpackRead(read);
    const result = runPipeline({ ...input, workbook });
    const preview = withReadIssues(result.preview, workbook.issues);
    return { preview, result: options.withResult ? { ...result, preview } : null };
  }
  await takeTurn();
  try {
    // Copying the bytes and cloning the reference for the worker: in a turn of their own.
    await nextTurn();
    return await runInWorker(read, input, options);
  } finally {
    endTurn();
  }
}

function transferList(read: PackedRead): ArrayBuffer[] {
  if (read.kind === 'csv') return [read.bytes.buffer as ArrayBuffer];
  const buffers = new Set<ArrayBuffer>();
  for (const band of read.spreadsheet.bands) {
    for (const sheet of band.sheets) for (const array of [sheet.rowEnds, sheet.tags, sheet.numbers, sheet.formatIds]) buffers.add(array.buffer as ArrayBuffer);
  }
  return [...buffers];
}

/** The results' arrays as their pieces arrive, each resolved item linked to its parsed one again. */
class ResultPieces {
  private readonly parsedLines: ParsedLine[] = [];
  private readonly parsedActions: ParsedAction[] = [];
  private readonly resolvedLines: ResolvedLine[] = [];
  private readonly resolvedActions: ResolvedAction[] = [];

  add(piece: ResultPiece): void {
    switch (piece.field) {
      case 'parsedLines':
        for (const line of piece.items) this.parsedLines.push(line);
        return;
      case 'parsedActions':
        for (const action of piece.items) this.parsedActions.push(action);
        return;
      case 'resolvedLines':
        for (const line of piece.items) this.resolvedLines.push({ ...line, parsed: this.parsedLines[line.parsed] });
        return;
      case 'resolvedActions':
        for (const action of piece.items) this.resolvedActions.push({ ...action, parsed: this.parsedActions[action.parsed] });
        return;
    }
  }

  /** The done message's result (its long arrays left empty by the worker) with them. */
  into(result: Omit<PipelineResult, 'preview'>): Omit<PipelineResult, 'preview'> {
    return {
      ...result,
      parsed: { ...result.parsed, lines: this.parsedLines, actions: this.parsedActions },
      resolved: { ...result.resolved, lines: this.resolvedLines, actions: this.resolvedActions },
    };
  }
}

function runInWorker(read: PackedRead, input: PipelineRunInput, options: PipelineRunOptions): Promise<PipelineRun> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  // The CSV's bytes are copied for the worker (the caller still stores and hashes the upload); a workbook's
  // packed sheets are handed over.
  const sent: PackedRead = read.kind === 'csv' ? { ...read, bytes: new Uint8Array(read.bytes) } : read;
  const request: PipelineRequest = {
    read: sent,
    kind: input.kind,
    reference: input.reference,
    sourceOrganisationId: input.sourceOrganisationId,
    authority: input.authority,
    year: input.year ?? null,
    programme: input.programme ?? null,
    corrections: input.corrections ?? [],
    withResult: options.withResult,
  };
  const script = resolveWorkerScript(join(__dirname, 'pipeline.worker'));
  const worker = new Worker(script.script, {
    eval: script.eval,
    workerData: { role: PIPELINE_WORKER_ROLE, nice: importWorkerNice(), ...script.extraData },
    resourceLimits: options.heapMb === undefined ? importWorkerLimits() : { maxOldGenerationSizeMb: options.heapMb, stackSizeMb: 4 },
    stdout: false,
    stderr: false,
  });
  return new Promise<PipelineRun>((resolvePromise, rejectPromise) => {
    let settled = false;
    const lines: PreviewLine[] = [];
    const issues: PreviewIssue[] = [];
    const pieces = new ResultPieces();
    const finish = (error: Error | null, run?: PipelineRun): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The worker ends with its file: its heap goes back to the system with it.
      void worker.terminate().catch(() => undefined);
      if (error) rejectPromise(error);
      else resolvePromise(run!);
    };
    const timer = setTimeout(
      () => finish(new ReadError('FILE_TIMEOUT', readMessages.timeout(timeoutMs), { detail: `pipeline worker: no answer after ${timeoutMs} ms` })),
      timeoutMs,
    );
    worker.on('message', (message: PipelineMessage) => {
      switch (message.type) {
        case 'lines':
        case 'issues': {
          const into: Array<PreviewLine | PreviewIssue> = message.type === 'lines' ? lines : issues;
          for (const item of message.items) into.push(item);
          // The next piece after a turn of the event loop: other requests come first.
          setImmediate(() => {
            if (!settled) worker.postMessage('next');
          });
          return;
        }
        case 'result':
          pieces.add(message);
          setImmediate(() => {
            if (!settled) worker.postMessage('next');
          });
          return;
        case 'done': {
          const preview = withReadIssues({ ...message.preview, lines, issues }, message.readIssues);
          finish(null, { preview, result: message.result ? { ...pieces.into(message.result), preview } : null });
          return;
        }
        case 'refused':
          finish(new ReadError(message.code, message.message, { detail: message.detail }));
          return;
        default:
          finish(new Error(`pipeline worker: ${message.type === 'failed' ? message.message : 'malformed answer'}`));
      }
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY' || /heap|memory/i.test(error.message.slice(0, 200))) {
        finish(new ReadError('FILE_TOO_COMPLEX', undefined, { detail: `pipeline worker: ${error.message}`, cause: error }));
      } else {
        finish(error);
      }
    });
    worker.once('exit', (code) => {
      setImmediate(() => finish(new ReadError('FILE_TOO_COMPLEX', undefined, { detail: `pipeline worker exited with code ${code} without answering` })));
    });
    worker.postMessage(request, transferList(sent));
  });
}
