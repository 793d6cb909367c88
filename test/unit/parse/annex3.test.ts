import { parseAnnex3 } from '../../../import/parse/annex3.parser';
import { parseDotations } from '../../../import/parse/dotations.parser';
import { ParseOutput } from '../../../import/parse/parsed.types';
import { SheetGrid, WorkbookGrid } from '../../../import/common/model';
import { fixture, gridFromCsv, grid, gridsFromXlsx } from '../detect/grid-from-xlsx';

const workbook = (sheets: SheetGrid[], csv?: WorkbookGrid['csv']): WorkbookGrid => ({ format: csv ? 'csv' : 'xlsx', sheets, skippedSheets: [], csv });
const euros = (cents: bigint) => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
const sum = (output: ParseOutput, keep: (line: ParseOutput['lines'][number]) => boolean = () => true) => euros(output.lines.filter(keep).reduce((total, line) => total + line.cents, 0n));
const codeOf = (output: ParseOutput, line: ParseOutput['lines'][number]) => output.actions[line.actionIndex!].code;
const byAction = (output: ParseOutput) => {
  const cents = new Map<string, bigint>();
  for (const line of output.lines) cents.set(codeOf(output, line)!, (cents.get(codeOf(output, line)!) ?? 0n) + line.cents);
  return Object.fromEntries([...cents].map(([code, total]) => [code, euros(total)]));
};
/** Every total the file states, against the lines it covers. */
const mismatches = (output: ParseOutput) =>
  output.totals.filter((total) => total.lineIndexes.reduce((s, i) => s + output.lines[i].cents, 0n) !== total.cents).map((total) => total.source.cell);

describe('annex 3 — Banque des Territoires, by year', () => {
  const output = parseAnnex3(workbook(gridsFromXlsx(fixture('annexe3-banque-des-territoires-2023.xlsx'))));

  it('reads 10 planned lines from the source, 20 100 000 € in all, with no issue (its « Listes » sheet is documentation: a note)', () => {
    expect(output.layout).toBe('by-year');
    expect(output.issues.map((issue) => [issue.severity, issue.code, issue.sheet])).toEqual([['NOTE', 'SHEET_DOCUMENTATION', 'Listes']]);
    expect(output.lines).toHaveLength(10);
    expect(sum(output)).toBe('20100000.00');
    expect(output.lines.every((line) => line.funder.kind === 'source' && line.stage === 'PLANNED')).toBe(true);
  });

  it('gives each action the README’s figure, its years and its instrument from « Nature »', () => {
    expect(byAction(output)).toEqual({ 'DA-01': '12500000.00', 'DA-02': '500000.00', 'CCCO-03': '2000000.00', 'CCCO-07': '5000000.00', 'DA-15': '100000.00' });
    const da01 = output.lines.filter((line) => codeOf(output, line) === 'DA-01');
    expect(da01.map((line) => [line.year, line.source.cell, line.instrument])).toEqual([
      [2023, 'I6', 'LOAN'],
      [2024, 'J6', 'LOAN'],
      [2025, 'K6', 'LOAN'],
    ]);
    const instruments = Object.fromEntries(output.lines.map((line) => [codeOf(output, line), line.instrument]));
    expect(instruments).toEqual({ 'DA-01': 'LOAN', 'DA-02': 'SUBSIDY', 'CCCO-03': 'LOAN', 'CCCO-07': 'LOAN', 'DA-15': 'ENGINEERING' });
  });

  it('skips the example row and the subtotals, and finds every stated total equal to its lines', () => {
    expect(output.actions.map((action) => action.code)).toEqual(['DA-01', 'DA-02', 'CCCO-03', 'CCCO-07', 'DA-15']);
    const kinds = output.totals.map((total) => total.kind);
    expect(kinds.filter((kind) => kind === 'subtotal').length).toBeGreaterThanOrEqual(2);
    expect(kinds.filter((kind) => kind === 'row-total')).toHaveLength(5);
    expect(mismatches(output)).toEqual([]);
  });

  it('reads the action’s fields: orientation, lead, cost, status with a trailing space in its header', () => {
    expect(output.actions[0]).toMatchObject({ code: 'DA-01', orientationCode: '2.2', leadText: 'Douaisis Agglo', totalCostCents: 5000000000n, status: 'UNDERWAY' });
    expect(output.actions[4].status).toBe('DONE');
  });
});

