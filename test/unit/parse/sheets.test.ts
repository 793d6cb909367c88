/**
 * Issue 15, points 2, 3 and 9: workbooks with one sheet per year, documentation sheets, and answers that
 * help (nothing in the perimeter, an empty template, the closest layout). Expected figures are written
 * from each grid's design below, not read from the code.
 */
import { formatCents } from '../../../src/kernel/money';
import { detectTable } from '../../../import/detect';
import { documentationContent, documentationNameOf } from '../../../import/detect/documentation-sheet';
import type { SheetGrid, WorkbookGrid } from '../../../import/common/model';
import { parseAnnex3 } from '../../../import/parse/annex3.parser';
import { parseGrants } from '../../../import/parse/grants.parser';
import type { ParseOutput } from '../../../import/parse/parsed.types';
import { yearOfSheetName } from '../../../import/parse/sheet-year';
import { grid } from '../detect/grid-from-xlsx';

const book = (...sheets: SheetGrid[]): WorkbookGrid => ({ format: 'xlsx', sheets, skippedSheets: [] });
const lines = (out: ParseOutput) => out.lines.map((l) => `${l.source.sheet}!${l.source.cell} ${l.year} ${formatCents(l.cents)}`);
const issues = (out: ParseOutput) => out.issues.map((i) => `${i.severity} ${i.code} ${i.sheet ?? '-'}!${i.cell ?? '-'}`);
const NBSP = '\u00a0';

/** A by-funder table without a year column: the year must come from elsewhere. */
const BY_FUNDER = ['N° action', 'Intitulé', 'DSIL', 'Région'];

describe('the year a sheet name gives', () => {
  it.each([
    ['2024', 2024],
    ['Année 2025', 2025],
    ['ANNEE 2025 ', 2025],
    [`Exercice${NBSP}2024`, 2024],
    ['2024 (prévisionnel)', 2024],
    ['Prog. 2023', 2023],
    ['BP2024', 2024],
    ['annexe 3 - 2026', 2026],
  ])('« %s » → %s', (name, year) => {
    expect(yearOfSheetName(name)).toEqual({ status: 'one', year });
  });

  it.each([
    ['2023-2024', [2023, 2024]],
    ['2023-24', [2023, 2024]],
    ['CRTE 2021 à 2026', [2021, 2026]],
    ['2023 / 2024', [2023, 2024]],
  ])('« %s » names several years: no guess', (name, years) => {
    expect(yearOfSheetName(name)).toEqual({ status: 'several', years });
  });

  it.each(['Feuil1', 'Synthèse', 'Tableau 1234', 'Code 59178', 'Annexe 3', ''])('« %s » names none', (name) => {
    expect(yearOfSheetName(name)).toEqual({ status: 'none' });
  });
});

