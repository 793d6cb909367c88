import * as fs from 'node:fs';
import * as path from 'node:path';
import * as XLSX from 'xlsx';
import type { Cell, SheetGrid, WorkbookGrid } from '../../../import/common/model';
import { madeUpCode, parseIndicators, parseQuantity } from '../../../import/parse/indicators.parser';
import type { ParseOutput } from '../../../import/parse/parsed.types';
import { grid, gridFromCsv, gridFromSheet } from '../detect/grid-from-xlsx';

const workbook = (...sheets: SheetGrid[]): WorkbookGrid => ({ format: 'xlsx', sheets, skippedSheets: [] });
const issueList = (out: ParseOutput) => out.issues.map((issue) => `${issue.severity} ${issue.code} ${issue.cell}`);
const valuesOf = (out: ParseOutput, index = 0) => out.indicators![index].values.map((v) => [v.year, v.stage, v.value, v.source.cell]);

const TEMPLATE = path.join(__dirname, '..', '..', '..', 'docs', 'templates', 'modele-indicateurs.csv');

describe('the indicator template (docs/templates/modele-indicateurs.csv)', () => {
  it('is a `;` CSV in UTF-8 with a byte-order mark and CRLF: a header and two example rows', () => {
    const bytes = fs.readFileSync(TEMPLATE);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => line.split(';').length === 13)).toBe(true);
    expect(lines[0]).toBe(
      'Code action;Code indicateur;Indicateur;Unité;Valeur de référence;Année de référence;Cible;Année cible;Année;Valeur;Type (cible/réalisé);Source;Commentaire',
    );
  });

  it('parses with no issue into one indicator with its values', () => {
    const out = parseIndicators(workbook(gridFromCsv(TEMPLATE, 'modele-indicateurs.csv')), { decimalComma: true });
    expect(issueList(out)).toEqual([]);
    expect(out.layout).toBe('indicators-long');
    expect(out.actions).toEqual([]);
    expect(out.lines).toEqual([]);
    expect(out.indicators).toHaveLength(1);
    expect(out.indicators![0]).toMatchObject({
      actionCode: 'DA-01',
      orientationCode: null,
      code: 'DA-01-SURF',
      name: 'Surface de bâtiments publics rénovée',
      unit: 'm²',
      baseline: '0',
      target: '5000',
      targetYear: 2026,
      source: { sheet: 'modele-indicateurs.csv', cell: 'C2', raw: 'Surface de bâtiments publics rénovée' },
    });
    expect(valuesOf(out)).toEqual([
      [2021, 'ACTUAL', '0', 'E2'],
      [2022, 'ACTUAL', '1250.5', 'J2'],
      [2024, 'TARGET', '3000', 'J3'],
    ]);
    expect(out.indicators![0].values[1].source.raw).toBe('1250,5');
  });

  it('has a French README explaining every column of the template', () => {
    const readme = fs.readFileSync(path.join(path.dirname(TEMPLATE), 'README.md'), 'utf8');
    const header = fs.readFileSync(TEMPLATE, 'utf8').slice(1).split('\r\n')[0].split(';');
    for (const column of header) expect(readme).toContain(`| \`${column}\` |`);
  });
});

