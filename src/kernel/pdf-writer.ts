/**
 * A small PDF 1.4 writer for the documents the project sends (a meeting's relevé de décisions): A4 pages
 * of text, lines and grey boxes, in the two standard fonts Helvetica and Helvetica-Bold, which every
 * reader has, so nothing is embedded and no dependency is needed. Text is WinAnsiEncoding (Windows-1252):
 * the French letters, « », ’, –, —, œ, € all have a byte there; widths come from the fonts' AFM metrics
 * (helvetica-widths.ts) so that amounts can be right-aligned and long text wrapped. Streams are left
 * uncompressed: the documents are small, and their text stays searchable as written.
 *
 * Coordinates are points (1/72 inch) from the page's top-left corner; a text's y is its baseline.
 */
import { HELVETICA_BOLD_WIDTHS, HELVETICA_WIDTHS } from './helvetica-widths';

export type PdfFont = 'regular' | 'bold';

export const A4 = { width: 595.28, height: 841.89 } as const;

const FONT_RESOURCE: Record<PdfFont, string> = { regular: 'F1', bold: 'F2' };
const FONT_WIDTHS: Record<PdfFont, readonly number[]> = { regular: HELVETICA_WIDTHS, bold: HELVETICA_BOLD_WIDTHS };

/** Windows-1252's bytes 0x80–0x9F, which are not Latin-1's: code point → byte. */
const WIN_ANSI_HIGH: ReadonlyMap<number, number> = new Map([
  [0x20ac, 0x80], [0x201a, 0x82], [0x0192, 0x83], [0x201e, 0x84], [0x2026, 0x85], [0x2020, 0x86], [0x2021, 0x87],
  [0x02c6, 0x88], [0x2030, 0x89], [0x0160, 0x8a], [0x2039, 0x8b], [0x0152, 0x8c], [0x017d, 0x8e], [0x2018, 0x91],
  [0x2019, 0x92], [0x201c, 0x93], [0x201d, 0x94], [0x2022, 0x95], [0x2013, 0x96], [0x2014, 0x97], [0x02dc, 0x98],
  [0x2122, 0x99], [0x0161, 0x9a], [0x203a, 0x9b], [0x0153, 0x9c], [0x017e, 0x9e], [0x0178, 0x9f],
]);

/** Characters WinAnsi lacks but French print uses: the narrow no-break space of « 1 046 000,50 € » becomes WinAnsi's no-break space. */
const SUBSTITUTES: ReadonlyMap<number, number> = new Map([
  [0x202f, 0xa0], // narrow no-break space
  [0x2007, 0xa0], // figure space
  [0x2009, 0x20], // thin space
  [0x200a, 0x20], // hair space
  [0x2002, 0x20], // en space
  [0x2003, 0x20], // em space
  [0x2010, 0x2d], // hyphen
  [0x2011, 0x2d], // non-breaking hyphen
  [0x2212, 0x2d], // minus sign
  [0x2032, 0x27], // prime
  [0x0009, 0x20], // tab
]);

function winAnsiByte(codePoint: number): number | null {
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return WIN_ANSI_HIGH.get(codePoint) ?? SUBSTITUTES.get(codePoint) ?? null;
}

/** The WinAnsi byte of one code point of an NFC text. */
function winAnsiOf(char: string): number {
  const codePoint = char.codePointAt(0)!;
  let byte = winAnsiByte(codePoint);
  if (byte === null && (codePoint === 0x0a || codePoint === 0x0d)) byte = 0x20;
  if (byte === null) {
    const base = char.normalize('NFD').codePointAt(0)!;
    byte = base !== codePoint ? winAnsiByte(base) : null;
  }
  return byte ?? 0x3f;
}

/**
 * Text as WinAnsi bytes, in a string of one char per byte (latin1): what a PDF string holds. A letter
 * WinAnsi lacks is written without its accent when it has one (« ō » → « o »), else as « ? ».
 */
export function encodeWinAnsi(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) out += String.fromCharCode(winAnsiOf(char));
  return out;
}

/** A code point's width in thousandths of the font size (AFM units). */
function charUnits(char: string, widths: readonly number[]): number {
  return widths[winAnsiOf(char) - 32] ?? 0;
}

/** The width of `text` in thousandths of the font size: integers, so that a line's width is its words' sum exactly. */
function textUnits(text: string, widths: readonly number[]): number {
  let units = 0;
  for (const char of text.normalize('NFC')) units += charUnits(char, widths);
  return units;
}

/** The width in points of `text` drawn in `font` at `size`. */
export function textWidth(text: string, font: PdfFont, size: number): number {
  return (textUnits(text, FONT_WIDTHS[font]) * size) / 1000;
}

/**
 * `text` cut into lines no wider than `maxWidth`: at ordinary spaces (never at a no-break space, so an
 * amount stays whole), at the text's own line breaks, and inside a word only when the word alone is wider
 * (as many characters as fit on each line, one at least; the cut word's pieces are in NFC, as drawn).
 * Each word is measured once and a line's width is the sum of its words' and spaces' (NFC composes
 * nothing across a space): re-measuring the growing line, and each growing piece of a long word, took
 * two minutes over a 200 000-character word.
 */
