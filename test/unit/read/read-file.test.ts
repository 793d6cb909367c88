import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { CFB_MAGIC } from '../../../import/read/cfb-inspect';
import { READ_ERROR_CODES, READ_ERROR_MESSAGES, ReadError, formatBytes } from '../../../import/read/read-error';
import { readUploadedFile, sniffFormat } from '../../../import/read/read-file';
import {
  buildWorkbook,
  buildZip,
  FIXTURES,
  junkBytes,
  prototypeFingerprint,
  readErrorOf,
  writeWorkbook,
  xlsxOf,
} from './read-helpers';

const FINGERPRINT = prototypeFingerprint();

afterEach(() => {
  expect(prototypeFingerprint()).toBe(FINGERPRINT);
});

const simpleXlsx = xlsxOf([{ name: 'Feuille 1', aoa: [['N° action', 'Montant'], ['DA-01', 1000]] }]);

describe('readUploadedFile: dispatch by content', () => {
  it('reads an xlsx, an ods and a csv, whatever their names say', async () => {
    const xlsx = await readUploadedFile(simpleXlsx, 'tableau.csv');
    expect(xlsx.format).toBe('xlsx');
    expect(xlsx.sheets[0].rows[1][1]).toEqual({ kind: 'number', value: 1000 });

    const ods = await readUploadedFile(xlsxOf([{ name: 'Feuille 1', aoa: [['a', 2]] }], 'ods'), 'tableau.xlsx');
    expect(ods.format).toBe('ods');
    expect(ods.sheets[0].rows[0][1]).toEqual({ kind: 'number', value: 2 });

    const csv = await readUploadedFile(Buffer.from('a;b\r\n1;2\r\n'), 'tableau.xlsx');
    expect(csv.format).toBe('csv');
    expect(csv.sheets[0].name).toBe('tableau');
  });

  it('sniffs the first bytes', () => {
    expect(sniffFormat(simpleXlsx)).toBe('zip');
    expect(sniffFormat(Buffer.concat([CFB_MAGIC, Buffer.alloc(600)]))).toBe('cfb');
    expect(sniffFormat(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toBe('pdf');
    expect(sniffFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toBe('image');
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).toBe('image');
    expect(sniffFormat(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]))).toBe('archive');
    expect(sniffFormat(Buffer.from('numero;montant\n'))).toBe('text');
    expect(sniffFormat(Buffer.from('numero;montant\n', 'utf16le'))).toBe('text');
    expect(sniffFormat(junkBytes(4096))).toBe('binary');
  });
});

describe('readUploadedFile: refusals, in French', () => {
  it('refuses an empty file', async () => {
    const error = await readErrorOf(() => readUploadedFile(Buffer.alloc(0), 'vide.xlsx'));
    expect(error.code).toBe('FILE_EMPTY');
    expect(error.message).toMatch(/^Le fichier est vide/);
  });

  it('refuses a file over the size cap before looking at it', async () => {
    const error = await readErrorOf(() => readUploadedFile(simpleXlsx, 'gros.xlsx', { maxBytes: 1024 }));
    expect(error.code).toBe('FILE_TOO_LARGE');
    expect(error.message).toMatch(new RegExp(`^Le fichier pèse ${formatBytes(simpleXlsx.length)}, au-delà de la limite de 1 Ko`));
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x41);
    expect((await readErrorOf(() => readUploadedFile(big, 'gros.csv'))).message).toMatch(/limite de 20 Mo/);
  });

  it('refuses a PDF, an image, a compressed archive', async () => {
    const pdf = await readErrorOf(() => readUploadedFile(Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n'), 'annexe.pdf'));
    expect([pdf.code, pdf.message]).toEqual(['FILE_NOT_SPREADSHEET', expect.stringMatching(/document PDF/)]);
    const png = await readErrorOf(() => readUploadedFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]), 'capture.png'));
    expect([png.code, png.message]).toEqual(['FILE_NOT_SPREADSHEET', expect.stringMatching(/image/)]);
    const gz = await readErrorOf(() => readUploadedFile(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), 'export.csv.gz'));
    expect(gz.code).toBe('FILE_NOT_SPREADSHEET');
  });

  it('calls random bytes "damaged" when named like a spreadsheet, "not a spreadsheet" otherwise', async () => {
    const junk = junkBytes(10_000);
    const named = await readErrorOf(() => readUploadedFile(junk, 'Programmation 2023.xlsx'));
    expect(named.code).toBe('FILE_CORRUPT');
    expect(named.message).toMatch(/extension \.xlsx mais son contenu/);
    expect((await readErrorOf(() => readUploadedFile(junk, 'donnees.bin'))).code).toBe('FILE_NOT_SPREADSHEET');
  });

  it('refuses a Word document disguised as xlsx', async () => {
    const docx = buildZip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'word/document.xml', data: '<w:document/>' },
    ]);
    const error = await readErrorOf(() => readUploadedFile(docx, 'annexe.xlsx'));
    expect(error.code).toBe('FILE_NOT_SPREADSHEET');
    expect(error.message).toMatch(/traitement de texte/);
  });

  it('refuses a password-protected workbook', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptionInfo', Buffer.alloc(200, 1));
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptedPackage', Buffer.alloc(5000, 2));
    const encrypted = Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
    const error = await readErrorOf(() => readUploadedFile(encrypted, 'protégé.xlsx'));
    expect(error.code).toBe('FILE_ENCRYPTED');
    expect(error.message).toBe(
      'Le fichier est protégé par un mot de passe : enregistrez-le sans mot de passe puis déposez-le à nouveau.',
    );
    const minimal = Buffer.concat([CFB_MAGIC, Buffer.alloc(64), Buffer.from('EncryptedPackage\u0000', 'utf16le')]);
    expect((await readErrorOf(() => readUploadedFile(minimal, 'x.xlsx'))).code).toBe('FILE_ENCRYPTED');
  });

  it('refuses a legacy .xls and asks for .xlsx', async () => {
    const xls = writeWorkbook(buildWorkbook([{ name: 'Feuil1', aoa: [['a', 1]] }]), 'xls');
    const error = await readErrorOf(() => readUploadedFile(xls, 'ancien.xls'));
    expect(error.code).toBe('FILE_NOT_SPREADSHEET');
    expect(error.message).toMatch(/Excel 97-2003/);
  });

  it('refuses a truncated xlsx and a zip bomb', async () => {
    const truncated = await readErrorOf(() => readUploadedFile(simpleXlsx.subarray(0, simpleXlsx.length - 100), 'coupé.xlsx'));
    expect(truncated.code).toBe('FILE_CORRUPT');
    const bomb = buildZip([
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(2000), declaredSize: 3_000_000_000 },
    ]);
    const error = await readErrorOf(() => readUploadedFile(bomb, 'bombe.xlsx'));
    expect(error.code).toBe('FILE_ZIP_BOMB');
    expect(error.message).toMatch(/2,8 Go de données une fois décompressé/);
  });

  it('refuses a workbook whose sheets are all hidden, or all empty', async () => {
    const allHidden = xlsxOf([
      { name: 'A', aoa: [['x']], hidden: 1 },
      { name: 'B', aoa: [['y']], hidden: 2 },
    ]);
    // (Excel refuses to save such a file, other tools do not.)
    const hidden = await readErrorOf(() => readUploadedFile(allHidden, 'masqué.xlsx'));
    expect(hidden.code).toBe('FILE_EMPTY');
    expect(hidden.message).toMatch(/aucun onglet visible \(2 onglets masqués\)/);

    const empty = await readErrorOf(() => readUploadedFile(xlsxOf([{ name: 'Vide', aoa: [] }]), 'vide.xlsx'));
    expect(empty.code).toBe('FILE_EMPTY');
    expect(empty.message).toMatch(/aucune cellule remplie/);
  });

  it('passes the worker limits through', async () => {
    const error = await readErrorOf(() => readUploadedFile(simpleXlsx, 'a.xlsx', { timeoutMs: 1 }));
    expect(error.code).toBe('FILE_TIMEOUT');
  });
});

