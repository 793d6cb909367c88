import * as XLSX from 'xlsx';
import { detectTable } from '../../import/detect';
import { cellText, WorkbookGrid } from '../../import/common/model';
import { parseWorkbook } from '../../import/pipeline';
import { readUploadedFile } from '../../import/read/read-file';
import { ContractReference } from '../../import/resolve/contract-reference';
import { parseInstrument, parseStatus } from '../../import/parse/values/vocabulary';
import { ACTION_STATUS_WORDS, FUNDING_INSTRUMENT_WORDS } from '../../import/parse/values/vocabulary.data';
import { ActionStatus } from '../../src/kernel/action-status.enum';
import { FundingInstrument } from '../../src/kernel/funding.enum';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import {
  AIDE_SHEET,
  buildImportTemplate,
  DATA_SHEET_NAMES,
  instrumentWordList,
  isTemplateKind,
  programmeWordList,
  statusWordList,
  TEMPLATE_FILE_NAMES,
  TEMPLATE_KINDS,
  TemplateKind,
  TemplateOptions,
} from '../../src/import-batch/import-templates';

/** Grants parsing needs the contract's perimeter; the other kinds parse without any reference. */
const NO_REFERENCE = { perimeterEpciIds: [], organisations: [] } as unknown as ContractReference;

const EXPECTED_LAYOUT: Record<TemplateKind, string> = {
  annex3: 'by-year',
  annex2: 'annex2',
  dotations: 'dotations',
  indicators: 'indicators-long',
};

async function readBack(kind: TemplateKind, options: TemplateOptions = {}): Promise<WorkbookGrid> {
  const template = buildImportTemplate(kind, options);
  return readUploadedFile(template.buffer, template.fileName);
}

function rowTexts(grid: WorkbookGrid, sheet: string, row: number): string[] {
  return (grid.sheets.find((s) => s.name === sheet)!.rows[row] ?? []).map((cell) => cellText(cell));
}