describe('one sheet per year (annex 3)', () => {
  // Three sheets, no year column: 2023 (100 + 50), « Exercice 2024 » (200), « 2025 (prévisionnel) » (300 + 30).
  const workbook = book(
    grid('2023', [BY_FUNDER, ['DA-01', 'Gare', 100, 50]]),
    grid(' Exercice 2024 ', [[], BY_FUNDER, ['DA-01', 'Gare', 200, null], [null, null, null, null]]),
    grid('2025 (prévisionnel)', [BY_FUNDER, ['DA-01', 'Gare', 300, null], ['DA-02', 'Parc', null, 30]]),
  );

  it('gives each sheet its year, with a NOTE per sheet', () => {
    const out = parseAnnex3(workbook);
    expect(lines(out)).toEqual(['2023!C2 2023 100.00', '2023!D2 2023 50.00', ' Exercice 2024 !C3 2024 200.00', '2025 (prévisionnel)!C2 2025 300.00', '2025 (prévisionnel)!D3 2025 30.00']);
    expect(issues(out)).toEqual(['NOTE YEAR_FROM_SHEET_NAME 2023!-', 'NOTE YEAR_FROM_SHEET_NAME  Exercice 2024 !-', 'NOTE YEAR_FROM_SHEET_NAME 2025 (prévisionnel)!-']);
    expect(out.issues[2].message).toBe("Les 2 lignes sans année de la feuille « 2025 (prévisionnel) » sont comptées en 2025, l'année du nom de la feuille.");
  });

  it("the sheet's year wins over the upload's, with a WARNING where they differ", () => {
    const out = parseAnnex3(workbook, { year: 2024 });
    expect(lines(out).map((l) => l.split(' ').slice(-2)[0])).toEqual(['2023', '2023', '2024', '2025', '2025']);
    expect(issues(out).filter((i) => i.startsWith('WARNING'))).toEqual(['WARNING YEAR_UPLOAD_DIFFERS 2023!-', 'WARNING YEAR_UPLOAD_DIFFERS 2025 (prévisionnel)!-']);
  });

  it("a row's own year wins over its sheet's; an empty year cell takes the sheet's", () => {
    const out = parseAnnex3(book(grid('Année 2025', [[...BY_FUNDER, 'Année'], ['DA-01', 'Gare', 100, null, 2023], ['DA-02', 'Parc', 40, null, '  ']])));
    expect(lines(out)).toEqual(['Année 2025!C2 2023 100.00', 'Année 2025!C3 2025 40.00']);
    expect(issues(out)).toEqual(['NOTE YEAR_FROM_SHEET_NAME Année 2025!-']);
    expect(out.issues[0].message).toMatch(/^La ligne sans année/);
  });

  it('a sheet named after two years (or none) gives none: YEAR_MISSING, saying why', () => {
    const out = parseAnnex3(book(grid('2023-2024', [BY_FUNDER, ['DA-01', 'Gare', 100]]), grid('Feuil1', [BY_FUNDER, ['DA-02', 'Parc', 5]])));
    expect(lines(out)).toEqual([]);
    expect(issues(out)).toEqual(['ERROR YEAR_MISSING 2023-2024!A2', 'ERROR YEAR_MISSING Feuil1!A2']);
    expect(out.issues[0].message).toContain('le nom de la feuille « 2023-2024 » en cite plusieurs : 2023, 2024');
    expect(out.issues[1].message).not.toContain('en cite plusieurs');
  });

  it('the upload year still serves sheets whose names say none, without a note', () => {
    const out = parseAnnex3(book(grid('Feuil1', [BY_FUNDER, ['DA-02', 'Parc', 5]])), { year: 2022 });
    expect(lines(out)).toEqual(['Feuil1!C2 2022 5.00']);
    expect(out.issues).toEqual([]);
  });

  it('year columns of a by-year table are not touched by the sheet name', () => {
    const out = parseAnnex3(book(grid('2021', [['N° action', 'Intitulé', 2022, 2023], ['DA-01', 'Gare', 1, 2]])));
    expect(lines(out)).toEqual(['2021!C2 2022 1.00', '2021!D2 2023 2.00']);
    expect(out.issues).toEqual([]);
  });
});

describe('one sheet per year (grants lists)', () => {
  const perimeter = { inseeCodes: new Set(['59178']), sirens: new Set(['200044618']) };
  const HEADER = ['DOT', 'INSEECOM', 'BENEFICIAIRE', 'OBJET', 'SUBVENTION'];

  it('takes the year from « Exercice 2019 » when the list has no year column', () => {
    const out = parseGrants(book(grid('Exercice 2019', [HEADER, ['DETR', '59178', 'DOUAI', 'Toiture', 25000], ['DETR', '75056', 'PARIS', 'Autre', 1]])), { perimeter });
    expect(lines(out)).toEqual(['Exercice 2019!E2 2019 25000.00']);
    expect(issues(out)).toEqual(['NOTE YEAR_FROM_SHEET_NAME Exercice 2019!-']);
  });

  it('without a year anywhere, says so once with the sheet name', () => {
    const out = parseGrants(book(grid('Liste', [HEADER, ['DETR', '59178', 'DOUAI', 'Toiture', 25000]])), { perimeter });
    expect(issues(out)).toEqual(['ERROR YEAR_MISSING Liste!A1']);
    expect(out.issues[0].message).toContain('ni dans le nom de la feuille');
  });

  it('a list with nothing inside the perimeter says « 0 ligne dans le périmètre, N hors périmètre »', () => {
    const out = parseGrants(
      book(grid('2019', [HEADER, ['DETR', '75056', 'PARIS', 'A', 1], ['DSIL', '13055', 'MARSEILLE', 'B', 2], ['DETR', '69123', 'LYON', 'C', 3]])),
      { perimeter },
    );
    expect(out.lines).toEqual([]);
    expect(out.outsidePerimeter).toBe(3);
    expect(issues(out)).toEqual(['WARNING NOTHING_IN_PERIMETER -!-']);
    expect(out.issues[0].message).toMatch(/^0 ligne dans le périmètre du contrat, 3 hors périmètre/);
  });
});

