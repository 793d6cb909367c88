import { readFileSync } from 'node:fs';
import type { Cell, SheetGrid } from '../../../import/common/model';
import {
  decodeCsvBytes,
  decodeWindows1252,
  detectDelimiter,
  isDecimalCommaNumber,
  parseCsvText,
  readCsv,
  sheetNameFromFileName,
} from '../../../import/read/csv.reader';
import { FIXTURES, readErrorOf } from './read-helpers';

/** The grid as plain values: strings, and null for empty cells. */
function values(sheet: SheetGrid): Array<Array<string | null>> {
  return sheet.rows.map((row) => row.map((cell: Cell | null) => (cell === null ? null : (cell.value as string))));
}

function utf16le(text: string, bom = true): Buffer {
  return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  le.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
}

/** Windows-1252 bytes of a text (only the characters these tests use). */
function cp1252(text: string): Buffer {
  const special: Record<string, number> = { '€': 0x80, '’': 0x92, œ: 0x9c, Œ: 0x8c, '–': 0x96, '…': 0x85 };
  return Buffer.from(Array.from(text, (c) => special[c] ?? c.charCodeAt(0)));
}

const FRENCH = 'Maître d’ouvrage;Coût;Œuvre\r\nCœur d’Ostrevent;1 234,50 €;Élévation…\r\n';
const FRENCH_ROWS = [
  ['Maître d’ouvrage', 'Coût', 'Œuvre'],
  ['Cœur d’Ostrevent', '1 234,50 €', 'Élévation…'],
];

describe('csv reader: encodings', () => {
  it.each([
    ['UTF-8', Buffer.from(FRENCH, 'utf8'), 'utf-8'],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FRENCH, 'utf8')]), 'utf-8-bom'],
    ['Windows-1252', cp1252(FRENCH), 'windows-1252'],
    ['UTF-16 LE with BOM', utf16le(FRENCH), 'utf-16le'],
    ['UTF-16 BE with BOM', utf16be(FRENCH), 'utf-16be'],
    ['UTF-16 LE without BOM', utf16le(FRENCH, false), 'utf-16le'],
  ])('reads %s', (_label, bytes, encoding) => {
    const result = readCsv(bytes, 'annexe.csv');
    expect(result.csv).toEqual({ delimiter: ';', encoding, decimalComma: true });
    expect(values(result.sheets[0])).toEqual(FRENCH_ROWS);
    expect(result.issues).toEqual([]);
  });

  it('maps the Windows-1252 range 0x80–0x9F by hand (Node decodes it as Latin-1)', () => {
    expect(decodeWindows1252(Buffer.from([0x80, 0x92, 0x9c, 0xe9, 0x85]))).toBe('€’œé…');
    expect(decodeWindows1252(Buffer.from('abc'))).toBe('abc');
  });

  it('decodes a file mixing UTF-8 and Windows-1252 sequence by sequence, with a warning', () => {
    const bytes = Buffer.concat([Buffer.from('Ville;Montant\nDouai;Coût élevé\n', 'utf8'), cp1252('Sin-le-Noble;Dépense 5 €\n')]);
    const result = readCsv(bytes, 'mix.csv');
    expect(values(result.sheets[0])).toEqual([
      ['Ville', 'Montant'],
      ['Douai', 'Coût élevé'],
      ['Sin-le-Noble', 'Dépense 5 €'],
    ]);
    expect(result.csv!.encoding).toBe('utf-8+windows-1252');
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ severity: 'WARNING', code: 'FILE_ENCODING', sheet: 'mix' });
    expect(result.issues[0].message).toMatch(/UTF-8 et Windows-1252/);
  });

  it('removes NUL characters with a warning naming the line', () => {
    const bytes = Buffer.from('a;b\nc\u0000;d\ne;f\u0000\u0000\n', 'utf8');
    const result = readCsv(bytes, 'nul.csv');
    expect(values(result.sheets[0])).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0].code).toBe('FILE_ENCODING');
    expect(result.issues[0].message).toMatch(/3 caractères nuls .* ligne 2/);
  });

  it('removes trailing NUL padding but refuses a file that is mostly NUL or control bytes', async () => {
    const padded = Buffer.concat([Buffer.from('a;b\n1;2\n'), Buffer.alloc(4)]);
    expect(values(readCsv(padded, 'p.csv').sheets[0])).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    const junk = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256));
    expect((await readErrorOf(() => readCsv(junk, 'x.csv'))).code).toBe('FILE_NOT_SPREADSHEET');
    const mostlyNul = Buffer.concat([Buffer.from('a;b\n'), Buffer.alloc(100), Buffer.from('c;d\n')]);
    expect((await readErrorOf(() => readCsv(mostlyNul, 'x.csv'))).code).toBe('FILE_NOT_SPREADSHEET');
  });

  it('strips the BOM once decoded (UTF-8 and UTF-16)', () => {
    expect(decodeCsvBytes(Buffer.from('\ufeffa;b', 'utf8')).text).toBe('a;b');
    expect(decodeCsvBytes(utf16le('a;b')).text).toBe('a;b');
  });
});

