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

/** A workbook with three errors: an unknown orientation (C2), an ambiguous amount (E2), a negative one (E3). */
export function faultyWorkbook(): Buffer {
  const sheet = XLSX.utils.aoa_to_sheet([
    ['N° action', 'Intitulé', 'Orientation', "Maître d'ouvrage", 2022, 2023],
    ['DA-01', 'Quartier d’affaires EuraDouai', '9.9', 'Douaisis Agglo', '1,050 000 €', 1000],
    ['DA-02', 'CFA', '2.1', 'Douaisis Agglo', -5, 1000],
  ]);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, 'Prog');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}
