/**
 * Reading back the PDFs the project writes, without a PDF library: the structure a reader relies on
 * (header, cross-reference table whose offsets point exactly at their objects, page tree) and the text
 * each page draws, as WinAnsi bytes (one char per byte: « € » is \x80, a no-break space \xa0).
 */
export interface ParsedPdf {
  version: string;
  objectCount: number;
  pageCount: number;
  /** Per page, the strings of its `Tj` operators, in order, as bytes (latin1). */
  pageTexts: string[][];
}

export function parsePdf(buffer: Buffer): ParsedPdf {
  const bytes = buffer.toString('latin1');
  const header = /^%PDF-(\d\.\d)\n/.exec(bytes);
  if (!header) throw new Error('no PDF header');
  const tail = /startxref\n(\d+)\n%%EOF\n$/.exec(bytes);
  if (!tail) throw new Error('no startxref at the end');
  const xrefAt = Number(tail[1]);
  const xref = /^xref\n0 (\d+)\n/.exec(bytes.slice(xrefAt));
  if (!xref) throw new Error(`no xref table at ${xrefAt}`);
  const count = Number(xref[1]);
  const entriesAt = xrefAt + xref[0].length;
  const objects = new Map<number, string>();
  for (let n = 0; n < count; n++) {
    const entry = bytes.slice(entriesAt + 20 * n, entriesAt + 20 * (n + 1));
    if (!/^\d{10} \d{5} [nf] \n$/.test(entry)) throw new Error(`xref entry ${n} malformed: ${JSON.stringify(entry)}`);
    if (n === 0) continue;
    const offset = Number(entry.slice(0, 10));
    if (!bytes.startsWith(`${n} 0 obj\n`, offset)) throw new Error(`xref offset of object ${n} (${offset}) does not point at it`);
    const end = bytes.indexOf('\nendobj\n', offset);
    objects.set(n, bytes.slice(offset, end));
  }
  if (!/trailer\n<< \/Size (\d+)/.test(bytes.slice(entriesAt + 20 * count)) || Number(/\/Size (\d+)/.exec(bytes.slice(entriesAt + 20 * count))![1]) !== count) throw new Error('trailer /Size differs from the xref');
  const root = Number(/\/Root (\d+) 0 R/.exec(bytes.slice(entriesAt))![1]);
  const pagesRef = Number(/\/Pages (\d+) 0 R/.exec(objects.get(root)!)![1]);
  const pages = objects.get(pagesRef)!;
  const kids = [.../\/Kids \[([^\]]*)\]/.exec(pages)![1].matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  const declared = Number(/\/Count (\d+)/.exec(pages)![1]);
  if (declared !== kids.length) throw new Error(`/Count ${declared} but ${kids.length} kids`);
  const pageTexts = kids.map((kid) => {
    const page = objects.get(kid)!;
    if (!page.includes('/Type /Page ')) throw new Error(`object ${kid} is not a page`);
    const contents = objects.get(Number(/\/Contents (\d+) 0 R/.exec(page)![1]))!;
    const length = Number(/\/Length (\d+)/.exec(contents)![1]);
    const start = contents.indexOf('stream\n') + 'stream\n'.length;
    if (contents.slice(start + length) !== '\nendstream') throw new Error(`stream /Length ${length} of page ${kid} is not its length`);
    const stream = contents.slice(start, start + length);
    return [...stream.matchAll(/\(((?:\\.|[^\\)])*)\) Tj/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  });
  return { version: header[1], objectCount: count, pageCount: kids.length, pageTexts };
}

/** WinAnsi bytes of plain French text, written out here rather than by the writer under test. */
export function winAnsi(text: string): string {
  const high: Record<string, string> = { '€': '\x80', '’': '\x92', '–': '\x96', '—': '\x97', 'œ': '\x9c', 'Œ': '\x8c', '\u202f': '\xa0' };
  return [...text].map((c) => high[c] ?? c).join('');
}

/** An exact decimal (« 1046000.50 ») as the PDF's WinAnsi bytes of « 1 046 000,50 € »: groups and unit held by no-break spaces. */
export function euroBytes(decimal: string): string {
  const [whole, cents] = decimal.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\xa0');
  return `${decimal.startsWith('-') ? '-' : ''}${grouped},${cents}\xa0\x80`;
}
