import type { Cell } from '../../../import/common/model';
import { parseYear, parseYearHeader } from '../../../import/parse/values/year';

const num = (value: number, extra: Partial<Cell> = {}): Cell => ({ kind: 'number', value, ...extra });
const str = (value: string): Cell => ({ kind: 'string', value });

function errorOf(input: Parameters<typeof parseYear>[0], options?: Parameters<typeof parseYear>[1]) {
  const result = parseYear(input, options);
  if (result.status !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseYear', () => {
  it.each([
    [num(2022), 2022],
    [num(2022.0), 2022],
    [2022, 2022],
    [str('2022'), 2022],
    ['2022', 2022],
    [' 2022 ', 2022],
    ['\u00a02022\u202f', 2022],
    ['2022.0', 2022],
    ['2022,00', 2022],
    ['Année 2022', 2022],
    ['année 2022', 2022],
    ['ANNEE 2022', 2022],
    ['an 2022', 2022],
    ['Exercice 2022', 2022],
    ['(2022)', 2022],
    [num(1950), 1950],
    [num(2100), 2100],
    [num(2022, { format: 'dd/mm/yyyy' }), 2022], // 2022 typed into a date-formatted cell is still 2022
  ])('%j → %d', (input, year) => {
    expect(parseYear(input)).toEqual({ status: 'ok', year });
  });

  it.each([null, undefined, '', '  ', '-', '–'])('%j is empty', (input) => {
    expect(parseYear(input)).toEqual({ status: 'empty' });
  });

  it.each([
    ['2022-2023', 'plusieurs années'],
    ['2022/2023', 'plusieurs années'],
    ['2022 et 2023', 'plusieurs années'],
    ['2022 à 2026', 'plusieurs années'],
    ['01/01/2022', 'est une date'],
    ['2022-01-01', 'est une date'],
    ['deux mille', 'en chiffres'],
    ['deux mille vingt-deux', 'en chiffres'],
    ['22', 'quatre chiffres, par exemple 2022'],
    ['1899', "n'est pas une année plausible"],
    ['3000', "n'est pas une année plausible"],
    ['2022 €', "n'est pas une année"],
    ['en 2022 ou après', "n'est pas une année"],
    ['20222', "n'est pas une année"],
  ])('%j is YEAR_INVALID (%s)', (text, words) => {
    const { code, message } = errorOf(text);
    expect(code).toBe('YEAR_INVALID');
    expect(message).toContain(`« ${text} »`);
    expect(message).toContain(words);
  });

  it('explains numbers that are not years', () => {
    expect(errorOf(num(22)).message).toBe("« 22 » : écrivez l'année sur quatre chiffres, par exemple 2022.");
    const y1899 = errorOf(num(1899)).message;
    expect(y1899).toContain('« 1899 »');
    expect(y1899).toContain('entre 1950 et 2100');
    expect(y1899).toContain('format date');
    expect(errorOf(num(2022.5)).message).toContain('« 2022.5 »');
    expect(errorOf(num(44562)).message).toContain('date Excel (01/01/2022)');
    expect(errorOf(num(-5)).code).toBe('YEAR_INVALID');
    expect(errorOf(num(NaN)).code).toBe('YEAR_INVALID');
    expect(errorOf({ kind: 'boolean', value: true }).message).toContain('« VRAI »');
  });

  it('refuses a date-formatted serial, showing the date', () => {
    const { code, message } = errorOf(num(44562, { format: 'dd/mm/yyyy', text: '01/01/2022' }));
    expect(code).toBe('YEAR_INVALID');
    expect(message).toContain('« 01/01/2022 » est une date');
    expect(message).toContain('par exemple 2022');
  });

  it('honours min and max', () => {
    expect(parseYear('2019', { min: 2020, max: 2026 }).status).toBe('error');
    expect(errorOf('2027', { min: 2020, max: 2026 }).message).toContain('entre 2020 et 2026');
    expect(parseYear('2020', { min: 2020, max: 2026 })).toEqual({ status: 'ok', year: 2020 });
  });

  it('reports error cells as FORMULA_ERROR', () => {
    expect(errorOf({ kind: 'error', value: '#REF!' })).toEqual({ status: 'error', code: 'FORMULA_ERROR', message: expect.stringContaining('« #REF! »') });
    expect(errorOf('#N/A').code).toBe('FORMULA_ERROR');
  });

  // A backtracking pattern would take seconds on these 50 KB (quadratic); 500 ms leaves room for a loaded
  // machine (50 ms failed under CI's parallel load) and still catches it.
  it('refuses long text at once', () => {
    const start = Date.now();
    expect(errorOf('2022 '.repeat(10000)).code).toBe('YEAR_INVALID');
    expect(Date.now() - start).toBeLessThan(500);
  });
});

describe('parseYearHeader', () => {
  it.each([
    ['2021', 2021],
    ['Année 2021', 2021],
    ['2021 (€)', 2021],
    ['Montant 2022', 2022],
    ['2022\n(en k€)', 2022],
    ['  2023 ', 2023],
    ['Montants 2024 HT', 2024],
    [num(2021), 2021],
    [2025, 2025],
  ])('%j → %d', (header, year) => {
    expect(parseYearHeader(header)).toBe(year);
  });

  it.each([['Total'], ['2021-2026'], ['Total 2021 à 2026'], ['Sous-axe 2.1'], ['N° action'], ['Coût total HT'], ['1899'], ['12345'], [''], [null], [num(2021.5)], [num(44562)], ['x'.repeat(500) + ' 2021']])(
    '%j → null',
    (header) => {
      expect(parseYearHeader(header)).toBeNull();
    },
  );

  it('honours min and max', () => {
    expect(parseYearHeader('2019', { min: 2020, max: 2026 })).toBeNull();
    expect(parseYearHeader('Année 2026', { min: 2020, max: 2026 })).toBe(2026);
  });
});
