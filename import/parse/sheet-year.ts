import { normaliseText } from '../../src/kernel/normalise-text';
import { YEAR_MAX, YEAR_MIN } from '../detect/role-matcher';
import { IssueDraft } from '../common/model';

/**
 * The year a sheet's name gives to the rows that do not say theirs (issue 15: workbooks with one sheet
 * per year). Precedence for a row's year, in every kind that needs one per row: the row's own year cell,
 * else its sheet's name, else the year given with the upload, else YEAR_MISSING — the nearer to the
 * figure, the likelier it is right: a workbook « 2023 », « 2024 » sent with `--year 2024` must not book
 * its 2023 sheet in 2024.
 *
 * A name gives a year when it holds exactly one four-digit year (1990–2100) as a word, whatever else it
 * says: « 2024 », « Année 2025 », « Exercice 2024 », « 2024 (prévisionnel) », « Prog. 2023 »,
 * « BP2024 ». Two years (« 2023-2024 », « 2023-24 », « 2021 à 2026 ») or none: no guess.
 */
export type SheetNameYear = { status: 'one'; year: number } | { status: 'several'; years: number[] } | { status: 'none' };

export function yearOfSheetName(name: string): SheetNameYear {
  const tokens = normaliseText(name).split(' ');
  const years: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    // A year glued to letters (« BP2024 », « Annee2025 ») counts; one glued to more digits does not.
    const match = /^(?:[a-z]*)((?:19|20|21)\d\d)$/.exec(tokens[i]);
    if (!match) continue;
    const year = Number(match[1]);
    if (year < YEAR_MIN || year > YEAR_MAX) continue;
    years.push(year);
    // « 2023-24 », « 2023/24 »: a second year written short.
    const next = tokens[i + 1];
    if (next !== undefined && /^\d{2}$/.test(next)) years.push(Math.floor(year / 100) * 100 + Number(next));
  }
  const distinct = [...new Set(years)];
  if (distinct.length === 1) return { status: 'one', year: distinct[0] };
  if (distinct.length > 1) return { status: 'several', years: distinct };
  return { status: 'none' };
}

/** What a sheet's rows without a year take, and what to say about it once the sheet is read. */
export class SheetYear {
  readonly fromName: SheetNameYear;
  private used = 0;

  constructor(
    private readonly sheetName: string,
    private readonly uploadYear: number | null | undefined,
  ) {
    this.fromName = yearOfSheetName(sheetName);
  }

  /** The year for a row that does not say its own: the sheet name's, else the upload's; null when neither. */
  fallback(): number | null {
    if (this.fromName.status === 'one') {
      this.used++;
      return this.fromName.year;
    }
    return this.uploadYear ?? null;
  }

  /** Whether some row will have a year without its own cell. */
  get known(): boolean {
    return this.fromName.status === 'one' || !!this.uploadYear;
  }

  /** For YEAR_MISSING messages: why the sheet's name gave none, when it tried. */
  whyNoYear(): string {
    if (this.fromName.status === 'several') return ` (le nom de la feuille « ${this.sheetName.trim()} » en cite plusieurs : ${this.fromName.years.join(', ')})`;
    return '';
  }

  /** The NOTE (and the WARNING when the upload said another year) once the sheet is read: nothing if no row took the sheet's year. */
  issues(): IssueDraft[] {
    if (this.used === 0 || this.fromName.status !== 'one') return [];
    const year = this.fromName.year;
    const name = this.sheetName.trim();
    const rows = this.used === 1 ? 'La ligne sans année' : `Les ${this.used} lignes sans année`;
    const out: IssueDraft[] = [
      {
        severity: 'NOTE',
        code: 'YEAR_FROM_SHEET_NAME',
        message: `${rows} de la feuille « ${name} » ${this.used === 1 ? 'est comptée' : 'sont comptées'} en ${year}, l'année du nom de la feuille.`,
        sheet: this.sheetName,
        cell: null,
        value: null,
      },
    ];
    if (this.uploadYear && this.uploadYear !== year) {
      out.push({
        severity: 'WARNING',
        code: 'YEAR_UPLOAD_DIFFERS',
        message: `L'année donnée au dépôt (${this.uploadYear}) n'est pas celle du nom de la feuille « ${name} » (${year}) : ${year} est retenue pour les lignes de cette feuille qui ne disent pas leur année. Vérifiez l'année du dépôt ou le nom de la feuille.`,
        sheet: this.sheetName,
        cell: null,
        value: null,
      });
    }
    return out;
  }
}