describe('parseIndicators, one column per year (xlsx)', () => {
  const rows = [
    ['Code action', 'Code indicateur', 'Indicateur', 'Unité', 'Valeur de référence', 'Année de référence', 'Cible', 'Année cible', 2021, 2022, 'Réalisé 2023', 'Cible 2024', 'Commentaire'],
    ['DA-01', 'IND-1', 'Surface rénovée', 'm²', 0, 2020, 12000, 2026, 1500.25, 3000, '4 500,75', 6000, 'ok'],
    ['CCCO-07', null, 'Émissions évitées', 'tCO2e', null, null, -250.5, 2026, null, '-12,5', null, null],
    ['DA-15', null, 'Taux de remplissage', '%', 40, 2021, 75, 2026, 0.4, 0.5, null, null],
  ];
  const ws = XLSX.utils.aoa_to_sheet(rows);
  // Percentages formatted as such: 0.4 shows 40 %.
  for (const address of ['I4', 'J4']) ws[address].z = '0%';
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, 'Indicateurs');
  const read = XLSX.read(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }), { type: 'buffer', cellNF: true });
  const out = parseIndicators(workbook(gridFromSheet('Indicateurs', read.Sheets.Indicateurs)));

  it('reads each indicator with its actual and target values', () => {
    expect(issueList(out)).toEqual([]);
    expect(out.layout).toBe('indicators');
    expect(out.indicators!.map((i) => [i.actionCode, i.code, i.name, i.unit, i.baseline, i.target, i.targetYear])).toEqual([
      ['DA-01', 'IND-1', 'Surface rénovée', 'm²', '0', '12000', 2026],
      ['CCCO-07', 'CCCO-07-EMISSIONS-EVITEES', 'Émissions évitées', 'tCO2e', null, '-250.5', 2026],
      ['DA-15', 'DA-15-TAUX-DE-REMPLISSAGE', 'Taux de remplissage', '%', '40', '75', 2026],
    ]);
    expect(valuesOf(out, 0)).toEqual([
      [2020, 'ACTUAL', '0', 'E2'],
      [2021, 'ACTUAL', '1500.25', 'I2'],
      [2022, 'ACTUAL', '3000', 'J2'],
      [2023, 'ACTUAL', '4500.75', 'K2'],
      [2024, 'TARGET', '6000', 'L2'],
    ]);
    expect(valuesOf(out, 1)).toEqual([[2022, 'ACTUAL', '-12.5', 'J3']]);
    // 2021 is both the baseline year and a year column: the same 40, said twice, is kept once.
    expect(valuesOf(out, 2)).toEqual([
      [2021, 'ACTUAL', '40', 'E4'],
      [2022, 'ACTUAL', '50', 'J4'],
    ]);
  });
});

