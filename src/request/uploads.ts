import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { Request, Response } from 'express';
import { HttpError, sendHttpError } from './http-error';

/**
 * Multipart uploads, read into memory with hard caps — never written to disk. A request past a cap is
 * answered at once (413) and the rest of its body is discarded as it arrives (up to DRAIN_LIMIT_BYTES),
 * so that the client reads the answer instead of a reset connection.
 */

export interface UploadedFile {
  /** The name the client gave, without any directory part. */
  fileName: string;
  mimeType: string;
  buffer: Buffer;
}

export interface MultipartUpload {
  /** The single file part of the expected name, or null when the request carried none. */
  file: UploadedFile | null;
  /** The text fields asked for (others are ignored); the first value of each. */
  fields: Record<string, string>;
}

export interface MultipartOptions {
  /** The name of the file part. */
  fileField: string;
  /** The text fields to keep; any other field or file part is ignored. */
  fields: readonly string[];
  /** The file's size cap: past it the upload is refused with 413. */
  maxFileBytes: number;
}

/** What multipart framing and a handful of small fields may add to the file itself. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
const MAX_FIELD_BYTES = 10_000;
const MAX_PARTS = 100;
/** After a refusal, the body still arriving is read and dropped up to this much, then the socket is closed. */
const DRAIN_LIMIT_BYTES = 256 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 60_000;

export function formatMegabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} Mo`.replace('.', ',');
}

function ignore(): void {
  // expected errors of a cut stream
}

function tooLarge(maxFileBytes: number): HttpError {
  return new HttpError(413, `Le fichier dépasse la taille maximale autorisée (${formatMegabytes(maxFileBytes)}).`, 'file');
}

/** The name as the client gave it, without directories nor control characters (it is only ever stored as text). */
function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean || 'fichier';
}

/**
 * Reads a multipart/form-data request: one file of `fileField` (a second one is a 400), the listed text
 * fields, nothing else kept. Rejects with an HttpError: 400 for a malformed request, 413 past the cap.
 * On rejection the request is left paused and unpiped: call `refuseRequest` to answer it.
 */
export function readMultipart(req: IncomingMessage, options: MultipartOptions): Promise<MultipartUpload> {
  const maxRequestBytes = options.maxFileBytes + MULTIPART_OVERHEAD_BYTES;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxRequestBytes) return Promise.reject(tooLarge(options.maxFileBytes));

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { fileSize: options.maxFileBytes, fieldSize: MAX_FIELD_BYTES, fieldNameSize: 200, parts: MAX_PARTS },
    });
  } catch {
    return Promise.reject(new HttpError(400, 'Envoyez le fichier en multipart/form-data (champ « file » et les champs du formulaire).'));
  }

  return new Promise<MultipartUpload>((resolve, reject) => {
    const wanted = new Set(options.fields);
    const fields: Record<string, string> = {};
    let file: UploadedFile | null = null;
    let fileParts = 0;
    let pendingFile: Promise<void> = Promise.resolve();
    let received = 0;
    let settled = false;

    const fail = (error: HttpError) => {
      if (settled) return;
      settled = true;
      req.off('data', count);
      req.unpipe(parser);
      req.pause();
      // Not from inside the parser's own callbacks: it finishes its current write first. Its errors
      // from now on (the stream being cut) are expected and ignored.
      parser.removeAllListeners();
      parser.on('error', ignore);
      setImmediate(() => parser.destroy());
      reject(error);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
      // A request without Content-Length (chunked) is capped as it streams.
      if (received > maxRequestBytes) fail(tooLarge(options.maxFileBytes));
    };

    parser.on('file', (name, stream, info) => {
      stream.on('error', ignore);
      if (name !== options.fileField) {
        stream.resume(); // an unknown file part is ignored
        return;
      }
      fileParts++;
      if (fileParts > 1) {
        stream.resume();
        fail(new HttpError(400, `Un seul fichier par envoi : le champ « ${options.fileField} » est présent plusieurs fois.`, options.fileField));
        return;
      }
      // Copied into one buffer as the chunks arrive (sized from Content-Length, grown when a chunked request
      // needs it): one copy of 20 MB at the end held the thread for tens of milliseconds.
      let buffer = Buffer.allocUnsafe(Math.min(Number.isFinite(declared) && declared > 0 ? declared : 64 * 1024, options.maxFileBytes));
      let size = 0;
      pendingFile = new Promise<void>((done) => {
        stream.on('data', (chunk: Buffer) => {
          if (settled) return;
          if (size + chunk.length > buffer.length) {
            const bigger = Buffer.allocUnsafe(Math.min(Math.max(buffer.length * 2, size + chunk.length), options.maxFileBytes + chunk.length));
            buffer.copy(bigger, 0, 0, size);
            buffer = bigger;
          }
          chunk.copy(buffer, size);
          size += chunk.length;
        });
        stream.on('limit', () => {
          buffer = Buffer.alloc(0);
          fail(tooLarge(options.maxFileBytes));
          done();
        });
        stream.on('end', () => {
          // A view of the file's bytes (the buffer was sized from the whole request, framing included).
          if (!settled) file = { fileName: cleanFileName(info.filename), mimeType: info.mimeType, buffer: buffer.subarray(0, size) };
          done();
        });
        stream.on('error', () => done());
        stream.on('close', () => done());
      });
    });
    parser.on('field', (name, value, info) => {
      if (!wanted.has(name) || name in fields) return;
      if (info.valueTruncated) {
        fail(new HttpError(400, `Le champ « ${name} » est trop long.`, name));
        return;
      }
      fields[name] = value;
    });
    parser.on('partsLimit', () => fail(new HttpError(400, `Trop de champs dans le formulaire (${MAX_PARTS} au plus).`)));
    parser.on('error', () => fail(new HttpError(400, 'Le contenu multipart/form-data est illisible ou incomplet.')));
    parser.on('close', () => {
      void pendingFile.then(() => {
        if (settled) return;
        settled = true;
        req.off('data', count);
        resolve({ file, fields });
      });
    });
    req.on('data', count);
    req.on('aborted', () => fail(new HttpError(400, 'Envoi interrompu.')));
    req.pipe(parser);
  });
}

/**
 * Answers a request with an error, without waiting for its body: what is still arriving is read and
 * dropped (bounded), so that a client still sending gets the answer rather than a reset.
 */
export function refuseRequest(req: Request, res: Response, error: HttpError): void {
  sendHttpError(res, error);
  drainRequest(req);
}

export function drainRequest(req: IncomingMessage): void {
  if (req.readableEnded || req.destroyed) return;
  let dropped = 0;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_TIMEOUT_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_LIMIT_BYTES) req.socket.destroy();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
