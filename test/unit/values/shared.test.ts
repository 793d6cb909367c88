import { formatEuros } from '../../../src/kernel/format-euros';
import { isDateFormat, isFormulaErrorText, quote, trimBlank, viewInput } from '../../../import/parse/values/shared';

describe('value helpers', () => {
  it('quotes values on one line, cut at a hundred characters', () => {
    expect(quote('2,5 M€')).toBe('« 2,5 M€ »');
    expect(quote('  a\n\n b\u00a0 ')).toBe('« a b »');
    const long = quote('x'.repeat(500));
    expect(long).toBe(`« ${'x'.repeat(100)}… »`);
    expect(quote('1 '.repeat(25000), 40).length).toBeLessThan(50);
  });

  it('formats cents the French way', () => {
    expect(formatEuros(105000000n, { cents: 'unless-zero' })).toBe('1 050 000 €');
    expect(formatEuros(105n, { cents: 'unless-zero' })).toBe('1,05 €');
    expect(formatEuros(0n, { cents: 'unless-zero' })).toBe('0 €');
    expect(formatEuros(123456789n, { cents: 'unless-zero' })).toBe('1 234 567,89 €');
    expect(formatEuros(-5n, { cents: 'unless-zero' })).toBe('-0,05 €');
  });

  it('formats cents with two decimals by default, and narrow no-break spaces for print', () => {
    expect(formatEuros(105000000n)).toBe('1 050 000,00 €');
    expect(formatEuros(-123456789n)).toBe('-1 234 567,89 €');
    expect(formatEuros(-5n)).toBe('-0,05 €');
    expect(formatEuros(123456789n, { separator: '\u202f' })).toBe('1\u202f234\u202f567,89 €');
    expect(formatEuros(99999n, { separator: '\u202f' })).toBe('999,99 €');
  });

  it('trims every kind of blank', () => {
    expect(trimBlank('\ufeff\u00a0\u202f x \r\n')).toBe('x');
    expect(trimBlank('abc')).toBe('abc');
  });

  it('tells date formats from number formats', () => {
    for (const f of ['dd/mm/yyyy', 'd/m/yy', 'yyyy-mm-dd', 'mmm-yy', 'hh:mm', '[h]:mm:ss', 'JJ/MM/AAAA', '[$-40C]dd/mm/yyyy']) {
      expect(isDateFormat(f)).toBe(true);
    }
    for (const f of [undefined, '', 'General', 'Standard', '0', '0.00', '#,##0 €', '#,##0.00\\ "€"', '0.00 "k€"', '0%', '0.00E+00', '@', '_-* #,##0.00\\ [$€-40C]_-;\\-* #,##0.00\\ [$€-40C]_-;_-* "-"??\\ [$€-40C]_-;_-@_-', '[Red]#,##0']) {
      expect(isDateFormat(f)).toBe(false);
    }
  });

  it('recognises error values', () => {
    expect(isFormulaErrorText('#DIV/0!')).toBe(true);
    expect(isFormulaErrorText('#valeur!')).toBe(true);
    expect(isFormulaErrorText('Err:502')).toBe(true);
    expect(isFormulaErrorText('#12')).toBe(false);
    expect(isFormulaErrorText('Erreur')).toBe(false);
  });

  it('views cells, strings and numbers alike', () => {
    expect(viewInput(null)).toEqual({ kind: 'empty' });
    expect(viewInput('x')).toEqual({ kind: 'string', value: 'x' });
    expect(viewInput(3)).toEqual({ kind: 'number', value: 3, display: '3' });
    expect(viewInput({ kind: 'number', value: 3, text: '3,00 €', format: '0.00 €' })).toEqual({ kind: 'number', value: 3, display: '3,00 €', format: '0.00 €' });
    expect(viewInput({ kind: 'boolean', value: false })).toEqual({ kind: 'boolean', value: false, display: 'FAUX' });
    expect(viewInput({ kind: 'error', value: '#N/A' })).toEqual({ kind: 'error', value: '#N/A' });
  });
});
