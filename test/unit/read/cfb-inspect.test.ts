import * as XLSX from 'xlsx';
import { CFB_MAGIC, inspectCfb, looksLikeCfb, refuseCfb } from '../../../import/read/cfb-inspect';
import { readErrorOf, writeWorkbook, buildWorkbook } from './read-helpers';

/** A real Compound File, as Office writes a password-protected xlsx: EncryptionInfo + EncryptedPackage. */
function encryptedOoxml(): Buffer {
  const cfb = XLSX.CFB.utils.cfb_new();
  XLSX.CFB.utils.cfb_add(cfb, '/EncryptionInfo', Buffer.alloc(300, 4));
  XLSX.CFB.utils.cfb_add(cfb, '/EncryptedPackage', Buffer.alloc(9000, 0x5a));
  XLSX.CFB.utils.cfb_add(cfb, '/\u0006DataSpaces/Version', Buffer.alloc(64, 1));
  return Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}

/** The smallest thing that looks like one: the magic, then the stream name in UTF-16LE somewhere. */
function minimalEncrypted(): Buffer {
  return Buffer.concat([CFB_MAGIC, Buffer.alloc(100), Buffer.from('EncryptedPackage\u0000', 'utf16le'), Buffer.alloc(50)]);
}

describe('cfb-inspect', () => {
  it('recognises the magic', () => {
    expect(looksLikeCfb(encryptedOoxml())).toBe(true);
    expect(looksLikeCfb(Buffer.from('PK\u0003\u0004'))).toBe(false);
    expect(looksLikeCfb(CFB_MAGIC.subarray(0, 4))).toBe(false);
  });

  it('walks the directory of a real encrypted OOXML container', () => {
    const inspection = inspectCfb(encryptedOoxml());
    expect(inspection.parsed).toBe(true);
    expect(inspection.kind).toBe('encrypted-ooxml');
    expect(inspection.names).toEqual(expect.arrayContaining(['EncryptionInfo', 'EncryptedPackage']));
  });

  it('falls back to scanning the bytes of a minimal, hand-made container', () => {
    const inspection = inspectCfb(minimalEncrypted());
    expect(inspection.parsed).toBe(false);
    expect(inspection.kind).toBe('encrypted-ooxml');
  });

  it('recognises a legacy .xls (Workbook stream)', () => {
    const xls = writeWorkbook(buildWorkbook([{ name: 'Feuil1', aoa: [['a', 1]] }]), 'xls');
    expect(looksLikeCfb(xls)).toBe(true);
    const inspection = inspectCfb(xls);
    expect(inspection.parsed).toBe(true);
    expect(inspection.kind).toBe('xls');
  });

  it('refuses each kind with its own message', async () => {
    const encrypted = await readErrorOf(() => refuseCfb(encryptedOoxml()));
    expect(encrypted.code).toBe('FILE_ENCRYPTED');
    expect(encrypted.message).toBe(
      'Le fichier est protégé par un mot de passe : enregistrez-le sans mot de passe puis déposez-le à nouveau.',
    );
    expect((await readErrorOf(() => refuseCfb(minimalEncrypted()))).code).toBe('FILE_ENCRYPTED');

    const xls = await readErrorOf(() => refuseCfb(writeWorkbook(buildWorkbook([{ name: 'F', aoa: [[1]] }]), 'xls')));
    expect(xls.code).toBe('FILE_NOT_SPREADSHEET');
    expect(xls.message).toMatch(/Excel 97-2003 \(\.xls\).*\.xlsx/);

    const doc = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(doc, '/WordDocument', Buffer.alloc(600, 1));
    const word = await readErrorOf(() => refuseCfb(Buffer.from(XLSX.CFB.write(doc, { type: 'buffer' }) as Uint8Array)));
    expect(word.code).toBe('FILE_NOT_SPREADSHEET');
    expect(word.message).toMatch(/traitement de texte/);

    const junk = await readErrorOf(() => refuseCfb(Buffer.concat([CFB_MAGIC, Buffer.alloc(40, 0xff)])));
    expect(junk.code).toBe('FILE_CORRUPT');
  });

  it('survives directory chains that loop or point outside the file', () => {
    const file = encryptedOoxml();
    const looped = Buffer.from(file);
    looped.writeUInt32LE(0x7fffffff, 0x30); // first directory sector far outside
    expect(() => inspectCfb(looped)).not.toThrow();
    expect(inspectCfb(looped).kind).toBe('encrypted-ooxml'); // found by the byte scan
    const truncated = file.subarray(0, 700);
    expect(() => inspectCfb(truncated)).not.toThrow();
  });
});
