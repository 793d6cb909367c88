/**
 * Dates in partner spreadsheets → ISO 'YYYY-MM-DD'.
 *
 * Accepted:
 * - Excel serial numbers (1900 date system), integer arithmetic only. Serial 1 is 1900-01-01; Excel
 *   counts a 29 February 1900 that never existed (serial 60), so serials from 61 on are one day ahead of
 *   a plain count: serial 61 is 1900-03-01. Serial 60 itself is refused (the date does not exist), as are
 *   serials below 1 and beyond 9999-12-31 (2958465). A time of day (the fraction) is dropped.
 *   A whole number between 1900 and 2100 in a cell without a date format is refused: it is a year typed
 *   into a date column, not 1905.
 * - Text, in French day-first order: `JJ/MM/AAAA`, `J/M/AAAA`, `JJ-MM-AAAA`, `JJ.MM.AAAA`; ISO
 *   `AAAA-MM-JJ` (optionally followed by a time, which is dropped) and `AAAA/MM/JJ`; and written months
 *   (`14 juillet 2023`, `1er janv. 2023`).
 * - Dates before 1900 written as text (`14/07/1789`) are accepted as they are: they cannot come from a
 *   serial, but nothing makes them wrong, and a historic date is the partner's to write. Years must have
 *   four digits (1000–9999); two-digit years (`01/02/23`) are refused rather than guessed.
 * - Impossible dates (`31/02/2023`, month 13) are refused with DATE_INVALID; month-first US dates
 *   (`12/31/2023`) therefore fail, with a message recalling the day-first order.
 */
import {
  ValueInput,
  formulaErrorMessage,
  isDateFormat,
  isFormulaErrorText,
  quote,
  trimBlank,
  viewInput,
} from './shared';
import { normaliseText } from '../../../src/kernel/normalise-text';

export type DateErrorCode = 'DATE_INVALID' | 'FORMULA_ERROR';
export type DateResult =
  | { status: 'empty' }
  | { status: 'ok'; date: string }
  | { status: 'error'; code: DateErrorCode; message: string };

const MAX_DATE_TEXT = 40;
const MAX_SERIAL = 2958465; // 9999-12-31

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1000 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil, integers only). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil. */
function civilFromDays(z0: number): { year: number; month: number; day: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const DAY_ZERO = daysFromCivil(1899, 12, 31); // serial 0 in Excel's 1900 system (shown as 00/01/1900)

/** Excel 1900-system serial → 'YYYY-MM-DD', or null for serial 60 (29/02/1900), < 1 or > 9999-12-31. */
export function excelSerialToIso(serial: number): string | null {
  if (!Number.isFinite(serial)) return null;
  const whole = Math.floor(serial);
  if (whole < 1 || whole > MAX_SERIAL || whole === 60) return null;
  const { year, month, day } = civilFromDays(DAY_ZERO + (whole < 60 ? whole : whole - 1));
  return isoDate(year, month, day);
}

/** 'YYYY-MM-DD' → 'JJ/MM/AAAA', for messages. */
export function frenchDate(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

const MONTHS: Record<string, number> = {
  janvier: 1,
  janv: 1,
  jan: 1,
  fevrier: 2,
  fevr: 2,
  fev: 2,
  mars: 3,
  avril: 4,
  avr: 4,
  mai: 5,
  juin: 6,
  juillet: 7,
  juil: 7,
  aout: 8,
  septembre: 9,
  sept: 9,
  sep: 9,
  octobre: 10,
  oct: 10,
  novembre: 11,
  nov: 11,
  decembre: 12,
  dec: 12,
};

const EXAMPLE = 'par exemple 14/07/2023';

function invalid(message: string): DateResult {
  return { status: 'error', code: 'DATE_INVALID', message };
}

function fromParts(text: string, year: number, month: number, day: number, dayFirst = false): DateResult {
  if (dayFirst && month > 12 && day <= 12) {
    return invalid(
      `${quote(text)} n'est pas une date valide : le mois ${month} n'existe pas. ` +
        `Les dates s'écrivent jour d'abord, au format JJ/MM/AAAA (${EXAMPLE}).`,
    );
  }
  if (!isValidDate(year, month, day)) {
    return invalid(
      `${quote(text)} n'est pas une date qui existe : vérifiez le jour et le mois, ` +
        `au format JJ/MM/AAAA (${EXAMPLE}).`,
    );
  }
  return { status: 'ok', date: isoDate(year, month, day) };
}

const DAY_FIRST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})$/;
const ISO = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const WRITTEN = /^(\d{1,2})(?: ?er)? ([a-z]+) (\d{2,4})$/;

