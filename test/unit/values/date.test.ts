import type { Cell } from '../../../import/common/model';
import { excelSerialToIso, isValidDate, parseDate } from '../../../import/parse/values/date';

const num = (value: number, extra: Partial<Cell> = {}): Cell => ({ kind: 'number', value, ...extra });
const dateCell = (value: number): Cell => num(value, { format: 'dd/mm/yyyy' });

function errorOf(input: Parameters<typeof parseDate>[0]) {
  const result = parseDate(input);
  if (result.status !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

describe('excelSerialToIso (1900 date system)', () => {
  it.each([
    [1, '1900-01-01'],
    [31, '1900-01-31'],
    [59, '1900-02-28'],
    [61, '1900-03-01'],
    [367, '1901-01-01'],
    [25569, '1970-01-01'],
    [36526, '2000-01-01'],
    [43831, '2020-01-01'],
    [44562, '2022-01-01'],
    [44927, '2023-01-01'],
    [45351, '2024-02-29'],
    [2958465, '9999-12-31'],
    [44927.75, '2023-01-01'], // the time of day is dropped
  ])('%d → %s', (serial, iso) => {
    expect(excelSerialToIso(serial)).toBe(iso);
  });

  it.each([0, 0.5, -1, 60, 60.5, 2958466, NaN, Infinity])('%d → null', (serial) => {
    expect(excelSerialToIso(serial)).toBeNull();
  });

  it('agrees with the calendar on every day from 1900-03-01 to 2100', () => {
    // Independent check through Date.UTC: serial 61 is 1900-03-01.
    const base = Date.UTC(1900, 2, 1);
    for (let serial = 61; serial <= 73415; serial += 1) {
      const d = new Date(base + (serial - 61) * 86400000);
      const iso = d.toISOString().slice(0, 10);
      if (excelSerialToIso(serial) !== iso) throw new Error(`serial ${serial}: ${excelSerialToIso(serial)} ≠ ${iso}`);
    }
  });
});

describe('parseDate', () => {
  it.each([
    [dateCell(44927), '2023-01-01'],
    [dateCell(45351), '2024-02-29'],
    [num(44927), '2023-01-01'],
    [44927, '2023-01-01'],
    ['14/07/2023', '2023-07-14'],
    ['1/2/2023', '2023-02-01'],
    ['01/02/2023', '2023-02-01'],
    ['14-07-2023', '2023-07-14'],
    ['14.07.2023', '2023-07-14'],
    ['14 / 07 / 2023', '2023-07-14'],
    ['2023-07-14', '2023-07-14'],
    ['2023-7-4', '2023-07-04'],
    ['2023/07/14', '2023-07-14'],
    ['2023-07-14T00:00:00', '2023-07-14'],
    ['2023-07-14T10:30:00.000Z', '2023-07-14'],
    ['2023-07-14 10:30', '2023-07-14'],
    ['29/02/2024', '2024-02-29'],
    ['29/02/2000', '2000-02-29'],
    ['14 juillet 2023', '2023-07-14'],
    ['1er janvier 2023', '2023-01-01'],
    ['3 févr. 2023', '2023-02-03'],
    ['14/07/1789', '1789-07-14'], // before 1900: accepted as text, it cannot be a serial
    ['  14/07/2023\u00a0', '2023-07-14'],
  ])('%j → %s', (input, date) => {
    expect(parseDate(input)).toEqual({ status: 'ok', date });
  });

  it.each([null, undefined, '', ' ', '-', '—'])('%j is empty', (input) => {
    expect(parseDate(input)).toEqual({ status: 'empty' });
  });

  it.each([
    ['31/02/2023', "n'est pas une date qui existe"],
    ['29/02/2023', "n'est pas une date qui existe"],
    ['29/02/1900', "n'est pas une date qui existe"],
    ['31/04/2023', "n'est pas une date qui existe"],
    ['00/01/2023', "n'est pas une date qui existe"],
    ['12/31/2023', 'jour d\'abord'],
    ['2023-13-01', "n'est pas une date qui existe"],
    ['01/02/23', 'quatre chiffres'],
    ['14 juillet 23', 'quatre chiffres'],
    ['44927', 'JJ/MM/AAAA'],
    ['demain', "n'est pas une date"],
    ['14/07', "n'est pas une date"],
    ['14/07-2023', "n'est pas une date"],
    ['32 janvier 2023', "n'est pas une date qui existe"],
  ])('%j is DATE_INVALID (%s)', (text, words) => {
    const { code, message } = errorOf(text);
    expect(code).toBe('DATE_INVALID');
    expect(message).toContain(`« ${text} »`);
    expect(message).toContain(words);
  });

  it('refuses impossible serials with the value quoted', () => {
    for (const value of [0, -3, 0.5, 2958466, Infinity, NaN]) {
      const { code, message } = errorOf(dateCell(value));
      expect(code).toBe('DATE_INVALID');
      expect(message).toContain(`« ${value} »`);
    }
    const bug = errorOf(dateCell(60));
    expect(bug.message).toContain('29/02/1900');
  });

  it('refuses a year typed into a date column', () => {
    const { code, message } = errorOf(num(2022));
    expect(code).toBe('DATE_INVALID');
    expect(message).toContain('ressemble à une année');
    expect(message).toContain('01/01/2022');
    // With a date format, the serial is a date (14/07/1905).
    expect(parseDate(dateCell(2022))).toEqual({ status: 'ok', date: '1905-07-14' });
  });

  it('reports error cells as FORMULA_ERROR and booleans as DATE_INVALID', () => {
    expect(errorOf({ kind: 'error', value: '#VALUE!' })).toEqual({ status: 'error', code: 'FORMULA_ERROR', message: expect.stringContaining('« #VALUE! »') });
    expect(errorOf('#DIV/0!').code).toBe('FORMULA_ERROR');
    expect(errorOf({ kind: 'boolean', value: false }).code).toBe('DATE_INVALID');
  });

  it('checks calendar validity with leap years', () => {
    expect(isValidDate(2024, 2, 29)).toBe(true);
    expect(isValidDate(2100, 2, 29)).toBe(false);
    expect(isValidDate(2000, 2, 29)).toBe(true);
    expect(isValidDate(2023, 2, 29)).toBe(false);
    expect(isValidDate(999, 1, 1)).toBe(false);
  });

  // A backtracking pattern would take seconds on these 50 KB (quadratic); 500 ms leaves room for a loaded
  // machine (50 ms failed under CI's parallel load) and still catches it.
  it('refuses long text at once', () => {
    const start = Date.now();
    expect(errorOf('1/'.repeat(25000)).code).toBe('DATE_INVALID');
    expect(Date.now() - start).toBeLessThan(500);
  });
});