describe('ReadError', () => {
  it('has a French message for every code and becomes a whole-file issue', () => {
    for (const code of READ_ERROR_CODES) {
      const error = new ReadError(code, undefined, { detail: 'technique' });
      expect(error.message).toBe(READ_ERROR_MESSAGES[code]);
      expect(error.message).toMatch(/^(Le fichier|Ce fichier|La lecture)/);
      expect(error.name).toBe('ReadError');
      expect(error.detail).toBe('technique');
      expect(error).toBeInstanceOf(Error);
      expect(error.toIssue()).toEqual({ severity: 'ERROR', code, message: error.message, sheet: null, cell: null, value: null });
    }
  });

  it('formats sizes the French way', () => {
    expect(formatBytes(0)).toBe('0 octets');
    expect(formatBytes(1536)).toBe('1,5 Ko');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 Mo');
  });
});

describe('readUploadedFile: the shared fixtures', () => {
  it('reads the Banque des Territoires workbook', async () => {
    const file = readFileSync(`${FIXTURES}/annexe3-banque-des-territoires-2023.xlsx`);
    const result = await readUploadedFile(file, 'annexe3-banque-des-territoires-2023.xlsx');
    expect(result.format).toBe('xlsx');
    expect(result.sheets.map((s) => s.name)).toEqual(['Programmation 2023', 'Listes']);
    const labels = result.sheets[0].rows[3].map((c) => c?.value);
    expect(labels).toEqual(expect.arrayContaining(['N° action', 'Statut ']));
    expect(result.issues).toEqual([]);
  });

  it('reads the ADEME csv', async () => {
    const result = await readUploadedFile(readFileSync(`${FIXTURES}/annexe3-ademe-2021-2023.csv`), 'annexe3-ademe-2021-2023.csv');
    expect(result.csv).toEqual({ delimiter: ';', encoding: 'utf-8-bom', decimalComma: true });
    expect(result.sheets[0].rows).toHaveLength(6);
  });

  it.each([
    ['annexe2-bilan-plan-de-relance-douaisis.xlsx', 'Annexe 2'],
    ['annexe3-douaisis-agglo-2022.xlsx', 'Tableau financier 2022'],
    ['dotations-detr-dsil-fnadt-2017-2021.xlsx', 'Dotations 2017-2021'],
  ])('reads %s', async (name, sheetName) => {
    const result = await readUploadedFile(readFileSync(`${FIXTURES}/${name}`), name);
    expect(result.sheets[0].name).toBe(sheetName);
    expect(result.sheets[0].rows.length).toBeGreaterThan(5);
  });
});
