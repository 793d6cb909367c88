/**
 * Worker thread entry: builds a large file's cells and runs the pipeline on them, off the server's main
 * thread (started by pipeline.runner.ts, one file per worker, with `resourceLimits` and a wall-clock timer).
 *
 * It receives what the main thread read of the file (read-file.ts PackedRead: a workbook's packed sheets,
 * parsed by the xlsx workers, or a CSV's bytes) and the contract's reference; it unpacks or decodes the
 * file, parses, resolves, checks and builds the preview, and answers in pieces: the preview's lines and
 * issues a few thousand at a time, the next piece sent when the main thread asks for it (after a turn of
 * its event loop), so that it rebuilds them between other requests instead of in one long pause; then the
 * rest.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ImportKind } from '../src/kernel/import-batch.enum';
import type { CellCorrection, IssueDraft } from './common/model';
import { runPipeline, type PipelineResult } from './pipeline';
import { isReadError, type ReadErrorCode } from './read/read-error';
import { unpackRead, type PackedRead } from './read/read-file';
import type { PreviewIssue, PreviewLine, ImportPreview } from './preview/import-preview';
import type { ParsedAction, ParsedLine } from './parse/parsed.types';
import type { ContractReference } from './resolve/contract-reference';
import type { ResolvedAction, ResolvedLine, SenderAuthority } from './resolve/resolve';
import { lowerThisThreadPriority } from './read/worker-priority';

export const PIPELINE_WORKER_ROLE = 'crte-import-pipeline';

export interface PipelineRequest {
  read: PackedRead;
  kind: ImportKind;
  reference: ContractReference;
  sourceOrganisationId: number;
  authority: SenderAuthority;
  year: number | null;
  programme?: string | null;
  corrections?: CellCorrection[];
  /** Send parse and resolve results too (to apply the file); showing a preview needs nothing more. */
  withResult: boolean;
}

/** Items of the preview's arrays per message: a few milliseconds of rebuilding each on the main thread. */
export const PIECE_ITEMS = 2000;
/** Items of the results' arrays per message (smaller objects than a preview line: ~10–20 ms each to rebuild). */
export const RESULT_PIECE_ITEMS = 5000;

/**
 * The parse and resolve results' long arrays, sent in pieces like the preview's: in one message, the 50 000
 * lines of a big annex 3 took 300–500 ms of the main thread to deserialise. A resolved line or action
 * names its parsed one by index (`parsed`), so that the main thread links them again as the worker had them.
 */
export type ResultPiece =
  | { field: 'parsedLines'; items: ParsedLine[] }
  | { field: 'parsedActions'; items: ParsedAction[] }
  | { field: 'resolvedLines'; items: Array<Omit<ResolvedLine, 'parsed'> & { parsed: number }> }
  | { field: 'resolvedActions'; items: Array<Omit<ResolvedAction, 'parsed'> & { parsed: number }> };

export type PipelineMessage =
  | { type: 'lines'; items: PreviewLine[] }
  | { type: 'issues'; items: PreviewIssue[] }
  | ({ type: 'result' } & ResultPiece)
  | {
      type: 'done';
      /** Its lines and issues came before, in pieces. */
      preview: ImportPreview;
      /** Reading warnings (a hidden sheet skipped, an encoding guessed). */
      readIssues: IssueDraft[];
      result: Omit<PipelineResult, 'preview'> | null;
    }
  | { type: 'refused'; code: ReadErrorCode; message: string; detail: string }
  | { type: 'failed'; message: string };

/**
 * Runs one request; `post` sends a message and resolves when the main thread asks for the next one (a
 * port delivers every queued message in one go: without this, the pieces would all be rebuilt at once).
 */
export async function runPipelineRequest(request: PipelineRequest, post: (message: PipelineMessage) => Promise<void> | void): Promise<void> {
  let workbook;
  try {
    workbook = unpackRead(request.read);
  } catch (error) {
    if (isReadError(error)) {
      post({ type: 'refused', code: error.code, message: error.message, detail: error.detail ?? '' });
      return;
    }
    throw error;
  }
  const result = runPipeline({ kind: request.kind, workbook, reference: request.reference, sourceOrganisationId: request.sourceOrganisationId, authority: request.authority, year: request.year, programme: request.programme ?? null, corrections: request.corrections ?? [] });
  const { lines, issues, ...rest } = result.preview;
  for (let i = 0; i < lines.length; i += PIECE_ITEMS) await post({ type: 'lines', items: lines.slice(i, i + PIECE_ITEMS) });
  for (let i = 0; i < issues.length; i += PIECE_ITEMS) await post({ type: 'issues', items: issues.slice(i, i + PIECE_ITEMS) });
  if (request.withResult) await postResultPieces(result, post);
  await post({
    type: 'done',
    preview: { ...rest, lines: [], issues: [] },
    readIssues: workbook.issues,
    result: request.withResult
      ? { parsed: { ...result.parsed, lines: [], actions: [] }, resolved: { ...result.resolved, lines: [], actions: [] }, issues: result.issues }
      : null,
  });
}

/** The results' lines and actions, parsed ones first (the resolved ones name them by index). */
async function postResultPieces(result: PipelineResult, post: (message: PipelineMessage) => Promise<void> | void): Promise<void> {
  const { parsed, resolved } = result;
  const lineIndex = new Map<ParsedLine, number>(parsed.lines.map((line, i) => [line, i]));
  const actionIndex = new Map<ParsedAction, number>(parsed.actions.map((action, i) => [action, i]));
  for (let i = 0; i < parsed.lines.length; i += RESULT_PIECE_ITEMS) await post({ type: 'result', field: 'parsedLines', items: parsed.lines.slice(i, i + RESULT_PIECE_ITEMS) });
  for (let i = 0; i < parsed.actions.length; i += RESULT_PIECE_ITEMS) await post({ type: 'result', field: 'parsedActions', items: parsed.actions.slice(i, i + RESULT_PIECE_ITEMS) });
  for (let i = 0; i < resolved.lines.length; i += RESULT_PIECE_ITEMS) {
    const items = resolved.lines.slice(i, i + RESULT_PIECE_ITEMS).map((line) => ({ ...line, parsed: indexOf(lineIndex, line.parsed) }));
    await post({ type: 'result', field: 'resolvedLines', items });
  }
  for (let i = 0; i < resolved.actions.length; i += RESULT_PIECE_ITEMS) {
    const items = resolved.actions.slice(i, i + RESULT_PIECE_ITEMS).map((action) => ({ ...action, parsed: indexOf(actionIndex, action.parsed) }));
    await post({ type: 'result', field: 'resolvedActions', items });
  }
}

function indexOf<T>(indexes: Map<T, number>, item: T): number {
  const index = indexes.get(item);
  if (index === undefined) throw new Error('pipeline worker: a resolved item whose parsed one is not in the parse output');
  return index;
}

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === PIPELINE_WORKER_ROLE) {
  const port = parentPort;
  lowerThisThreadPriority(Number((workerData as { nice?: unknown }).nice) || 0);
  port.once('message', (request: PipelineRequest) => {
    const post = (message: PipelineMessage): Promise<void> | void => {
      port.postMessage(message);
      if (message.type === 'lines' || message.type === 'issues' || message.type === 'result') return new Promise<void>((next) => port.once('message', () => next()));
    };
    runPipelineRequest(request, post).catch((error: unknown) => {
      port.postMessage({ type: 'failed', message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) } satisfies PipelineMessage);
    });
  });
}