describe('parseIndicators, one row per indicator and year', () => {
  const header = ['N° action', 'Orientation', 'Indicateur', 'Unité', 'Cible', 'Année cible', 'Année', 'Valeur', 'Type (cible/réalisé)'];

  it('gathers the rows of each indicator, identified by its owner and name', () => {
    const out = parseIndicators(
      workbook(
        grid('Suivi', [
          header,
          ['DA-01', null, 'Logements rénovés', 'logements', 200, 2026, 2021, 15, 'réalisé'],
          ['DA-01', null, 'logements  RÉNOVÉS', null, null, null, 2022, 42, null],
          ['DA-01', null, 'Logements rénovés', 'logements', 200, 2026, 2024, 120, 'Cible'],
          [null, '2.1', 'Linéaire de pistes cyclables', 'km', '35,5', 2026, 2022, '12,25', 'objectif'],
          ['DA-02', null, 'Fréquentation', 'visiteurs', null, null, null, null, null],
        ]),
      ),
    );
    expect(issueList(out)).toEqual([]);
    expect(out.indicators!.map((i) => [i.actionCode, i.orientationCode, i.code, i.unit, i.target, i.source.cell])).toEqual([
      ['DA-01', null, 'DA-01-LOGEMENTS-RENOVES', 'logements', '200', 'C2'],
      [null, '2.1', '2.1-LINEAIRE-DE-PISTES-CYCLABLES', 'km', '35.5', 'C5'],
      ['DA-02', null, 'DA-02-FREQUENTATION', 'visiteurs', null, 'C6'],
    ]);
    expect(valuesOf(out, 0)).toEqual([
      [2021, 'ACTUAL', '15', 'H2'],
      [2022, 'ACTUAL', '42', 'H3'],
      [2024, 'TARGET', '120', 'H4'],
    ]);
    expect(valuesOf(out, 1)).toEqual([[2022, 'TARGET', '12.25', 'H5']]);
    expect(out.indicators![2].values).toEqual([]);
  });

  it('gathers rows by indicator code across sheets', () => {
    const codeHeader = ['Code action', 'Code indicateur', 'Indicateur', 'Année', 'Valeur'];
    const out = parseIndicators(
      workbook(grid('2021', [codeHeader, ['DA-01', 'IND-1', 'Surface', 2021, 10]]), grid('2022', [codeHeader, ['DA-01', 'ind-1', null, 2022, 20]])),
    );
    expect(issueList(out)).toEqual([]);
    expect(out.indicators).toHaveLength(1);
    expect(out.indicators![0].values.map((v) => [v.source.sheet, v.source.cell, v.year, v.value])).toEqual([
      ['2021', 'E2', 2021, '10'],
      ['2022', 'E2', 2022, '20'],
    ]);
  });

  it('reports every problem at its cell', () => {
    const out = parseIndicators(
      workbook(
        grid('Suivi', [
          header,
          ['DA-01', null, 'Logements rénovés', 'logements', 200, 2026, 2021, '12 logements', null], // H2 not a number
          ['DA-01', null, 'Logements rénovés', 'log.', 250, 2026, 2022, 30, null], // D3, E3 differ
          ['DA-01', null, 'Logements rénovés', null, null, null, 2022, 31, 'réalisé'], // H4 duplicate
          ['DA-01', null, 'Logements rénovés', null, null, null, 2023, 40, 'peut-être'], // I5 unknown type
          ['DA-01', null, 'Logements rénovés', null, null, null, null, 50, null], // G6 year missing
          ['DA-01', null, 'Logements rénovés', null, null, null, 'vingt', 60, null], // G7 year invalid
          [null, null, 'Orphelin', 'km', null, null, 2022, 1, null], // A8 no owner
          ['DA-02', null, null, null, null, null, 2022, 5, null], // C9 no indicator
          ['DA-03', null, 'Ratio', '%', null, null, 2022, '1,234', null], // H10 ambiguous
          ['DA-03', null, 'Ratio', '%', null, null, 2023, 0.123456, null], // H11 too many decimals
          ['DA-03', null, 'Ratio', '%', null, null, 2024, { kind: 'error', value: '#DIV/0!' } as Cell, null], // H12
          ['DA-04', null, 'x'.repeat(256), null, null, null, null, null, null], // C13 too long
        ]),
      ),
    );
    expect(issueList(out)).toEqual([
      'ERROR VALUE_INVALID H2',
      'ERROR VALUE_INVALID D3',
      'ERROR VALUE_INVALID E3',
      'ERROR DUPLICATE_LINE H4',
      'ERROR VALUE_INVALID I5',
      'ERROR YEAR_MISSING G6',
      'ERROR YEAR_INVALID G7',
      'ERROR ACTION_CODE_MISSING A8',
      'ERROR VALUE_INVALID C9',
      'ERROR VALUE_INVALID H10',
      'ERROR VALUE_INVALID H11',
      'ERROR FORMULA_ERROR H12',
      'ERROR VALUE_INVALID C13',
    ]);
    expect(out.issues.find((i) => i.cell === 'D3')!.message).toContain('Suivi!2');
    expect(out.issues.find((i) => i.cell === 'H10')!.message).toContain('1234');
    expect(valuesOf(out, 0)).toEqual([[2022, 'ACTUAL', '30', 'H3']]);
  });

  it('takes the year given with the upload for values without one; reads 1,234 with the CSV’s decimal mark', () => {
    const sheet = grid('Suivi', [
      ['Code action', 'Indicateur', 'Valeur', 'Année'],
      ['DA-01', 'Ratio', '1,234', null],
    ]);
    const comma = parseIndicators(workbook(sheet), { year: 2023, decimalComma: true });
    expect(issueList(comma)).toEqual([]);
    expect(valuesOf(comma)).toEqual([[2023, 'ACTUAL', '1.234', 'C2']]);
    const point = parseIndicators(workbook(sheet), { year: 2023, decimalComma: false });
    expect(valuesOf(point)).toEqual([[2023, 'ACTUAL', '1234', 'C2']]);
  });

  it('says when no indicator table is found', () => {
    const out = parseIndicators(workbook(grid('x', [['Code action', 'Montant'], ['DA-01', 5]])));
    expect(issueList(out)).toEqual(['ERROR NO_TABLE_FOUND null']);
    expect(out.indicators).toEqual([]);
  });
});

