import { LAYOUTS } from '../../../import/detect/layouts.data';
import type { LayoutName } from '../../../import/detect/detected-table.types';
import type { ImportKindName } from '../../../import/detect/types';
import { SheetGrid, WorkbookGrid } from '../../../import/common/model';
import { parseAnnex2 } from '../../../import/parse/annex2.parser';
import { parseAnnex3 } from '../../../import/parse/annex3.parser';
import { parseDotations } from '../../../import/parse/dotations.parser';
import { parseGrants } from '../../../import/parse/grants.parser';
import { parseIndicators } from '../../../import/parse/indicators.parser';
import { ParseOutput } from '../../../import/parse/parsed.types';
import { grid } from '../detect/grid-from-xlsx';

const PARSERS: Record<ImportKindName, (workbook: WorkbookGrid) => ParseOutput> = {
  annex3: (workbook) => parseAnnex3(workbook),
  annex2: (workbook) => parseAnnex2(workbook),
  dotations: (workbook) => parseDotations(workbook),
  grants: (workbook) => parseGrants(workbook, { perimeter: { inseeCodes: new Set(['59178']), sirens: new Set(['215901786']) } }),
  indicators: (workbook) => parseIndicators(workbook),
};

/** The smallest table of each layout: a header row and one row of data. A new layout needs one here too. */
const SAMPLES: { [K in ImportKindName]: Record<LayoutName<K>, SheetGrid> } = {
  annex3: {
    long: grid('Actions', [
      ['N° action', "Intitulé de l'action", 'Année', 'Montant demandé'],
      ['DA-01', 'Voie verte', 2023, 1000],
    ]),
    pairs: grid('Actions', [
      ['N° action', "Intitulé de l'action", 'Année', 'Financeur 1', 'Montant 1'],
      ['DA-01', 'Voie verte', 2023, 'ADEME', 1000],
    ]),
    'by-year': grid('Actions', [
      ['N° action', "Intitulé de l'action", '2023', '2024'],
      ['DA-01', 'Voie verte', 1000, 2000],
    ]),
    'by-funder': grid('Actions', [
      ['N° action', "Intitulé de l'action", 'Année', 'DETR', 'DSIL'],
      ['DA-01', 'Voie verte', 2023, 1000, 2000],
    ]),
    'action-plan': grid('Plan', [
      ['Titre de la fiche action', 'Année', 'Financeur 1', 'Montant € HT', 'Financeur 2', 'Montant € HT'],
      ['Voie verte', 2023, 'ADEME', 1000, 'Région', 500],
    ]),
  },
  annex2: {
    annex2: grid('Bilan', [
      ['Mesure', 'Projet', 'Aide', 'Investissement'],
      ['AAP X', '1 entreprise', 500, 1000],
    ]),
  },
  dotations: {
    dotations: grid('Dotations', [
      ['Année', 'Dotation', 'Territoire de DA'],
      [2021, 'DETR', 1000],
    ]),
  },
  grants: {
    grants: grid('Liste', [
      ['ANNEE', 'DOT', 'INSEECOM', 'BENEFICIAIRE', 'OBJET', 'SUBVENTION'],
      [2021, 'DETR', '59178', 'DOUAI', 'Parc', 1000],
    ]),
    scdl: grid('Subventions', [
      ['nomAttribuant', 'idAttribuant', 'dateConvention', 'nomBeneficiaire', 'idBeneficiaire', 'objet', 'montant'],
      ['Région Hauts-de-France', '20005374200013', '2023-05-12', 'Douai', '21590178600014', 'Parc', '25000.5'],
    ]),
  },
  indicators: {
    'indicators-long': grid('Suivi', [
      ['N° action', 'Indicateur', 'Unité', 'Année', 'Valeur'],
      ['DA-01', 'Logements rénovés', 'logements', 2022, 42],
    ]),
    indicators: grid('Suivi', [
      ['N° action', 'Indicateur', 'Unité', '2022'],
      ['DA-01', 'Logements rénovés', 'logements', 42],
    ]),
    'indicators-pairs': grid('Suivi', [
      ['N° Mesure', "Nom de l'indicateur", 'Valeur 1', 'Année 1', 'Commentaires 1'],
      ['1.1.2', 'Surface rénovée (m²)', 1200, 2022, 'Bâtiment A'],
    ]),
  },
};

const LAYOUT_CASES = (Object.keys(LAYOUTS) as ImportKindName[]).flatMap((kind) => LAYOUTS[kind].map((layout): [ImportKindName, string] => [kind, layout.name]));

describe('every layout of the layouts data has a parser', () => {
  it('has a sample for each layout and no other', () => {
    expect((Object.keys(SAMPLES) as ImportKindName[]).flatMap((kind) => Object.keys(SAMPLES[kind]).map((name) => [kind, name])).sort()).toEqual([...LAYOUT_CASES].sort());
  });

  it.each(LAYOUT_CASES)('%s %s: detected as such and read, without an error', (kind, name) => {
    const sheet = (SAMPLES[kind] as Record<string, SheetGrid>)[name];
    const output = PARSERS[kind]({ format: 'xlsx', sheets: [sheet], skippedSheets: [] });
    expect(output.layout).toBe(name);
    expect(output.issues.filter((issue) => issue.severity === 'ERROR')).toEqual([]);
    const read = output.lines.length + (output.measures?.length ?? 0) + (output.indicators?.reduce((values, indicator) => values + indicator.values.length, 0) ?? 0);
    expect(read).toBeGreaterThan(0);
  });
});
