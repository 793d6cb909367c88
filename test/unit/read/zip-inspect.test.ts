import { deflateRawSync } from 'node:zlib';
import {
  assertSpreadsheetZip,
  extractZipEntry,
  findZipEntry,
  inspectZip,
  isEncryptedOpenDocument,
  readZipDirectory,
} from '../../../import/read/zip-inspect';
import { buildZip, readErrorOf, xlsxOf } from './read-helpers';

const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';

describe('zip-inspect', () => {
  const xlsx = xlsxOf([{ name: 'Feuille 1', aoa: [['a', 1]] }]);
  const ods = xlsxOf([{ name: 'Feuille 1', aoa: [['a', 1]] }], 'ods');

  it('lists the entries of an xlsx with their sizes and recognises it', () => {
    const inspection = inspectZip(xlsx);
    expect(inspection.kind).toBe('xlsx');
    const workbook = findZipEntry(inspection, 'xl/workbook.xml');
    expect(workbook).toBeDefined();
    expect(workbook!.uncompressedSize).toBeGreaterThan(0);
    expect(inspection.totalUncompressedSize).toBe(
      inspection.entries.reduce((sum, e) => sum + e.uncompressedSize, 0),
    );
    expect(inspection.totalCompressedSize).toBeLessThan(xlsx.length);
  });

  it('recognises an ods by its mimetype and content.xml', () => {
    const inspection = inspectZip(ods);
    expect(inspection.kind).toBe('ods');
    expect(inspection.mimetype).toBe(ODS_MIME);
    expect(isEncryptedOpenDocument(ods, inspection)).toBe(false);
  });

  it('tells other zips apart and refuses them in the partner’s words', async () => {
    const docx = buildZip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'word/document.xml', data: '<w:document/>' },
    ]);
    const odt = buildZip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', method: 0 },
      { name: 'content.xml', data: '<office:document-content/>' },
    ]);
    const plain = buildZip([{ name: 'photos/vacances.jpg', data: Buffer.alloc(100, 1) }]);
    const xlsb = buildZip([{ name: 'xl/workbook.bin', data: Buffer.alloc(10) }]);
    const pptx = buildZip([{ name: 'ppt/presentation.xml', data: '<p/>' }]);
    expect(inspectZip(docx).kind).toBe('docx');
    expect(inspectZip(odt).kind).toBe('opendocument-other');
    expect(inspectZip(plain).kind).toBe('archive');
    expect(inspectZip(xlsb).kind).toBe('xlsb');
    expect(inspectZip(pptx).kind).toBe('pptx');
    expect(inspectZip(buildZip([])).kind).toBe('empty');

    for (const [zip, words] of [
      [docx, /traitement de texte/],
      [odt, /OpenDocument/],
      [plain, /archive/],
      [xlsb, /\.xlsb/],
      [pptx, /présentation/],
    ] as const) {
      const error = await readErrorOf(() => assertSpreadsheetZip(inspectZip(zip)));
      expect(error.code).toBe('FILE_NOT_SPREADSHEET');
      expect(error.message).toMatch(words);
    }
  });

  it('refuses a truncated zip as corrupt', async () => {
    for (const cut of [xlsx.length - 10, Math.floor(xlsx.length / 2), 30, 21]) {
      const error = await readErrorOf(() => inspectZip(xlsx.subarray(0, cut)));
      expect(error.code).toBe('FILE_CORRUPT');
      expect(error.message).toMatch(/incomplet ou endommagé/);
    }
  });

  it('refuses a directory that points outside the file or to garbage', async () => {
    const broken = Buffer.from(xlsx);
    // Point the directory offset of the end record one byte off.
    const eocd = broken.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    broken.writeUInt32LE(broken.readUInt32LE(eocd + 16) + 1, eocd + 16);
    expect((await readErrorOf(() => inspectZip(broken))).code).toBe('FILE_CORRUPT');

    const garbage = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(2000, 0x41)]);
    expect((await readErrorOf(() => inspectZip(garbage))).code).toBe('FILE_CORRUPT');

    const badLocal = Buffer.from(xlsx);
    badLocal.writeUInt32LE(0, 0); // first local header signature erased
    expect((await readErrorOf(() => inspectZip(badLocal))).code).toBe('FILE_CORRUPT');
  });

  it('refuses a zip whose directory declares a huge uncompressed size (zip bomb), without inflating', async () => {
    const bomb = buildZip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(1000), declaredSize: 0xfffffff0 },
    ]);
    const error = await readErrorOf(() => inspectZip(bomb));
    expect(error.code).toBe('FILE_ZIP_BOMB');
    expect(error.message).toMatch(/Go de données une fois décompressé/);
  });

  it('refuses many honest entries that add up past the limit', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({
      name: `xl/worksheets/sheet${i + 1}.xml`,
      data: Buffer.alloc(10),
      declaredSize: 60 * 1024 * 1024,
    }));
    const zip = buildZip([{ name: 'xl/workbook.xml', data: '<workbook/>' }, ...entries.map((e) => ({ ...e, method: 8 as const }))]);
    // 300 MB declared in all: the total is refused (each entry's ratio would be too).
    const error = await readErrorOf(() => inspectZip(zip));
    expect(error.code).toBe('FILE_ZIP_BOMB');
    expect(error.message).toMatch(/300 Mo de données .* au-delà de la limite de 100 Mo/);
    // Under a higher limit, the ratio of each entry still gives it away.
    expect((await readErrorOf(() => inspectZip(zip, { maxTotalUncompressedBytes: 1e12 }))).message).toMatch(
      /taux de compression est anormal/,
    );
  });

  it('refuses a real deflate bomb by its ratio (zeros compress about 1000:1)', async () => {
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const zip = buildZip([
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      { name: 'xl/worksheets/sheet1.xml', data: zeros },
    ]);
    expect(zip.length).toBeLessThan(200 * 1024);
    const error = await readErrorOf(() => inspectZip(zip));
    expect(error.code).toBe('FILE_ZIP_BOMB');
    expect(error.message).toMatch(/taux de compression est anormal/);
  });

  it('reads Zip64 sizes from the extra field', async () => {
    const zip = buildZip([{ name: 'xl/workbook.xml', data: '<workbook/>' }]);
    // Rewrite the one central entry so that its uncompressed size lives in a Zip64 extra field.
    const centralAt = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const nameLength = zip.readUInt16LE(centralAt + 28);
    const head = zip.subarray(0, centralAt);
    const central = Buffer.from(zip.subarray(centralAt, centralAt + 46 + nameLength));
    central.writeUInt32LE(0xffffffff, 24);
    central.writeUInt16LE(12, 30);
    const extra = Buffer.alloc(12);
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8, 2);
    extra.writeBigUInt64LE(5n * 1024n * 1024n * 1024n, 4); // 5 GB
    const directory = Buffer.concat([central, extra]);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(1, 8);
    eocd.writeUInt16LE(1, 10);
    eocd.writeUInt32LE(directory.length, 12);
    eocd.writeUInt32LE(head.length, 16);
    const zip64 = Buffer.concat([head, directory, eocd]);
    expect(readZipDirectory(zip64)[0].uncompressedSize).toBe(5 * 1024 * 1024 * 1024);
    expect((await readErrorOf(() => inspectZip(zip64))).code).toBe('FILE_ZIP_BOMB');
  });

  it('refuses a workbook with encrypted entries, and an encrypted OpenDocument', async () => {
    const encrypted = buildZip([
      { name: 'xl/workbook.xml', data: '<workbook/>', flags: 1 },
      { name: 'xl/worksheets/sheet1.xml', data: '<worksheet/>', flags: 1 },
    ]);
    expect((await readErrorOf(() => inspectZip(encrypted))).code).toBe('FILE_ENCRYPTED');

    const encryptedOds = buildZip([
      { name: 'mimetype', data: ODS_MIME, method: 0 },
      { name: 'content.xml', data: Buffer.alloc(200, 7) },
      {
        name: 'META-INF/manifest.xml',
        data:
          '<manifest:manifest><manifest:file-entry manifest:full-path="content.xml">' +
          '<manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>',
      },
    ]);
    const inspection = inspectZip(encryptedOds);
    expect(inspection.kind).toBe('ods');
    expect(isEncryptedOpenDocument(encryptedOds, inspection)).toBe(true);
  });

  it('extracts an entry but never more than asked', async () => {
    const zip = buildZip([{ name: 'big.xml', data: Buffer.alloc(100_000, 0x61) }]);
    const entry = inspectZip(zip).entries[0];
    expect(extractZipEntry(zip, entry, 100_000).length).toBe(100_000);
    expect((await readErrorOf(() => extractZipEntry(zip, entry, 1000))).code).toBe('FILE_ZIP_BOMB');
    const corruptBody = Buffer.from(zip);
    corruptBody.fill(0xff, 40, 60);
    expect((await readErrorOf(() => extractZipEntry(corruptBody, entry, 100_000))).code).toBe('FILE_CORRUPT');
  });

  it('is fast on a directory of thousands of entries and refuses absurd entry counts', async () => {
    const many = buildZip(Array.from({ length: 3000 }, (_, i) => ({ name: `f${i}.txt`, data: 'x', method: 0 as const })));
    const started = Date.now();
    expect(inspectZip(many).entries).toHaveLength(3000);
    expect(Date.now() - started).toBeLessThan(500);
    expect((await readErrorOf(() => inspectZip(many, { maxEntries: 100 }))).code).toBe('FILE_TOO_COMPLEX');
  });

  it('a stored entry whose sizes disagree is corrupt', async () => {
    const zip = buildZip([{ name: 'xl/workbook.xml', data: '<workbook/>', method: 0, declaredSize: 5 }]);
    expect((await readErrorOf(() => inspectZip(zip))).code).toBe('FILE_CORRUPT');
  });

  it('deflates like the real thing (sanity check of the test builder)', () => {
    const zip = buildZip([{ name: 'a.txt', data: 'bonjour' }]);
    const entry = inspectZip(zip).entries[0];
    expect(entry.compressedSize).toBe(deflateRawSync(Buffer.from('bonjour')).length);
    expect(extractZipEntry(zip, entry, 100).toString()).toBe('bonjour');
  });
});
