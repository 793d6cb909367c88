import { FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { columnsWithRole, columnWithRole, FUNDER_COLUMNS, headerKey, mergedOriginAt } from '../detect';
import { appendAll, SheetGrid, WorkbookGrid } from '../common/model';
import { ParseOptions, statedTotals } from './annex3.parser';
import { LaidOutTable, parseEachTable } from './each-table';
import { ParseOutput } from './parsed.types';
import { SheetReader } from './sheet-reader';
import { SheetYear } from './sheet-year';

/** Programme codes by every header spelling the detect data knows (DETR, DSIL, DSIL relance, FNADT…). */
const PROGRAMME_BY_SPELLING = new Map<string, string>();
for (const spec of FUNDER_COLUMNS) {
  const programme = spec.descriptor !== 'AS_WRITTEN' ? spec.descriptor.programme : undefined;
  if (programme) for (const synonym of spec.synonyms) PROGRAMME_BY_SPELLING.set(headerKey(synonym), programme);
}

/**
 * The State grants received per year, programme and territory (the contract's DETR / DSIL / FNADT table):
 * year cells merged over their programme rows, one column per territory, TOTAL rows per year and overall.
 * Lines are PAID ("perçues"), have no action, and the territory's EPCI is their beneficiary.
 */
export function parseDotations(workbook: WorkbookGrid, options: ParseOptions = {}): ParseOutput {
  const output: ParseOutput = { layout: '', actions: [], lines: [], totals: [], issues: [] };
  parseEachTable(workbook, 'dotations', output, NO_TABLE, { dotations: parseSheet });
  return output;

  function parseSheet(sheet: SheetGrid, table: LaidOutTable<'dotations'>): void {
    const reader = new SheetReader(sheet);
    const yearColumn = columnWithRole(table, 'year');
    const programmeColumn = columnWithRole(table, 'programme');
    const territories = columnsWithRole(table, 'territoryColumn');
    const lineRow = new Map<number, number>();
    const lineCol = new Map<number, number>();
    const sheetYear = new SheetYear(sheet.name, options.year);
    for (const row of table.dataRows) {
      // The year is merged over its programme rows: read it where the merge starts; else the sheet's name's, else the upload's.
      const origin = yearColumn ? mergedOriginAt(sheet, row, yearColumn.col) : null;
      const year: number | null = origin && reader.cell(origin.row, origin.col) ? reader.year(origin.row, origin.col) : sheetYear.fallback();
      const programmeText = programmeColumn ? reader.text(row, programmeColumn.col) : null;
      const programmeCode = programmeText ? (PROGRAMME_BY_SPELLING.get(headerKey(programmeText)) ?? null) : null;
      if (programmeText && !programmeCode) {
        reader.issue('ERROR', 'VALUE_INVALID', `Le dispositif « ${programmeText} » n'est pas reconnu (DETR, DSIL, DSIL relance, FNADT, Fonds vert…).`, row, programmeColumn!.col);
      }
      for (const territory of territories) {
        const amount = reader.amount(row, territory.col, { multiplier: territory.multiplier, decimalComma: options.decimalComma });
        if (!amount || year === null || !programmeCode) continue;
        const index = output.lines.length;
        output.lines.push({
          source: reader.source(row, territory.col),
          actionIndex: null,
          funder: { kind: 'programme' },
          programmeCode,
          beneficiary: { text: territory.territory ?? territory.header },
          year,
          cents: amount.cents,
          approximate: amount.approximate,
          stage: FundingStage.PAID,
          instrument: FundingInstrument.SUBSIDY,
          costBase: null,
        });
        lineRow.set(index, row);
        lineCol.set(index, territory.col);
      }
      if (year === null && yearColumn) {
        reader.issue('ERROR', 'YEAR_MISSING', "L'année de cette ligne n'est pas indiquée.", row, yearColumn.col);
      }
    }
    appendAll(output.totals, statedTotals(reader, table, lineRow, lineCol, options));
    appendAll(output.issues, reader.issues);
    appendAll(output.issues, sheetYear.issues());
  }
}

const NO_TABLE = "Aucun tableau de dotations n'a été trouvé : il faut une colonne par territoire (« Territoire de … »), l'année et le dispositif.";