describe('documentation sheets', () => {
  it.each([
    ['METADONNEES', 'documentation'],
    ['Métadonnées', 'documentation'],
    ['Lisez-moi', 'documentation'],
    ['LISEZ MOI ', 'documentation'],
    ['Notice', 'documentation'],
    ["Mode d'emploi", 'documentation'],
    ['Mode d’emploi', 'documentation'],
    ['Listes déroulantes', 'documentation'],
    ['Listes', 'documentation'],
    ['Paramètres', 'documentation'],
    ['PARAMETRAGE', 'documentation'],
    ['Exemple', 'example'],
    ['Exemple rempli', 'example'],
    ['Ex. 2024', null],
    ['Aides 2023', null],
    ['Liste des projets', null],
    ['Annexe 3', null],
    ['2024', null],
  ])('« %s » → %s', (name, kind) => {
    expect(documentationNameOf(name)).toBe(kind);
  });

  /** The State's DGCL list of 2018: a METADONNEES sheet describing each column, then the list. */
  const METADONNEES = grid('METADONNEES', [
    ['Liste des subventions DETR et DSIL attribuées en 2018'],
    ['Producteur', 'DGCL'],
    [],
    ['Nom de la colonne', 'Description'],
    ['ANNEE', 'Année de la subvention'],
    ['DOT', 'Dotation (DETR ou DSIL)'],
    ['INSEECOM', 'Code INSEE de la commune du bénéficiaire'],
    ['SUBVENTION', 'Montant de la subvention'],
    ['COUT', 'Coût HT du projet'],
  ]);
  const LIST = grid('DETR-DSIL 2018', [
    ['ANNEE', 'DOT', 'INSEECOM', 'BENEFICIAIRE', 'OBJET', 'COUT', 'SUBVENTION'],
    [2018, 'DETR', '59178', 'DOUAI', 'Toiture', 100000, 25000],
    [2018, 'DSIL', '75056', 'PARIS', 'Autre', 10, 5],
  ]);
  const perimeter = { inseeCodes: new Set(['59178']), sirens: new Set<string>() };

  it('reads the DGCL 2018 list with its METADONNEES sheet: a NOTE, no error', () => {
    // Today's header search finds « SUBVENTION | Montant de la subvention » a header row in METADONNEES.
    expect(detectTable(METADONNEES, 'grants')).not.toBeNull();
    const out = parseGrants(book(METADONNEES, LIST), { perimeter });
    expect(lines(out)).toEqual(['DETR-DSIL 2018!G2 2018 25000.00']);
    expect(issues(out)).toEqual(['NOTE SHEET_DOCUMENTATION METADONNEES!-']);
    expect(out.issues[0].message).toBe("La feuille « METADONNEES » est de la documentation (son nom le dit) : elle n'est pas lue.");
  });

  it('recognises documentation by its content when its name says nothing: prose, lists of choices', () => {
    const prose = grid('Feuil3', [
      ['Comment remplir ce tableau'],
      ['Indiquez une ligne par action du contrat, avec son numéro tel qu’il figure dans la maquette signée.'],
      ['Les montants sont en euros hors taxes ; laissez vide une année sans financement prévu.'],
    ]);
    const lists = grid('Feuil4', [['Statut', 'Nature', 'Année'], ['Idée', 'Subvention', 2021], ['En cours', 'Prêt', 2022], ['Terminé', 'Ingénierie', 2023]]);
    expect(documentationContent(prose)).toBe('prose');
    expect(documentationContent(lists)).toBe('lists');
    const out = parseAnnex3(book(prose, grid('2024', [BY_FUNDER, ['DA-01', 'Gare', 7]]), lists));
    expect(lines(out)).toEqual(['2024!C2 2024 7.00']);
    expect(issues(out)).toEqual(['NOTE SHEET_DOCUMENTATION Feuil3!-', 'NOTE YEAR_FROM_SHEET_NAME 2024!-', 'NOTE SHEET_DOCUMENTATION Feuil4!-']);
  });

  it('reads a sheet named « Notice » that holds a real table', () => {
    const out = parseAnnex3(book(grid('Notice', [BY_FUNDER, ['DA-01', 'Gare', 1500, 250]])), { year: 2023 });
    expect(lines(out)).toEqual(['Notice!C2 2023 1500.00', 'Notice!D2 2023 250.00']);
    expect(out.issues).toEqual([]);
  });

  it('never hides figures: a « Lisez-moi » sheet with a column of amounts and no header it knows is a warning', () => {
    const out = parseAnnex3(book(grid('2024', [BY_FUNDER, ['DA-01', 'Gare', 7]]), grid('Lisez-moi', [['Poste', 'Somme'], ['Études', 15000], ['Travaux', 250000]])));
    expect(issues(out)).toContain('WARNING SHEET_WITHOUT_TABLE Lisez-moi!-');
  });

  it('says why a « Paramètres » sheet holding amounts in a table it cannot lay out is not read: a warning, not a refusal', () => {
    const out = parseAnnex3(book(grid('Paramètres', [['N° action', 'Intitulé', 'Statut'], ['DA-01', 'Gare', 'En cours', 15000], ['DA-02', 'Parc', 'Idée', 20000]]), grid('2024', [BY_FUNDER, ['DA-01', 'Gare', 7]])));
    expect(issues(out)).toEqual(['WARNING SHEET_WITHOUT_TABLE Paramètres!A1', 'NOTE YEAR_FROM_SHEET_NAME 2024!-']);
    expect(out.issues[0].message).toMatch(/^La feuille « Paramètres » porte un nom de documentation et contient des montants, mais pas de tableau lisible : elle n'est pas lue\. Si elle doit l'être : disposition du tableau non reconnue/);
  });

  it('a METADONNEES sheet with example values (amounts) does not refuse the list either', () => {
    const withExamples = grid('METADONNEES', [
      ['Nom de la colonne', 'Description', 'Exemple'],
      ['DOT', 'Dotation', 'DETR'],
      ['INSEECOM', 'Code INSEE', '59178'],
      ['COUT', 'Coût HT du projet', 100000],
      ['SUBVENTION', 'Montant de la subvention', 25000],
    ]);
    const out = parseGrants(book(withExamples, LIST), { perimeter });
    expect(lines(out)).toEqual(['DETR-DSIL 2018!G2 2018 25000.00']);
    expect(out.issues.filter((i) => i.severity === 'ERROR')).toEqual([]);
    expect(issues(out)).toEqual(['WARNING SHEET_WITHOUT_TABLE METADONNEES!A2']);
  });

  it('does not read an « Exemple » sheet holding a filled table: a WARNING, and its figures nowhere', () => {
    const out = parseAnnex3(book(grid('Exemple', [BY_FUNDER, ['EX-01', 'Médiathèque', 300000, 100000]]), grid('2024', [BY_FUNDER, ['DA-01', 'Gare', 7]])));
    expect(lines(out)).toEqual(['2024!C2 2024 7.00']);
    expect(issues(out)).toEqual(['WARNING SHEET_EXAMPLE_SKIPPED Exemple!-', 'NOTE YEAR_FROM_SHEET_NAME 2024!-']);
  });

  it('a neutral sheet with a column of amounts and no known header is still SHEET_WITHOUT_TABLE', () => {
    const out = parseAnnex3(book(grid('2024', [BY_FUNDER, ['DA-01', 'Gare', 7]]), grid('Calculs', [['Poste', 'Somme'], ['Études', 15000], ['Travaux', 250000]])));
    expect(issues(out)).toContain('WARNING SHEET_WITHOUT_TABLE Calculs!-');
  });
});

