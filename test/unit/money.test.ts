import { centsFromDriver, formatCents, moneyFromDouble, normaliseMoney, parseCents } from '../../src/kernel/money';

describe('money', () => {
  it('parses decimal strings into cents without floating point', () => {
    expect(parseCents('0.1')).toBe(10n);
    expect(parseCents('1234567.89')).toBe(123456789n);
    expect(parseCents('-0.05')).toBe(-5n);
    expect(parseCents('12')).toBe(1200n);
    expect(parseCents('3.140')).toBe(314n);
    expect(parseCents('9999999999999.99')).toBe(999999999999999n);
  });

  it('refuses what is not a plain decimal or has more than two decimals', () => {
    for (const bad of ['', '1,5', '1e3', 'abc', '1.005', '1 000', 'NaN']) expect(() => parseCents(bad)).toThrow();
  });

  it('formats cents with exactly two decimals', () => {
    expect(formatCents(30n)).toBe('0.30');
    expect(formatCents(-5n)).toBe('-0.05');
    expect(formatCents(999999999999999n)).toBe('9999999999999.99');
    expect(normaliseMoney('100000')).toBe('100000.00');
  });

  it('reads what drivers return: DECIMAL strings, SQLite doubles, integer sums', () => {
    expect(centsFromDriver('1234.50', 'euros')).toBe(123450n);
    expect(centsFromDriver(0.1, 'euros')).toBe(10n);
    expect(centsFromDriver(9999999999999.99, 'euros')).toBe(999999999999999n);
    expect(centsFromDriver(30, 'cents')).toBe(30n);
    expect(centsFromDriver('30', 'cents')).toBe(30n);
    expect(centsFromDriver('30.0000', 'cents')).toBe(30n);
    expect(centsFromDriver(null, 'cents')).toBe(0n);
    expect(() => centsFromDriver(Number.NaN, 'euros')).toThrow();
  });

  it('reads a stored amount straight to the same canonical string as through cents (fast paths)', () => {
    const strings = ['0.00', '-0.00', '0.1', '007.50', '1234.50', '-12.05', '9999999999999.99', '12'];
    for (const value of strings) expect(normaliseMoney(value)).toBe(formatCents(parseCents(value)));
    const doubles = [0, -0, 0.1, 0.29, 1.005, -0.004, -12.05, 1234.5, 9999999999999.99, 45035996273704.96, 2 ** 60];
    for (const value of doubles) expect(moneyFromDouble(value)).toBe(formatCents(centsFromDriver(value, 'euros')));
    expect(() => moneyFromDouble(Number.POSITIVE_INFINITY)).toThrow();
  });
});