describe('csv reader: structure', () => {
  it('detects `;`, `,` and tab', () => {
    expect(readCsv(Buffer.from('a;b;c\n1;2;3\n'), 'x.csv').csv!.delimiter).toBe(';');
    expect(readCsv(Buffer.from('a,b,c\n1,2,3\n'), 'x.csv').csv!.delimiter).toBe(',');
    expect(readCsv(Buffer.from('a\tb\tc\n1\t2\t3\n'), 'x.csv').csv!.delimiter).toBe('\t');
  });

  it('prefers `;` when decimal commas make `,` look like a delimiter', () => {
    const text = 'numero;montant;taux\nDA-1;950000,50;0,5\nDA-2;12,5;1\nDA-3;3;0,25\n';
    expect(detectDelimiter(text)).toBe(';');
    const result = readCsv(Buffer.from(text), 'x.csv');
    expect(values(result.sheets[0])[1]).toEqual(['DA-1', '950000,50', '0,5']);
    expect(result.csv!.decimalComma).toBe(true);
  });

  it('counts separators outside quotes only', () => {
    const text = 'nom,commentaire\n"Douai","a;b;c;d"\n"Lens","e;f;g;h"\n';
    expect(detectDelimiter(text)).toBe(',');
    expect(values(readCsv(Buffer.from(text), 'x.csv').sheets[0])[1]).toEqual(['Douai', 'a;b;c;d']);
  });

  it('sets decimalComma for `,` files only when numbers like 950000,50 appear', () => {
    expect(readCsv(Buffer.from('a,b\n1.5,2\n'), 'x.csv').csv!.decimalComma).toBe(false);
    expect(readCsv(Buffer.from('a,b\n"950000,50",2\n'), 'x.csv').csv!.decimalComma).toBe(true);
    // three digits after the comma could be a thousands separator
    expect(readCsv(Buffer.from('a,b\n"1,050",2\n'), 'x.csv').csv!.decimalComma).toBe(false);
  });

  it.each([
    ['950000,50', true],
    ['1 234,5 €', true],
    ['1\u202f234,56', true],
    ['-0,125', true],
    ['1.234,56', true],
    ['12,5%', true],
    ['1,050', false],
    ['1,5 M€', false],
    ['DA-1,2', false],
    ['12,', false],
    [',5', false],
    ['abc', false],
  ])('isDecimalCommaNumber(%p) is %p', (text, expected) => {
    expect(isDecimalCommaNumber(text)).toBe(expected);
  });

  it('reads CRLF, LF and CR line ends alike', () => {
    for (const eol of ['\r\n', '\n', '\r']) {
      const result = readCsv(Buffer.from(['a;b', '1;2', '3;4', ''].join(eol)), 'x.csv');
      expect(values(result.sheets[0])).toEqual([
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ]);
    }
  });

  it('reads RFC 4180 quotes: separators, line breaks and doubled quotes inside', () => {
    const text =
      'titre;description;montant\r\n' +
      '"Salle ""La Fabrique""";"Première ligne\r\nDeuxième; avec point-virgule";"1 500,00"\r\n' +
      '"";plain "quote" inside;"a"b\r\n';
    const result = readCsv(Buffer.from(text), 'x.csv');
    expect(values(result.sheets[0])).toEqual([
      ['titre', 'description', 'montant'],
      ['Salle "La Fabrique"', 'Première ligne\r\nDeuxième; avec point-virgule', '1 500,00'],
      [null, 'plain "quote" inside', 'ab'],
    ]);
  });

  it('keeps ragged rows as written, empty lines as empty rows, and drops trailing empty lines', () => {
    const text = 'a;b;c\n1;2\n\n4;5;6;7\n8;;;\n;;\n\n\r\n';
    const result = readCsv(Buffer.from(text), 'x.csv');
    expect(values(result.sheets[0])).toEqual([['a', 'b', 'c'], ['1', '2'], [], ['4', '5', '6', '7'], ['8', null, null, null]]);
  });

  it('makes every cell a string and every empty field null', () => {
    const result = readCsv(Buffer.from('x;y\n1;\n'), 'x.csv');
    expect(result.sheets[0].rows[1]).toEqual([{ kind: 'string', value: '1' }, null]);
    expect(result.sheets[0].merges).toEqual([]);
    expect(result.skippedSheets).toEqual([]);
    expect(result.format).toBe('csv');
  });

  it('refuses a quote that is never closed, naming its line', async () => {
    const error = await readErrorOf(() => readCsv(Buffer.from('a;b\n1;2\n"Douai;3\n4;5\n'), 'x.csv'));
    expect(error.code).toBe('FILE_CORRUPT');
    expect(error.message).toMatch(/ligne 3, un guillemet/);
  });

  it('refuses empty files and files of blank lines', async () => {
    expect((await readErrorOf(() => readCsv(Buffer.alloc(0), 'x.csv'))).code).toBe('FILE_EMPTY');
    expect((await readErrorOf(() => readCsv(Buffer.from([0xef, 0xbb, 0xbf]), 'x.csv'))).code).toBe('FILE_EMPTY');
    expect((await readErrorOf(() => readCsv(Buffer.from('\r\n\r\n;;\r\n'), 'x.csv'))).code).toBe('FILE_EMPTY');
  });

  it('refuses HTML and XML disguised as a spreadsheet', async () => {
    for (const text of ['<html><table><tr><td>1</td></tr></table></html>', '\ufeff<?xml version="1.0"?><Workbook/>', '  <!DOCTYPE html>']) {
      const error = await readErrorOf(() => readCsv(Buffer.from(text), 'export.xls'));
      expect(error.code).toBe('FILE_NOT_SPREADSHEET');
      expect(error.message).toMatch(/HTML/);
    }
  });

  it('names the sheet after the file without its extension', () => {
    expect(sheetNameFromFileName('Annexe 3 ADEME.csv')).toBe('Annexe 3 ADEME');
    expect(sheetNameFromFileName('C:\\Users\\moi\\export.2023.csv')).toBe('export.2023');
    expect(sheetNameFromFileName('dossier/sans-extension')).toBe('sans-extension');
    expect(sheetNameFromFileName('.csv')).toBe('.csv');
    expect(sheetNameFromFileName('')).toBe('CSV');
    expect(readCsv(Buffer.from('a;b'), 'uploads/Tableau ADEME.csv').sheets[0].name).toBe('Tableau ADEME');
  });

  it('refuses more fields than the cap', async () => {
    const error = await readErrorOf(() => readCsv(Buffer.from('a;b;c\n1;2;3\n'), 'x.csv', { maxCells: 5 }));
    expect(error.code).toBe('FILE_TOO_COMPLEX');
  });

  it('a single-column file is read with no delimiter found', () => {
    const result = readCsv(Buffer.from('Douai\nLens\n'), 'x.csv');
    expect(values(result.sheets[0])).toEqual([['Douai'], ['Lens']]);
    expect(result.csv!.delimiter).toBe(';');
  });
});