describe('annex 3 — Douaisis Agglo, by funder', () => {
  const output = parseAnnex3(workbook(gridsFromXlsx(fixture('annexe3-douaisis-agglo-2022.xlsx'))));

  it('reads 14 lines, 19 650 000 €, all in 2022, with no issue', () => {
    expect(output.layout).toBe('by-funder');
    expect(output.issues).toEqual([]);
    expect(output.lines).toHaveLength(14);
    expect(sum(output)).toBe('19650000.00');
    expect(new Set(output.lines.map((line) => line.year))).toEqual(new Set([2022]));
  });

  it('reads each amount form and each funder column as the README says', () => {
    const lines = output.lines.map((line) => [codeOf(output, line), line.funder, line.programmeCode, euros(line.cents)]);
    expect(lines).toEqual([
      ['DA-01', { kind: 'programme' }, 'DSIL', '1500000.00'],
      ['DA-01', { kind: 'generic', generic: 'REGION' }, null, '2500000.00'],
      ['DA-01', { kind: 'generic', generic: 'EPCI' }, null, '8000000.00'],
      ['DOU-03', { kind: 'programme' }, 'FONDS_VERT', '120000.00'],
      ['DOU-03', { kind: 'generic', generic: 'COMMUNE' }, null, '180000.00'],
      ['DOU-05', { kind: 'generic', generic: 'REGION' }, null, '300000.00'],
      ['DOU-05', { kind: 'generic', generic: 'DEPARTMENT' }, null, '250000.00'],
      ['DOU-05', { kind: 'generic', generic: 'COMMUNE' }, null, '950000.00'],
      ['DOU-05', { kind: 'named', text: 'DRAC' }, null, '1500000.00'],
      ['DA-22', { kind: 'named', text: 'État' }, null, '350000.00'],
      ['DA-30', { kind: 'programme' }, 'DSIL', '120000.00'],
      ['DA-30', { kind: 'generic', generic: 'EPCI' }, null, '80000.00'],
      ['DA-31', { kind: 'generic', generic: 'EPCI' }, null, '2400000.00'],
      ['DA-31', { kind: 'named', text: "Agence de l'eau" }, null, '1400000.00'],
    ]);
  });

  it('reads statuses with odd spacing and accents, and the HT base of the cost column', () => {
    expect(output.actions.map((action) => action.status)).toEqual(['UNDERWAY', 'UNDERWAY', 'UNDERWAY', 'UNDERWAY', 'PLANNED', 'DONE']);
    expect(output.actions[0]).toMatchObject({ totalCostCents: 5200000000n, costBase: 'HT', leadText: 'Douaisis Agglo' });
  });
});

describe('annex 3 — ADEME CSV, long', () => {
  const sheet = gridFromCsv(fixture('annexe3-ademe-2021-2023.csv'));
  const output = parseAnnex3(workbook([sheet], { delimiter: ';', encoding: 'utf-8-bom', decimalComma: true }), { decimalComma: true });

  it('reads 13 lines: an empty cell is no line, 0 is a line of zero', () => {
    expect(output.layout).toBe('long');
    expect(output.issues).toEqual([]);
    expect(output.lines).toHaveLength(13);
    // H2, F3, G3 and H4 hold 0; CCCO-12's empty granted and paid cells are no line.
    expect(output.lines.filter((line) => line.cents === 0n).map((line) => line.source.cell)).toEqual(['H2', 'F3', 'G3', 'H4']);
  });

  it('totals 1 762 000 € requested, 1 046 000,50 € granted, 83 200 € paid', () => {
    expect(sum(output, (line) => line.stage === 'REQUESTED')).toBe('1762000.00');
    expect(sum(output, (line) => line.stage === 'GRANTED')).toBe('1046000.50');
    expect(sum(output, (line) => line.stage === 'PAID')).toBe('83200.00');
    expect(output.lines.every((line) => line.funder.kind === 'named' && line.funder.text === 'ADEME' && line.costBase === 'HT')).toBe(true);
  });
});

