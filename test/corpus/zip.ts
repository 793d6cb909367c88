/**
 * A minimal zip reader and writer for building hostile files by hand: the corpus needs zips that no
 * library would write (lying sizes, cut directories, encrypted flags, parts edited after the fact).
 */
import { inflateRawSync } from 'node:zlib';
import { crc32, writeZip, type ZipPart } from '../../bench/zip-writer';

export { crc32, writeZip, type ZipPart };

/** Zip bytes (as written by xlsx or writeZip) → parts, read from the central directory. */
export function readZip(zip: Buffer): ZipPart[] {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const parts: ZipPart[] = [];
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressed);
    parts.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return parts;
}

/** Rewrites some parts of a zip (by name; `null` deletes; new names are appended). */
export function editZip(zip: Buffer, edits: Record<string, ((text: string) => string) | Buffer | null>): Buffer {
  const parts = readZip(zip);
  const out: ZipPart[] = [];
  for (const part of parts) {
    const edit = edits[part.name];
    if (edit === undefined) out.push(part);
    else if (edit === null) continue;
    else if (Buffer.isBuffer(edit)) out.push({ name: part.name, data: edit });
    else out.push({ name: part.name, data: Buffer.from(edit(part.data.toString('utf8')), 'utf8') });
  }
  for (const [name, edit] of Object.entries(edits)) {
    if (Buffer.isBuffer(edit) && !parts.some((part) => part.name === name)) out.push({ name, data: edit });
  }
  return writeZip(out);
}
