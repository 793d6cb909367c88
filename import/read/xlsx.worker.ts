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
import type { WorkbookGrid } from '../common/model';
import type { PackedSheet } from './grid-transfer';
import { listOdsTables, type OdsTableInfo } from './ods-hidden';
import { WORKBOOK_LIMITS, workbookToPacked, WorkbookTooComplexError } from './xlsx.grid';
import { cutBand } from './xlsx.split';
import { xlsxLibrary } from '../../src/kernel/xlsx-library';
import { useNativeCallGuard } from './native-call-guard';
import { lowerThisThreadPriority } from './worker-priority';
import { extractZipEntry, findZipEntry, inspectZip } from './zip-inspect';

export interface WorkerRequest {
  /** The file's bytes, transferred (not copied), or shared read-only by the bands of one file. */
  buffer: ArrayBuffer | SharedArrayBuffer;
  format: 'xlsx' | 'ods';
  /** Parse only band `index` of `count` of the worksheet `sheet` (the zip entry's name): see xlsx.split.ts. */
  band?: { index: number; count: number; sheet: string };
}

export type WorkerFailureCode = 'FILE_CORRUPT' | 'FILE_ENCRYPTED' | 'FILE_TOO_COMPLEX' | 'FILE_ZIP_BOMB';

export interface PackedWorkbook {
  format: WorkbookGrid['format'];
  sheets: PackedSheet[];
  skippedSheets: WorkbookGrid['skippedSheets'];
}

export type WorkerResponse =
  | {
      ok: true;
      workbook: PackedWorkbook;
      parseMs: number;
      convertMs: number;
      /**
       * With a band: where every band starts (xlsx.split.ts), or null when the sheet cannot be split. Then
       * band 0 has parsed the whole file and the others nothing.
       */
      firstRows?: number[] | null;
    }
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

/**
 * Parses the one file of this worker. `before` is the prototypes as they were before the library was
 * loaded (a spare worker takes it at its start, then loads the library while it waits for its file).
 */
export function parseInWorker(request: WorkerRequest, before: PrototypeSnapshot = snapshotPrototypes()): WorkerResponse {
  let bytes: Buffer = Buffer.from(request.buffer);
  let odsTables: OdsTableInfo[] | undefined;
  let firstRows: number[] | null | undefined;
  try {
    // xlsx 0.18.5 inflates with its own JavaScript inflater, which spins forever on a damaged deflate stream
    // (it reads zeros past the end): each entry must first inflate with zlib, within its declared size.
    const zip = inspectZip(bytes);
    const band = request.band;
    let bandSheetXml: Buffer | null = null;
    for (const entry of zip.entries) {
      const isBandSheet = band !== undefined && entry.name === band.sheet;
      if (entry.method === 8 || isBandSheet) {
        const inflated = extractZipEntry(bytes, entry, entry.uncompressedSize);
        if (isBandSheet) bandSheetXml = inflated;
      }
    }
    if (band !== undefined) {
      // Every band cuts the same rows from the same bytes; band 0 parses the whole file when it cannot be cut.
      const sheet = zip.entries.find((entry) => entry.name === band.sheet);
      const cut = sheet && bandSheetXml ? cutBand(bytes, zip.entries, sheet, bandSheetXml, band.index, band.count, WORKBOOK_LIMITS.maxRows) : null;
      if (cut && 'tooManyRows' in cut) {
        return { ok: false, code: 'FILE_TOO_COMPLEX', detail: `sheet ${band.sheet}: more than ${WORKBOOK_LIMITS.maxRows} rows with a value (${cut.tooManyRows} counted before stopping)` };
      }
      firstRows = cut ? cut.firstRows : null;
      if (cut) bytes = cut.bytes;
      else if (band.index > 0) {
        return { ok: true, workbook: { format: request.format, sheets: [], skippedSheets: [] }, parseMs: 0, convertMs: 0, firstRows: null };
      }
    }
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

  const XLSX = xlsxLibrary();
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
    return { ok: true, workbook, parseMs: parsed - started, convertMs: Date.now() - parsed, ...(firstRows !== undefined ? { firstRows } : {}) };
  } catch (error) {
    if (error instanceof WorkbookTooComplexError) return { ok: false, code: 'FILE_TOO_COMPLEX', detail: `convert: ${error.message}` };
    return { ok: false, code: 'FILE_CORRUPT', detail: `convert: ${(error as Error).message}` };
  }
}

/**
 * A fresh thread runs the library's code unoptimised at first: the first file of a worker parses about a
 * third slower than the next would. A spare (started ahead, see xlsx.reader.ts) therefore reads a small
 * workbook of its own making first, with shared and inline strings, numbers, formats and formulas, so
 * that V8 has optimised the parser before the partner's file comes. Nothing of it is kept.
 */
export function warmUp(rows: number): void {
  if (rows <= 0) return;
  const XLSX = xlsxLibrary();
  const data: unknown[][] = [['Code', 'Intitulé', 'Montant', 'Année', 'Statut']];
  for (let i = 0; i < rows; i++) data.push([`A-${i}`, `Opération ${i} — travaux`, 1234.5 + i, 2020 + (i % 7), i % 2 ? 'En cours' : 'Terminé']);
  const sheet = XLSX.utils.aoa_to_sheet(data);
  sheet['F2'] = { t: 'n', v: 12.5, f: 'SUM(C2:C3)', z: '#,##0.00 €' };
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, 'Feuille');
  for (const bookSST of [true, false]) {
    const bytes = XLSX.write(book, { type: 'buffer', bookType: 'xlsx', bookSST, compression: bookSST }) as Buffer;
    for (let i = 0; i < 2; i++) {
      // The second read as the band of a split file (xlsx.split.ts), which large files are.
      const band = i === 1 ? { index: 0, count: 2, sheet: 'xl/worksheets/sheet1.xml' } : undefined;
      const result = parseInWorker({ buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, format: 'xlsx', band });
      if (!result.ok) throw new Error(`warm-up: ${result.detail}`);
    }
  }
}

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === WORKER_ROLE) {
  const port = parentPort;
  lowerThisThreadPriority(Number((workerData as { nice?: unknown }).nice) || 0);
  useNativeCallGuard((workerData as { nativeCallGuard?: unknown }).nativeCallGuard);
  // A worker may be started ahead of its file (a spare, see xlsx.reader.ts): the library is loaded while
  // it waits, after the prototypes are recorded, so that the check still covers loading it (and warming up).
  const before = snapshotPrototypes();
  xlsxLibrary();
  warmUp(Number((workerData as { warmUpRows?: unknown }).warmUpRows) || 0);
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