describe('csv reader: volume and hostile input', () => {
  it('reads 100 000 lines × 12 columns quickly', () => {
    const lines = ['numero;intitule;orientation;financeur;annee;c6;c7;c8;c9;c10;c11;c12'];
    for (let i = 0; i < 100_000; i++) {
      lines.push(`DA-${i};"Projet n° ${i}; phase 1";1.3;ADEME;2023;${i},50;;0;HT;x;y;z`);
    }
    const bytes = Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
    const started = Date.now();
    const result = readCsv(bytes, 'big.csv');
    const elapsed = Date.now() - started;
    expect(result.sheets[0].rows).toHaveLength(100_001);
    expect(result.sheets[0].rows[100_000]![1]).toEqual({ kind: 'string', value: 'Projet n° 99999; phase 1' });
    expect(elapsed).toBeLessThan(3000);
  });

  it('stays linear on pathological text (quotes, separators, one endless line)', () => {
    const cases = [
      '"' + '""'.repeat(1_000_000) + '"',
      ';'.repeat(2_000_000),
      ('a'.repeat(50) + ',').repeat(40_000),
      '"a"'.repeat(500_000),
      '1,' + '1'.repeat(2_000_000),
    ];
    for (const text of cases) {
      const started = Date.now();
      try {
        readCsv(Buffer.from(text), 'x.csv');
      } catch {
        // a ReadError is fine: only the time matters here
      }
      expect(Date.now() - started).toBeLessThan(2000);
    }
    const started = Date.now();
    expect(isDecimalCommaNumber('1'.repeat(1_000_000) + 'x')).toBe(false);
    expect(isDecimalCommaNumber(' '.repeat(1_000_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('parses the same records whatever the chunk of text the sniffer saw', () => {
    const text = 'a;b\n' + '"x\ny";2\n'.repeat(20_000);
    expect(detectDelimiter(text)).toBe(';');
    expect(parseCsvText(text, ';').records).toHaveLength(20_001);
  });
});

describe('csv reader: the ADEME fixture', () => {
  it('reads BOM, `;`, CRLF, decimal comma, 6 rows', () => {
    const bytes = readFileSync(`${FIXTURES}/annexe3-ademe-2021-2023.csv`);
    const before = Object.getOwnPropertyNames(Object.prototype).join();
    const result = readCsv(bytes, 'annexe3-ademe-2021-2023.csv');
    expect(Object.getOwnPropertyNames(Object.prototype).join()).toBe(before);
    expect(result.csv).toEqual({ delimiter: ';', encoding: 'utf-8-bom', decimalComma: true });
    const rows = values(result.sheets[0]);
    expect(rows).toHaveLength(6);
    expect(rows[0][0]).toBe('numero');
    expect(rows[0]).toHaveLength(9);
    expect(rows[1][1]).toBe('Étude multi-carburants sur le verdissement des flottes de transport');
    expect(rows[3][6]).toBe('950000,50');
    expect(rows[4]).toEqual(['CCCO-12', 'Projet BiOstrevent de méthanisation à la ferme', '1.3', 'ADEME', '2023', '450000', null, null, 'HT']);
    expect(result.sheets[0].name).toBe('annexe3-ademe-2021-2023');
  });
});