describe('import templates', () => {
  it('exist for every kind a partner fills in, not for the national grants lists', () => {
    expect(TEMPLATE_KINDS).toEqual([ImportKind.ANNEX3, ImportKind.ANNEX2, ImportKind.DOTATIONS, ImportKind.INDICATORS]);
    expect(isTemplateKind('grants')).toBe(false);
    expect(isTemplateKind('annex3')).toBe(true);
    expect(TEMPLATE_FILE_NAMES.annex3).toBe('modele-annexe3.xlsx');
  });

  it('annex 3: the by-year header row in French, the contract years, an example row, then Total and Statut', async () => {
    const grid = await readBack(ImportKind.ANNEX3);
    expect(grid.sheets.map((sheet) => sheet.name)).toEqual(['Annexe 3', AIDE_SHEET]);
    expect(rowTexts(grid, 'Annexe 3', 0)).toEqual([
      'N° action', "Intitulé de l'action", 'Orientation CRTE', "Maître d'ouvrage", 'Coût total HT', 'Nature', 'Nature des crédits',
      '2021', '2022', '2023', '2024', '2025', '2026', 'Total', 'Statut',
    ]);
    const example = rowTexts(grid, 'Annexe 3', 1).filter(Boolean);
    expect(example.length).toBeGreaterThan(5);
    for (const cell of example) expect(cell).toMatch(/^ex : /);

    const years = buildImportTemplate(ImportKind.ANNEX3, { years: [2022, 2023, 2024] }).headers;
    expect(years).toEqual(['N° action', "Intitulé de l'action", 'Orientation CRTE', "Maître d'ouvrage", 'Coût total HT', 'Nature', 'Nature des crédits', '2022', '2023', '2024', 'Total', 'Statut']);
  });

  it('dotations: one amount column per territory of the perimeter', () => {
    const { headers } = buildImportTemplate(ImportKind.DOTATIONS, { territories: ['Douaisis Agglo', "Cœur d'Ostrevent"] });
    expect(headers).toEqual(['Année', 'Dotation', 'Territoire de Douaisis Agglo', "Territoire de Cœur d'Ostrevent", 'Total']);
  });

  it('dotations without a contract: placeholder territories, still read as territory columns', async () => {
    const { headers } = buildImportTemplate(ImportKind.DOTATIONS);
    expect(headers).toEqual(['Année', 'Dotation', 'Territoire de EPCI 1', 'Territoire de EPCI 2', 'Total']);
    const table = detectTable((await readBack(ImportKind.DOTATIONS)).sheets[0], 'dotations')!;
    expect(table.layout).toBe('dotations');
    expect(table.columns.filter((column) => column.role === 'territoryColumn').map((column) => column.territory)).toEqual(['EPCI 1', 'EPCI 2']);
  });

  describe.each(TEMPLATE_KINDS.map((kind) => [kind]))('%s, read back through the import pipeline', (kind) => {
    const options: TemplateOptions = kind === ImportKind.DOTATIONS ? { territories: ['Douaisis Agglo', "Cœur d'Ostrevent"] } : {};
    let grid: WorkbookGrid;
    beforeAll(async () => {
      grid = await readBack(kind, options);
    });

    it('finds the header row on the first row, the expected layout, every column, and skips the example row', () => {
      const sheet = grid.sheets[0];
      expect(sheet.name).toBe(DATA_SHEET_NAMES[kind]);
      const table = detectTable(sheet, kind)!;
      expect(table).not.toBeNull();
      expect(table.headerRow).toBe(0);
      expect(table.layout).toBe(EXPECTED_LAYOUT[kind]);
      expect(table.columns.filter((column) => column.role === 'unknown' || column.role === 'ignored')).toEqual([]);
      expect(table.issues).toEqual([]);
      expect(table.dataRows).toEqual([]);
      expect(table.skippedRows).toEqual([{ row: 1, reason: 'example' }]);
    });

    it('holds no table in the « Aide » sheet', () => {
      const aide = grid.sheets.find((sheet) => sheet.name === AIDE_SHEET)!;
      expect(aide.rows.length).toBeGreaterThan(10);
      expect(detectTable(aide, kind)).toBeNull();
    });

    it('parses to zero lines, says the template holds no data, and notes the « Aide » sheet as documentation (issue 15)', () => {
      const parsed = parseWorkbook({ kind, workbook: grid, reference: NO_REFERENCE, sourceOrganisationId: 1 });
      expect(parsed.lines).toEqual([]);
      expect(parsed.measures ?? []).toEqual([]);
      expect(parsed.indicators ?? []).toEqual([]);
      expect(parsed.issues.map((issue) => [issue.severity, issue.code, issue.sheet, issue.cell])).toEqual([
        ['NOTE', 'SHEET_DOCUMENTATION', AIDE_SHEET, null],
        ['ERROR', 'NO_DATA', DATA_SHEET_NAMES[kind], 'A1'],
      ]);
      expect(parsed.issues[1].message).toMatch(/^Le fichier ne contient aucune donnée : le tableau de la feuille « .+ » \(en-têtes ligne 1\) est reconnu/);
    });
  });

  it('annex 3 filled in below the example row gives its lines', async () => {
    const template = buildImportTemplate(ImportKind.ANNEX3);
    const book = XLSX.read(template.buffer, { type: 'buffer' });
    XLSX.utils.sheet_add_aoa(book.Sheets['Annexe 3'], [['DA-01', 'Quartier d’affaires EuraDouai', '2.2', 'Douaisis Agglo', 50000000, 'Prêt', 'France Relance', null, null, 2500000, 6000000, 4000000, null, 12500000, 'En cours']], { origin: 'A3' });
    const buffer = XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
    const grid = await readUploadedFile(buffer, template.fileName);
    const parsed = parseWorkbook({ kind: ImportKind.ANNEX3, workbook: grid, reference: NO_REFERENCE, sourceOrganisationId: 1 });
    expect(parsed.issues.filter((issue) => issue.severity === 'ERROR')).toEqual([]);
    expect(parsed.lines.map((line) => [line.year, String(line.cents), line.instrument, line.creditNature, line.source.cell])).toEqual([
      [2023, '250000000', FundingInstrument.LOAN, 'RELANCE', 'J3'],
      [2024, '600000000', FundingInstrument.LOAN, 'RELANCE', 'K3'],
      [2025, '400000000', FundingInstrument.LOAN, 'RELANCE', 'L3'],
    ]);
  });

  describe('the accepted words come from the import vocabulary', () => {
    it('lists every status and every nature, each spelling read back as its value', () => {
      const statuses = statusWordList().rows;
      expect(statuses.map(([first]) => first)).toEqual(Object.values(ActionStatus).map((status) => capitalise(ACTION_STATUS_WORDS[status][0])));
      Object.values(ActionStatus).forEach((status, index) => {
        const [first, others] = statuses[index];
        for (const word of [first, ...others.split(', ')]) expect(parseStatus(word)).toEqual({ status: 'ok', value: status });
      });
      const natures = instrumentWordList().rows;
      Object.values(FundingInstrument).forEach((instrument, index) => {
        const [first, others] = natures[index];
        expect(first.toLowerCase()).toBe(FUNDING_INSTRUMENT_WORDS[instrument][0].toLowerCase());
        for (const word of [first, ...others.split(', ')]) expect(parseInstrument(word)).toEqual({ status: 'ok', value: instrument });
      });
    });

    it('shows the lists in the « Aide » sheet', async () => {
      const grid = await readBack(ImportKind.ANNEX3);
      const texts = grid.sheets[1].rows.flatMap((row) => row.map((cell) => cellText(cell)));
      for (const [first, others] of [...statusWordList().rows, ...instrumentWordList().rows]) {
        expect(texts).toContain(first);
        if (others) expect(texts).toContain(others);
      }
      const dotations = await readBack(ImportKind.DOTATIONS);
      const dotationTexts = dotations.sheets[1].rows.flatMap((row) => row.map((cell) => cellText(cell)));
      expect(programmeWordList().rows.map(([first]) => first)).toEqual(expect.arrayContaining(['DETR', 'DSIL', 'FNADT']));
      for (const [first] of programmeWordList().rows) expect(dotationTexts).toContain(first);
    });
  });
});

function capitalise(word: string): string {
  return word.charAt(0).toLocaleUpperCase('fr-FR') + word.slice(1);
}
