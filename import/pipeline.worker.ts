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
import type { IssueDraft } from './model';
import { runPipeline, type PipelineResult } from './pipeline';
import { isReadError, type ReadErrorCode } from './read/read-error';
import { unpackRead, type PackedRead } from './read/read-file';
import type { PreviewIssue, PreviewLine, ImportPreview } from './preview/import-preview';
import type { ContractReference } from './resolve/contract-reference';
import type { SenderAuthority } from './resolve/resolve';

export const PIPELINE_WORKER_ROLE = 'crte-import-pipeline';

export interface PipelineRequest {
  read: PackedRead;
  kind: ImportKind;
  reference: ContractReference;
  sourceOrganisationId: number;
  authority: SenderAuthority;
  year: number | null;
  /** Send parse and resolve results too (to apply the file); showing a preview needs nothing more. */
  withResult: boolean;
}

/** Items of the preview's arrays per message: a few milliseconds of rebuilding each on the main thread. */
export const PIECE_ITEMS = 2000;

export type PipelineMessage =
  | { type: 'lines'; items: PreviewLine[] }
  | { type: 'issues'; items: PreviewIssue[] }
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
  const result = runPipeline({ kind: request.kind, workbook, reference: request.reference, sourceOrganisationId: request.sourceOrganisationId, authority: request.authority, year: request.year });
  const { lines, issues, ...rest } = result.preview;
  for (let i = 0; i < lines.length; i += PIECE_ITEMS) await post({ type: 'lines', items: lines.slice(i, i + PIECE_ITEMS) });
  for (let i = 0; i < issues.length; i += PIECE_ITEMS) await post({ type: 'issues', items: issues.slice(i, i + PIECE_ITEMS) });
  await post({
    type: 'done',
    preview: { ...rest, lines: [], issues: [] },
    readIssues: workbook.issues,
    result: request.withResult ? { parsed: result.parsed, resolved: result.resolved, issues: result.issues } : null,
  });
}

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === PIPELINE_WORKER_ROLE) {
  const port = parentPort;
  port.once('message', (request: PipelineRequest) => {
    const post = (message: PipelineMessage): Promise<void> | void => {
      port.postMessage(message);
      if (message.type === 'lines' || message.type === 'issues') return new Promise<void>((next) => port.once('message', () => next()));
    };
    runPipelineRequest(request, post).catch((error: unknown) => {
      port.postMessage({ type: 'failed', message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) } satisfies PipelineMessage);
    });
  });
}