describe('answers that help', () => {
  it('an empty template says it holds no data (not a silent preview of 0 lines)', () => {
    const out = parseAnnex3(
      book(
        grid("Mode d'emploi", [['Remplissez une ligne par action. Les montants sont en euros, une colonne par année.'], ['Ne modifiez pas les en-têtes du tableau, ils sont lus tels quels.']]),
        grid('Annexe 3', [['N° action', 'Intitulé', 2023, 2024], ['Exemple : DA-00', 'Exemple de projet', 1000, null], [], [null, null, null]]),
      ),
    );
    expect(out.lines).toEqual([]);
    expect(issues(out)).toEqual(["NOTE SHEET_DOCUMENTATION Mode d'emploi!-", 'ERROR NO_DATA Annexe 3!A1']);
    expect(out.issues[1].message).toBe(
      "Le fichier ne contient aucune donnée : le tableau de la feuille « Annexe 3 » (en-têtes ligne 1) est reconnu, mais aucune ligne n'est remplie en dessous (la ligne d'exemple ou de consigne n'est pas lue). C'est sans doute le modèle vide : remplissez-le, puis déposez-le à nouveau.",
    );
  });

  it('LAYOUT_UNKNOWN names the closest layout and what is missing, briefly', () => {
    const out = parseAnnex3(book(grid('S', [['N° action', 'Intitulé', 'DSIL', 'Année'], ['DA-01', 'Gare', 100, 2022]])));
    expect(issues(out)).toEqual(['ERROR LAYOUT_UNKNOWN S!A1']);
    const message = out.issues[0].message;
    expect(message).toBe(
      "Disposition du tableau non reconnue (en-têtes ligne 1 : « N° action », « Intitulé », « DSIL », « Année »). La disposition la plus proche : une ligne par action, une colonne par financeur ou dispositif (DETR, DSIL, Région, Autres…). Il y manque au moins deux colonnes de financeurs (DETR, DSIL, Région…) (une seule est reconnue : « DSIL »).",
    );
    expect(message.length).toBeLessThan(400);
  });

  it('LAYOUT_UNKNOWN points at a header that was nearly recognised', () => {
    const out = parseAnnex3(book(grid('S', [['N° action', 'Intitulé', 'Finnanceur 1', 'Montant 1'], ['DA-01', 'Gare', 'Région', 100]])));
    expect(issues(out)).toEqual(['WARNING COLUMN_UNKNOWN S!C1', 'ERROR LAYOUT_UNKNOWN S!A1']);
    expect(out.issues[1].message).toContain("La colonne « Finnanceur 1 » (C1) n'a pas été reconnue : écrivez-la « Financeur 1 ».");
  });

  it('COLUMN_MISSING of a pair points at the header that nearly spells it', () => {
    const out = parseAnnex3(book(grid('S', [['N° action', 'Intitulé', 'Financeur 1', 'Montant 1', 'Financeur 2', 'Montnat 2', 'Année'], ['DA-01', 'Gare', 'Région', 100, 'Département', 50, 2024]])));
    const missing = out.issues.filter((i) => i.code === 'COLUMN_MISSING');
    expect(missing.map((i) => `${i.cell} ${i.message}`)).toEqual([
      "F1 Colonne manquante : « Montant 2 » (en-têtes ligne 1) : chaque financeur va avec son montant. La colonne « Montnat 2 » (F1) n'a pas été reconnue : écrivez-la « Montant 2 ».",
    ]);
  });

  it('LAYOUT_UNKNOWN says what is missing when actions have no amount column', () => {
    const out = parseAnnex3(book(grid('S', [['N° action', 'Intitulé', 'Statut'], ['DA-01', 'Gare', 'En cours']])));
    expect(out.issues[0].message).toMatch(/La disposition la plus proche : .*\. Il y manque /);
    expect(out.issues[0].message.length).toBeLessThan(400);
  });
});