function parseDateText(raw: string): DateResult {
  const text = trimBlank(raw);
  if (text === '' || text === '-' || text === '–' || text === '—') return { status: 'empty' };
  if (isFormulaErrorText(text)) return { status: 'error', code: 'FORMULA_ERROR', message: formulaErrorMessage(text) };
  if (text.length > MAX_DATE_TEXT) {
    return invalid(`${quote(text)} n'est pas une date : écrivez seulement la date, au format JJ/MM/AAAA (${EXAMPLE}).`);
  }
  const compact = text.replace(/\s+/g, '');
  let m = ISO.exec(text) ?? ISO.exec(compact);
  if (m) return fromParts(text, Number(m[1]), Number(m[3]), Number(m[4]));
  m = DAY_FIRST.exec(compact);
  if (m) {
    if (m[4].length !== 4) {
      return invalid(
        `${quote(text)} : écrivez l'année sur quatre chiffres, au format JJ/MM/AAAA (${EXAMPLE}).`,
      );
    }
    return fromParts(text, Number(m[4]), Number(m[3]), Number(m[1]), true);
  }
  m = WRITTEN.exec(normaliseText(text));
  if (m && MONTHS[m[2]] !== undefined) {
    if (m[3].length !== 4) {
      return invalid(`${quote(text)} : écrivez l'année sur quatre chiffres, au format JJ/MM/AAAA (${EXAMPLE}).`);
    }
    return fromParts(text, Number(m[3]), MONTHS[m[2]], Number(m[1]));
  }
  if (/^\d+$/.test(compact)) {
    return invalid(
      `${quote(text)} n'est pas une date : écrivez-la au format JJ/MM/AAAA (${EXAMPLE}), ` +
        `ou mettez la cellule au format date.`,
    );
  }
  return invalid(`${quote(text)} n'est pas une date : écrivez-la au format JJ/MM/AAAA (${EXAMPLE}).`);
}

function parseDateNumber(value: number, display: string, format: string | undefined): DateResult {
  if (!Number.isFinite(value)) {
    return invalid(`${quote(display)} n'est pas une date : écrivez-la au format JJ/MM/AAAA (${EXAMPLE}).`);
  }
  if (Number.isInteger(value) && value >= 1900 && value <= 2100 && !isDateFormat(format)) {
    return invalid(
      `${quote(display)} ressemble à une année, pas à une date : écrivez la date complète au format ` +
        `JJ/MM/AAAA (par exemple 01/01/${value}).`,
    );
  }
  if (Math.floor(value) === 60) {
    return invalid(
      `${quote(display)} correspond au 29/02/1900, une date qui n'existe pas (Excel la compte à tort) : ` +
        `écrivez la date voulue au format JJ/MM/AAAA (${EXAMPLE}).`,
    );
  }
  const iso = excelSerialToIso(value);
  if (iso === null) {
    return invalid(
      `${quote(display)} n'est pas une date : un nombre de jours Excel va de 1 (01/01/1900) à 2958465 ` +
        `(31/12/9999). Écrivez la date au format JJ/MM/AAAA (${EXAMPLE}).`,
    );
  }
  return { status: 'ok', date: iso };
}

/** A date cell → 'YYYY-MM-DD' (see the rules at the top of this file). */
export function parseDate(input: ValueInput): DateResult {
  const view = viewInput(input);
  switch (view.kind) {
    case 'empty':
      return { status: 'empty' };
    case 'error':
      return { status: 'error', code: 'FORMULA_ERROR', message: formulaErrorMessage(view.value) };
    case 'boolean':
      return invalid(`${quote(view.display)} n'est pas une date : écrivez-la au format JJ/MM/AAAA (${EXAMPLE}).`);
    case 'number':
      return parseDateNumber(view.value, view.display, view.format);
    case 'string':
      return parseDateText(view.value);
  }
}
