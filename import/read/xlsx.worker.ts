/**
 * Worker thread entry: parses one xlsx or ods file with xlsx 0.18.5 and posts back a plain WorkbookGrid.
 *
 * xlsx 0.18.5 has a prototype-pollution flaw (CVE-2023-30533) and a ReDoS (CVE-2024-22363) with no fixed
 * release on npm. This thread is where they may fire: it is started by xlsx.reader.ts with `resourceLimits`
 * and a wall-clock timer that terminates it, it handles exactly one file and exits, and what it sends back
 * is built by xlsx.grid.ts from own properties only, packed in columns by grid-transfer.ts (typed arrays and
 * string arrays, no prototypes, nothing callable) and rebuilt and checked by the main thread. If the parse changed `Object.prototype` or `Array.prototype`, the file is hostile: the
 * result is thrown away and the file refused.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { WorkbookGrid } from '../model';
import type { PackedSheet } from './grid-transfer';
import { listOdsTables, type OdsTableInfo } from './ods-hidden';
import { WORKBOOK_LIMITS, workbookToPacked, WorkbookTooComplexError } from './xlsx.grid';
import { extractZipEntry, findZipEntry, inspectZip } from './zip-inspect';

export interface WorkerRequest {
  /** The file's bytes, transferred (not copied). */
  buffer: ArrayBuffer;
  format: 'xlsx' | 'ods';
}

export type WorkerFailureCode = 'FILE_CORRUPT' | 'FILE_ENCRYPTED' | 'FILE_TOO_COMPLEX' | 'FILE_ZIP_BOMB';

export interface PackedWorkbook {
  format: WorkbookGrid['format'];
  sheets: PackedSheet[];
  skippedSheets: WorkbookGrid['skippedSheets'];
}

export type WorkerResponse =
  | { ok: true; workbook: PackedWorkbook; parseMs: number; convertMs: number }
  | { ok: false; code: WorkerFailureCode; detail: string };

/** Posted once the library is loaded, before any file: the worker is ready. */
export const READY = 'ready';

/** Marks the worker's `workerData`, so that importing this module elsewhere does nothing. */
export const WORKER_ROLE = 'crte-read-xlsx';

type PrototypeSnapshot = Array<Map<PropertyKey, PropertyDescriptor | undefined>>;
const WATCHED_PROTOTYPES: object[] = [Object.prototype, Array.prototype, Function.prototype, String.prototype];

function snapshotPrototypes(): PrototypeSnapshot {
  return WATCHED_PROTOTYPES.map((proto) => {
    const map = new Map<PropertyKey, PropertyDescriptor | undefined>();
    for (const key of Reflect.ownKeys(proto)) map.set(key, Reflect.getOwnPropertyDescriptor(proto, key));
    return map;
  });
}

/** True when a prototype gained, lost or changed a property. */
function prototypesChanged(before: PrototypeSnapshot): boolean {
  return WATCHED_PROTOTYPES.some((proto, i) => {
    const keys = Reflect.ownKeys(proto);
    if (keys.length !== before[i].size) return true;
    return keys.some((key) => {
      const was = before[i].get(key);
      const now = Reflect.getOwnPropertyDescriptor(proto, key);
      return !was || !now || was.value !== now.value || was.get !== now.get || was.set !== now.set;
    });
  });
}

function failureCode(message: string): WorkerFailureCode {
  const lower = message.toLowerCase();
  if (lower.includes('password') || lower.includes('encrypt')) return 'FILE_ENCRYPTED';
  return 'FILE_CORRUPT';
}

type XlsxLibrary = typeof import('xlsx');
let library: XlsxLibrary | null = null;

/** Loaded here only: the main thread never loads the library. */
function loadXlsx(): XlsxLibrary {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (library === null) library = require('xlsx') as XlsxLibrary;
  return library;
}

/**
 * Parses the one file of this worker. `before` is the prototypes as they were before the library was
 * loaded (a spare worker takes it at its start, then loads the library while it waits for its file).
 */
export function parseInWorker(request: WorkerRequest, before: PrototypeSnapshot = snapshotPrototypes()): WorkerResponse {
  const bytes = Buffer.from(request.buffer);
  let odsTables: OdsTableInfo[] | undefined;
  try {
    // xlsx 0.18.5 inflates with its own JavaScript inflater, which spins forever on a damaged deflate stream
    // (it reads zeros past the end): each entry must first inflate with zlib, within its declared size.
    const zip = inspectZip(bytes);
    for (const entry of zip.entries) if (entry.method === 8) extractZipEntry(bytes, entry, entry.uncompressedSize);
    if (request.format === 'ods') {
      // Sheet names and hidden flags, which xlsx 0.18.5 does not give for ods. The inflated size may not
      // exceed what the directory declared (checked in the main thread against the limits).
      const content = findZipEntry(zip, 'content.xml');
      if (content) odsTables = listOdsTables(extractZipEntry(bytes, content, content.uncompressedSize));
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      code: code === 'FILE_ZIP_BOMB' || code === 'FILE_TOO_COMPLEX' || code === 'FILE_ENCRYPTED' ? code : 'FILE_CORRUPT',
      detail: `zip entries: ${(error as Error).message}`,
    };
  }

  const XLSX = loadXlsx();
  const started = Date.now();
  let wb: unknown;
  try {
    wb = XLSX.read(bytes, {
      type: 'buffer',
      dense: true,
      cellFormula: true,
      cellNF: true,
      cellText: true,
      cellDates: false,
      cellHTML: false,
      cellStyles: false,
      // Stubs: the only way xlsx 0.18.5 keeps a formula cell that has no cached result (xlsx.grid.ts turns it
      // into an error, empty stubs into nothing).
      sheetStubs: true,
      bookVBA: false,
      // Rows past the workbook's limit are not built (workbookToPacked refuses the file when a sheet reaches it).
      sheetRows: WORKBOOK_LIMITS.maxRows + 2,
      bookDeps: false,
      bookFiles: false,
      WTF: false,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, code: failureCode(message), detail: `xlsx.read: ${message}` };
  }
  const parsed = Date.now();
  if (prototypesChanged(before)) {
    return { ok: false, code: 'FILE_CORRUPT', detail: 'prototype pollution attempt while parsing' };
  }
  try {
    const packed = workbookToPacked(wb, request.format, odsTables);
    wb = undefined;
    const workbook: PackedWorkbook = { format: request.format, sheets: packed.sheets, skippedSheets: packed.skippedSheets };
    return { ok: true, workbook, parseMs: parsed - started, convertMs: Date.now() - parsed };
  } catch (error) {
    if (error instanceof WorkbookTooComplexError) return { ok: false, code: 'FILE_TOO_COMPLEX', detail: `convert: ${error.message}` };
    return { ok: false, code: 'FILE_CORRUPT', detail: `convert: ${(error as Error).message}` };
  }
}

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === WORKER_ROLE) {
  const port = parentPort;
  // A worker may be started ahead of its file (a spare, see xlsx.reader.ts): the library is loaded while
  // it waits, after the prototypes are recorded, so that the check still covers loading it.
  const before = snapshotPrototypes();
  loadXlsx();
  port.postMessage(READY);
  port.once('message', (request: WorkerRequest) => {
    const response = parseInWorker(request, before);
    // The typed arrays' memory is handed over, not copied.
    const transfer: ArrayBuffer[] = response.ok
      ? response.workbook.sheets.flatMap((sheet) =>
          [sheet.rowEnds, sheet.tags, sheet.numbers, sheet.formatIds].map((array) => array.buffer as ArrayBuffer),
        )
      : [];
    port.postMessage(response, transfer);
  });
}
