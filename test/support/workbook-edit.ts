import * as XLSX from 'xlsx';

/**
 * Edits a fixture workbook as a partner would in Excel: change, clear or add amounts, then recompute the
 * file's own SUM formulas so that its totals stay right (the cached values are what we read).
 */
export function editWorkbook(bytes: Buffer, sheetName: string, edits: Record<string, number | null>): Buffer {
  const book = XLSX.read(bytes, { type: 'buffer', cellFormula: true, cellNF: true });
  const sheet = book.Sheets[sheetName];
  for (const [address, value] of Object.entries(edits)) {
    if (value === null) delete sheet[address];
    else sheet[address] = { t: 'n', v: value };
  }
  // Twice: row totals first, then the subtotals that add them up.
  for (let pass = 0; pass < 2; pass++) recompute(sheet);
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

function recompute(sheet: XLSX.WorkSheet): void {
  for (const address of Object.keys(sheet)) {
    const cell = sheet[address] as XLSX.CellObject;
    if (address.startsWith('!') || !cell.f) continue;
    const match = /^SUM\(([A-Z]+\d+):([A-Z]+\d+)\)$/.exec(cell.f);
    if (!match) continue;
    const range = XLSX.utils.decode_range(`${match[1]}:${match[2]}`);
    let sum = 0;
    for (let r = range.s.r; r <= range.e.r; r++) {
      for (let c = range.s.c; c <= range.e.c; c++) {
        const inner = sheet[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined;
        if (inner && inner.t === 'n') sum += inner.v as number;
      }
    }
    cell.v = sum;
    delete cell.w;
  }
}
