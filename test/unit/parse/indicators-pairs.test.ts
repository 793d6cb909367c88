import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkbookGrid } from '../../../import/common/model';
import { unitInName } from '../../../import/parse/indicators-pairs';
import { parseIndicators } from '../../../import/parse/indicators.parser';
import type { ParseOutput } from '../../../import/parse/parsed.types';
import { readUploadedFile } from '../../../import/read/read-file';
import { grid } from '../detect/grid-from-xlsx';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'open-data', 'indicateurs-paires-2024.xlsx');

const book = (rows: Array<Array<string | number | null>>): WorkbookGrid => ({ format: 'xlsx', sheets: [grid('Indicateurs', rows)], skippedSheets: [] });
const issues = (out: ParseOutput) => out.issues.map((issue) => `${issue.severity} ${issue.code} ${issue.cell}`);
const values = (out: ParseOutput) => out.indicators!.map((indicator) => [indicator.actionCode, indicator.unit, indicator.values.map((value) => `${value.year}:${value.value}@${value.source.cell}`)]);
const HEADER = ['N° action', "Nom de l'indicateur", 'Valeur 1', 'Année 1', 'Commentaires 1', 'Valeur 2', 'Année 2', 'Commentaires 2'];

describe('indicator tables of « Valeur n » / « Année n » pairs (layout indicators-pairs)', () => {
  it('the fixture: 3 indicators, 7 values, units from the names, empty pairs skipped', async () => {
    const out = parseIndicators(await readUploadedFile(readFileSync(FIXTURE), 'indicateurs-paires-2024.xlsx'));
    expect(out.layout).toBe('indicators-pairs');
    expect(issues(out)).toEqual([]);
    expect(out.indicators!.map((indicator) => indicator.name)).toEqual(['Surface rénovée (m²)', 'Émissions évitées (teq CO2)', 'Nombre de bornes de recharge (bornes)']);
    expect(values(out)).toEqual([
      ['1.1.2', 'm²', ['2021:1200@C3', '2022:2350.5@F3']],
      ['1.1.2', 'teq CO2', ['2022:12.5@C4', '2023:30@F4', '2024:45.75@I4']],
      ['2.3.1', 'bornes', ['2022:4@C6', '2024:10@I6']],
    ]);
    expect(out.indicators!.every((indicator) => indicator.values.every((value) => value.stage === 'ACTUAL'))).toBe(true);
  });

  it('the CSV variant: « N° action », « Commentaire n », decimal commas: 3 indicators, 3 values', async () => {
    const file = join(__dirname, '..', '..', 'fixtures', 'open-data', 'indicateurs-paires-actions.csv');
    const workbook = await readUploadedFile(readFileSync(file), 'indicateurs-paires-actions.csv');
    const out = parseIndicators(workbook, { decimalComma: workbook.csv?.decimalComma });
    expect(out.layout).toBe('indicators-pairs');
    expect(issues(out)).toEqual([]);
    expect(values(out)).toEqual([
      ['DA-01', 'logements', ['2022:120@C2', '2023:185@F2']],
      ['DA-01', 'MWh/an', ['2023:1250.75@C3']],
      ['DOU-05', 'visiteurs', []],
    ]);
  });

  it('a value without its year is an error at the year’s cell; a year without a value is nothing', () => {
    const out = parseIndicators(
      book([
        HEADER,
        ['DA-01', 'Logements rénovés (logements)', 120, null, 'année oubliée', null, 2023, 'prévu'],
        ['DA-01', 'Arbres plantés', 300, 'deux mille vingt', null, 40, 2024, null],
      ]),
    );
    expect(issues(out)).toEqual(['ERROR YEAR_MISSING D2', 'ERROR YEAR_INVALID D3']);
    expect(values(out)).toEqual([
      ['DA-01', 'logements', []],
      ['DA-01', null, ['2024:40@F3']],
    ]);
  });

  it('one value per indicator and year: the same twice is one, two different ones an error', () => {
    const out = parseIndicators(
      book([
        HEADER,
        ['DA-01', 'Surface (m²)', 100, 2022, null, 100, 2022, null],
        ['DA-02', 'Surface (m²)', 100, 2022, null, 150, 2022, null],
      ]),
    );
    expect(issues(out)).toEqual(['ERROR DUPLICATE_LINE F3']);
    expect(values(out)).toEqual([
      ['DA-01', 'm²', ['2022:100@C2']],
      ['DA-02', 'm²', ['2022:100@C3']],
    ]);
  });

  it('a « Unité » column wins over the name; « N° Mesure » names the action', () => {
    const out = parseIndicators(book([['N° Mesure', "Nom de l'indicateur", 'Unité', 'Valeur 1', 'Année 1'], ['1.1.2', 'Émissions évitées (teq CO2)', 'tCO2e', '12,5', 2023]]));
    expect(values(out)).toEqual([['1.1.2', 'tCO2e', ['2023:12.5@D2']]]);
  });

  it('« Valeur 2 » without « Année 2 » is a missing column', () => {
    const out = parseIndicators(book([['N° action', 'Indicateur', 'Valeur 1', 'Année 1', 'Valeur 2'], ['DA-01', 'X', 1, 2022, 2]]));
    expect(out.issues.filter((issue) => issue.code === 'COLUMN_MISSING').map((issue) => issue.message)).toEqual(['Colonne manquante : « Année 2 » (en-têtes ligne 1) : chaque valeur va avec son année.']);
  });

  it.each([
    ['Surface rénovée (m²)', 'm²'],
    ['Émissions évitées (teq CO2) ', 'teq CO2'],
    ['Taux (en %) de couverture', null],
    ['Longueur de pistes', null],
    ['Nombre ()', null],
  ])('unitInName(%j) → %j', (name, unit) => {
    expect(unitInName(name)).toBe(unit);
  });
});