describe('dotations — DETR, DSIL, FNADT 2017–2021', () => {
  const output = parseDotations(workbook(gridsFromXlsx(fixture('dotations-detr-dsil-fnadt-2017-2021.xlsx'))));

  it('reads 30 paid lines without action, the EPCI as beneficiary, the year from merged cells', () => {
    expect(output.issues).toEqual([]);
    expect(output.lines).toHaveLength(30);
    expect(output.lines.every((line) => line.actionIndex === null && line.stage === 'PAID' && line.funder.kind === 'programme')).toBe(true);
    expect(output.lines[0]).toMatchObject({ year: 2017, programmeCode: 'DETR', beneficiary: { text: 'DA' }, source: { cell: 'C3' } });
    expect(output.lines.filter((line) => line.year === 2021 && line.programmeCode === 'FNADT').map((line) => euros(line.cents))).toEqual(['79232.00', '1106922.24']);
  });

  it('totals 16 546 179,90 € for Douaisis Agglo and 6 247 864,84 € for Cœur d’Ostrevent, and every TOTAL row agrees', () => {
    expect(sum(output, (line) => line.beneficiary?.text === 'DA')).toBe('16546179.90');
    expect(sum(output, (line) => line.beneficiary?.text === 'CCCO')).toBe('6247864.84');
    expect(output.totals).toHaveLength(12);
    expect(mismatches(output)).toEqual([]);
  });
});

describe('annex 3 — problems are reported at their cells, all at once', () => {
  const header = ['N° action', 'Intitulé', 'Orientation', "Maître d'ouvrage", 2022, 2023, 'Total'];

  it('reports an ambiguous amount, a negative one, text in an amount column, and a row total that disagrees', () => {
    const sheet = grid('Prog', [
      header,
      ['A-1', 'Voie verte', '1.2', 'Douaisis Agglo', '1,050 000 €', 1000, 1000],
      ['A-2', 'Piscine', '3.4', 'CCCO', -500, 'beaucoup', null],
      ['A-3', 'Gare', '1.2', 'DA', 300, 200, 600],
    ]);
    const output = parseAnnex3(workbook([sheet]));
    expect(output.issues.map((issue) => [issue.code, issue.cell])).toEqual([
      ['AMOUNT_AMBIGUOUS', 'E2'],
      ['AMOUNT_NEGATIVE', 'E3'],
      ['AMOUNT_INVALID', 'F3'],
    ]);
    expect(mismatches(output)).toEqual(['G4']);
  });

  it('applies a unit stated in a header: k€', () => {
    const sheet = grid('Prog', [
      ['N° action', 'Intitulé', 'Montant 2022 (k€)', 'Montant 2023 (en milliers d’euros)'],
      ['A-1', 'Voie verte', '2,5', 12],
    ]);
    const output = parseAnnex3(workbook([sheet]));
    expect(output.issues).toEqual([]);
    expect(output.lines.map((line) => [line.year, euros(line.cents)])).toEqual([
      [2022, '2500.00'],
      [2023, '12000.00'],
    ]);
  });

  it('asks for the funder of an « Autres » amount without a name, and for the year of a by-funder file without one', () => {
    const sheet = grid('Prog', [
      ['Référence', 'Nom du projet', 'DSIL', 'Région', 'Autres'],
      ['A-1', 'Voie verte', 1000, null, '1 500 000'],
    ]);
    const output = parseAnnex3(workbook([sheet]));
    expect(output.issues.map((issue) => [issue.code, issue.cell])).toEqual([
      ['YEAR_MISSING', 'A2'],
      ['FUNDER_MISSING', 'E2'],
    ]);
    const withYear = parseAnnex3(workbook([sheet]), { year: 2024 });
    expect(withYear.lines.map((line) => line.year)).toEqual([2024]);
  });

  it('reports a subtotal row that disagrees with the rows it closes', () => {
    const sheet = grid('Prog', [
      header,
      ['A-1', 'Voie verte', '1.2', 'DA', 100, 200, 300],
      ['A-2', 'Piscine', '3.4', 'CCCO', 50, null, 50],
      ['Sous-total Axe 1', null, null, null, 150, 250, 350],
    ]);
    const output = parseAnnex3(workbook([sheet]));
    expect(output.lines).toHaveLength(3);
    expect(mismatches(output)).toEqual(['F4']);
  });

  it('says when no sheet holds an investment table', () => {
    const output = parseAnnex3(workbook([grid('Notes', [['Bonjour'], ['Voir le fichier joint']])]));
    expect(output.issues.map((issue) => [issue.severity, issue.code])).toEqual([['ERROR', 'NO_TABLE_FOUND']]);
  });
});