export function wrapText(text: string, font: PdfFont, size: number, maxWidth: number): string[] {
  const widths = FONT_WIDTHS[font];
  // The same comparison as textWidth(…) <= maxWidth, on the same integer sum.
  const fits = (units: number) => (units * size) / 1000 <= maxWidth;
  const space = charUnits(' ', widths);
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    let lineUnits = 0;
    for (const word of paragraph.split(/[ \t]+/).filter(Boolean)) {
      const wordUnits = textUnits(word, widths);
      if (line && fits(lineUnits + space + wordUnits)) {
        line += ` ${word}`;
        lineUnits += space + wordUnits;
        continue;
      }
      if (line) lines.push(line);
      if (fits(wordUnits)) {
        line = word;
        lineUnits = wordUnits;
        continue;
      }
      // A word wider than the line: its pieces, each as long as fits (one character at least).
      const chars = [...word.normalize('NFC')];
      const units = chars.map((char) => charUnits(char, widths));
      let start = 0;
      let restUnits = wordUnits;
      while (start < chars.length && !fits(restUnits)) {
        let end = start + 1;
        let piece = units[start];
        while (end < chars.length && fits(piece + units[end])) piece += units[end++];
        lines.push(chars.slice(start, end).join(''));
        restUnits -= piece;
        start = end;
      }
      line = chars.slice(start).join('');
      lineUnits = restUnits;
    }
    lines.push(line);
  }
  return lines;
}

/** A number as PDF writes it: at most two decimals, no exponent. */
function num(value: number): string {
  const fixed = value.toFixed(2);
  return fixed.replace(/\.?0+$/, '') || '0';
}

/** A PDF literal string of WinAnsi bytes: parentheses and backslashes escaped. */
function literal(bytes: string): string {
  return `(${bytes.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** A text string of the document's information (title…): UTF-16BE with its byte-order mark, in hex, so any letter is kept. */
function infoString(text: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return `<${hex}>`;
}

function pdfDate(date: Date): string {
  const iso = date.toISOString();
  return `(D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z)`;
}

export interface TextOptions {
  font?: PdfFont;
  size?: number;
  /** 'right': x is where the text ends. */
  align?: 'left' | 'right';
  /** 0 black … 1 white. */
  gray?: number;
}

export interface DocumentInfo {
  title?: string;
  subject?: string;
  author?: string;
  createdAt?: Date;
}

export class PdfDocument {
  readonly width = A4.width;
  readonly height = A4.height;
  private readonly pages: string[] = [];

  constructor(private readonly info: DocumentInfo = {}) {}

  get pageCount(): number {
    return this.pages.length;
  }

  /** A new blank page; returns its index (0 for the first). */
  addPage(): number {
    this.pages.push('');
    return this.pages.length - 1;
  }

  text(page: number, x: number, y: number, text: string, options: TextOptions = {}): void {
    const font = options.font ?? 'regular';
    const size = options.size ?? 10;
    const left = options.align === 'right' ? x - textWidth(text, font, size) : x;
    const gray = options.gray ?? 0;
    this.pages[page] += `BT ${num(gray)} g /${FONT_RESOURCE[font]} ${num(size)} Tf 1 0 0 1 ${num(left)} ${num(this.height - y)} Tm ${literal(encodeWinAnsi(text))} Tj ET\n`;
  }

  line(page: number, x1: number, y1: number, x2: number, y2: number, width = 0.5, gray = 0): void {
    this.pages[page] += `${num(gray)} G ${num(width)} w ${num(x1)} ${num(this.height - y1)} m ${num(x2)} ${num(this.height - y2)} l S\n`;
  }

  /** A filled box whose top-left corner is (x, y). */
  box(page: number, x: number, y: number, width: number, height: number, gray: number): void {
    this.pages[page] += `${num(gray)} g ${num(x)} ${num(this.height - y - height)} ${num(width)} ${num(height)} re f\n`;
  }

  /** The file: objects written one after the other, the cross-reference table giving each one's exact byte offset. */
  toBuffer(): Buffer {
    if (!this.pages.length) this.addPage();
    const objects: string[] = [];
    const pageObject = (i: number) => 6 + 2 * i;
    objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
    objects[2] = `<< /Type /Pages /Kids [${this.pages.map((_, i) => `${pageObject(i)} 0 R`).join(' ')}] /Count ${this.pages.length} >>`;
    objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
    objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
    const info = [
      this.info.title === undefined ? '' : `/Title ${infoString(this.info.title)}`,
      this.info.subject === undefined ? '' : `/Subject ${infoString(this.info.subject)}`,
      this.info.author === undefined ? '' : `/Author ${infoString(this.info.author)}`,
      '/Producer (Suivi CRTE)',
      this.info.createdAt === undefined ? '' : `/CreationDate ${pdfDate(this.info.createdAt)}`,
    ].filter(Boolean);
    objects[5] = `<< ${info.join(' ')} >>`;
    this.pages.forEach((content, i) => {
      objects[pageObject(i)] =
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(this.width)} ${num(this.height)}] ` + `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageObject(i) + 1} 0 R >>`;
      // Content is already bytes (one char per byte): its length is its string length.
      objects[pageObject(i) + 1] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
    });

    // Everything is one char per byte (latin1), so string lengths are byte offsets.
    let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
    const offsets: number[] = [];
    for (let n = 1; n < objects.length; n++) {
      offsets[n] = out.length;
      out += `${n} 0 obj\n${objects[n]}\nendobj\n`;
    }
    const xref = out.length;
    out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
    for (let n = 1; n < objects.length; n++) out += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
    out += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(out, 'latin1');
  }
}
