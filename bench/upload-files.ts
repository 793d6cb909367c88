/**
 * Big and hostile uploads, built in memory (for bench:upload and test/api/upload-load.test.ts): a long annex 3
 * CSV, a workbook whose sheet inflates to ~190 MB, one holding ~160 MB of shared strings. Zips are written by
 * hand so that the sizes are exactly what the test says (no library would write the hostile ones).
 */
import { writeZip as writeAnyZip, type ZipPart } from './zip-writer';

/** Deflated parts with UTF-8 names, as Excel writes them. */
const writeZip = (parts: ZipPart[]): Buffer => writeAnyZip(parts.map((part) => ({ flags: 0x0800, ...part })));

const FUNDERS = ['ADEME', 'Banque des Territoires', 'Région Hauts-de-France', 'Département du Nord', "Agence de l'eau Artois-Picardie"];

/**
 * `rows` lines of the ADEME CSV layout (one line per action × funder × year): 30 lines an action (five
 * funders, six years), so 300 000 lines name 10 000 actions, each new to the contract.
 */
export function bigAnnex3Csv(rows: number): Buffer {
  const lines = ['numero;intitule;orientation;financeur;annee;montant_demande;montant_attribue;montant_paye;base'];
  for (let i = 0; i < rows; i++) {
    const action = Math.floor(i / 30);
    lines.push(`Z-${action};Action de test ${action};1.3;${FUNDERS[i % 5]};${2021 + (Math.floor(i / 5) % 6)};${(i % 100) + 1}000,5;;;HT`);
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/** The corpus's 1 000 000 lines of five fields (refused: 5 000 000 fields). */
export function millionLineCsv(): Buffer {
  return Buffer.from('a;b;c;d;e\n'.repeat(1_000_000), 'utf8');
}

const SHEET_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">';

/** The parts of a one-sheet workbook around the given sheet XML (and shared strings, when given). */
function workbookParts(sheetXml: Buffer, sharedStrings?: Buffer): ZipPart[] {
  const parts: ZipPart[] = [
    {
      name: '[Content_Types].xml',
      data: Buffer.from(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
          (sharedStrings ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : '') +
          '</Types>',
      ),
    },
    {
      name: '_rels/.rels',
      data: Buffer.from(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: Buffer.from(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Programmation" sheetId="1" r:id="rId1"/></sheets></workbook>',
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
          (sharedStrings ? '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' : '') +
          '</Relationships>',
      ),
    },
    { name: 'xl/worksheets/sheet1.xml', data: sheetXml },
  ];
  if (sharedStrings) parts.push({ name: 'xl/sharedStrings.xml', data: sharedStrings, level: 1 });
  return parts;
}

/**
 * A workbook whose one sheet inflates to about `megabytes` MB: rows of eight cells (text and numbers), as
 * many as the size takes (190 MB: about 490 000 rows, 3.9 M cells, under the 500 000 / 4 000 000 limits).
 */
export function inflatingXlsx(megabytes: number): Buffer {
  const target = megabytes * 1024 * 1024;
  const chunks: string[] = [SHEET_HEAD, '<sheetData>'];
  let size = chunks[0].length + chunks[1].length;
  for (let r = 1; size < target; r++) {
    const row =
      `<row r="${r}"><c t="inlineStr"><is><t>Z-${r}</t></is></c><c t="inlineStr"><is><t>Travaux de rénovation n° ${r % 9973}</t></is></c>` +
      `<c t="inlineStr"><is><t>Organisation ${r % 311}</t></is></c><c><v>${(r % 1000) * 7}</v></c><c><v>${r % 1000}.5</v></c>` +
      `<c><v>${2021 + (r % 5)}</v></c><c t="inlineStr"><is><t>HT</t></is></c><c><v>${r % 100}</v></c></row>`;
    chunks.push(row);
    size += row.length;
  }
  chunks.push('</sheetData></worksheet>');
  return writeZip(workbookParts(Buffer.from(chunks.join(''), 'utf8')));
}

/** A workbook of three rows whose shared-strings part holds about `megabytes` MB of strings no cell uses. */
export function sharedStringsXlsx(megabytes: number): Buffer {
  const target = megabytes * 1024 * 1024;
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < target; i++) {
    const item = `<si><t>Chaîne partagée numéro ${i} ${'abcdefghij'.repeat(8)}</t></si>`;
    items.push(item);
    size += item.length;
  }
  const sst = Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${items.length}" uniqueCount="${items.length}">${items.join('')}</sst>`, 'utf8');
  const sheet = Buffer.from(
    `${SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1</v></c></row></sheetData></worksheet>`,
    'utf8',
  );
  return writeZip(workbookParts(sheet, sst));
}

/** A small workbook whose directory declares `declaredBytes` for its sheet (the zip-bomb-declared corpus file, bigger). */
export function declaredBombXlsx(declaredBytes: number): Buffer {
  const sheet = Buffer.from(`${SHEET_HEAD}<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`, 'utf8');
  return writeZip(workbookParts(sheet).map((part) => (part.name === 'xl/worksheets/sheet1.xml' ? { ...part, declaredSize: declaredBytes } : part)));
}