describe('annex 3 — a file full of mistakes', () => {
  it('reports 150 000 bad cells, each with its cell, without overflowing the stack', () => {
    const rows: Array<Array<string | number | null>> = [['N° action', 'Intitulé', 2021, 2022, 2023, 2024, 2025]];
    for (let i = 0; i < 30_000; i++) rows.push([`X-${i}`, 'Titre', 'a', 'b', 'c', 'd', 'e']);
    const output = parseAnnex3(workbook([grid('Prog', rows)]));
    const invalid = output.issues.filter((issue) => issue.code === 'AMOUNT_INVALID');
    expect(invalid).toHaveLength(150_000);
    expect(invalid[invalid.length - 1].cell).toBe('G30001');
  });
});

describe('annex 3 — start and end dates of an action', () => {
  const header = ['N° action', "Intitulé de l'action", 'Date de début', 'Date de fin', '2023', '2024'];
  const parse = (...rows: unknown[][]) => parseAnnex3(workbook([grid('Actions', [header, ...(rows as Array<Array<string | number | null>>)])]));

  it('reads them as ISO dates, from text or a date cell, each with its cell', () => {
    const output = parse(['DA-01', 'Voie verte', '01/03/2023', { kind: 'number', value: 45657, format: 'dd/mm/yyyy' } as never, 1000], ['DA-02', 'Gare', null, null, 2000]);
    expect(output.issues).toEqual([]);
    expect(output.actions.map((action) => [action.code, action.startDate, action.endDate, action.cells.startDate?.cell ?? null, action.cells.endDate?.cell ?? null])).toEqual([
      ['DA-01', '2023-03-01', '2024-12-31', 'C2', 'D2'],
      ['DA-02', null, null, null, null],
    ]);
  });

  it('refuses a date that is none, or an end before the start, in French at the cell', () => {
    const output = parse(['DA-01', 'Voie verte', '31/02/2023', null, 1000], ['DA-02', 'Gare', '01/06/2024', '2023-12-31', 2000], ['DA-03', 'Parc', 2024, null, 3000]);
    expect(output.issues.map((issue) => [issue.severity, issue.code, issue.cell])).toEqual([
      ['ERROR', 'DATE_INVALID', 'C2'],
      ['ERROR', 'DATE_INVALID', 'D3'],
      ['ERROR', 'DATE_INVALID', 'C4'],
    ]);
    expect(output.issues[1].message).toBe('La date de fin (31/12/2023) précède la date de début (01/06/2024) : vérifiez les deux dates.');
    expect(output.issues[2].message).toMatch(/ressemble à une année/);
    expect(output.actions.map((action) => [action.startDate, action.endDate])).toEqual([
      [null, null],
      ['2024-06-01', '2023-12-31'],
      [null, null],
    ]);
  });
});