describe('parseQuantity', () => {
  const ok = (input: Parameters<typeof parseQuantity>[0], options: { decimalComma?: boolean } = {}) => {
    const result = parseQuantity(input, options);
    return result.status === 'ok' ? result.value : result.status;
  };

  it.each([
    ['12,5', '12.5'],
    ['1 234,5', '1234.5'],
    ['1\u00a0234\u202f567,25', '1234567.25'],
    ['1234.5', '1234.5'],
    ['1.234.567', '1234567'],
    ['1.234,5', '1234.5'],
    ['1,234.5', '1234.5'],
    ['0,500', '0.5'],
    ['1234,567', '1234.567'],
    ['-3,2', '-3.2'],
    ['−3,2', '-3.2'],
    ['+4', '4'],
    ['-0', '0'],
    ['007', '7'],
    ['12,5 %', '12.5'],
    ['0,1234', '0.1234'],
    ['12345678901234', '12345678901234'],
    ['', 'empty'],
    ['-', 'empty'],
    ['nc', 'empty'],
    ['N.D.', 'empty'],
    ['1,234', 'error'],
    ['2.500', 'error'],
    ['0,12345', 'error'],
    ['123456789012345', 'error'],
    ['12 km', 'error'],
    ['1,5 000', 'error'],
    ['1 23', 'error'],
    ['1,2,3', 'error'],
    ['1.234,5.6', 'error'],
    ['abc', 'error'],
    ['#N/A', 'error'],
    ['#VALEUR!', 'error'],
  ])('%j → %s', (text, expected) => {
    expect(ok(text)).toBe(expected);
  });

  it('reads numbers at 15 significant digits, percentages as shown, and refuses more than 4 decimals', () => {
    expect(ok(0.1 + 0.2)).toBe('0.3');
    expect(ok(1234.5)).toBe('1234.5');
    expect(ok(-250.5)).toBe('-250.5');
    expect(ok(1e13)).toBe('10000000000000');
    expect(ok(1e15)).toBe('error');
    expect(ok(1e-7)).toBe('error');
    expect(ok(1 / 3)).toBe('error');
    expect(ok({ kind: 'number', value: 0.125, format: '0.0%' })).toBe('12.5');
    expect(ok({ kind: 'number', value: Number.NaN })).toBe('error');
    expect(ok({ kind: 'boolean', value: true })).toBe('error');
    expect(parseQuantity({ kind: 'error', value: '#DIV/0!' })).toMatchObject({ status: 'error', code: 'FORMULA_ERROR' });
    expect(ok('1,234', { decimalComma: true })).toBe('1.234');
    expect(ok('1,234', { decimalComma: false })).toBe('1234');
    expect(ok('1.234', { decimalComma: true })).toBe('1234');
  });

  it('makes up codes of at most 40 characters', () => {
    expect(madeUpCode('DA-01', 'Surface rénovée (m²)')).toBe('DA-01-SURFACE-RENOVEE-M2');
    const long = madeUpCode('CCCO-07', 'Nombre de logements sociaux réhabilités au niveau BBC rénovation');
    expect(long).toHaveLength(40);
    expect(long).toMatch(/^CCCO-07-NOMBRE-DE-LOGEMENTS-SOC-[0-9a-f]{8}$/);
    expect(madeUpCode('CCCO-07', 'Nombre de logements sociaux réhabilités au niveau BBC rénovation')).toBe(long);
  });
});
