import { formatCents } from '../../../src/kernel/money';
import { FundingInstrument } from '../../../src/kernel/funding.enum';
import type { SheetGrid, WorkbookGrid } from '../../../import/common/model';
import { measureAmounts, parseAnnex2, splitVolet, yearStatedIn } from '../../../import/parse/annex2.parser';
import type { ParsedMeasure, ParseOutput } from '../../../import/parse/parsed.types';
import { fixture, grid, gridsFromXlsx } from '../detect/grid-from-xlsx';

const workbook = (...sheets: SheetGrid[]): WorkbookGrid => ({ format: 'xlsx', sheets, skippedSheets: [] });
const euros = (cents: bigint) => formatCents(cents);
const sum = (amounts: Array<{ cents: bigint }>) => amounts.reduce((total, amount) => total + amount.cents, 0n);
const issueList = (out: ParseOutput) => out.issues.map((issue) => `${issue.severity} ${issue.code} ${issue.cell}`);

describe('parseAnnex2 on the Douaisis annex 2', () => {
  const out = parseAnnex2(workbook(...gridsFromXlsx(fixture('annexe2-bilan-plan-de-relance-douaisis.xlsx'))));
  const measures = out.measures!;
  const named = (start: string): ParsedMeasure => {
    const found = measures.filter((measure) => measure.name.startsWith(start));
    expect(found).toHaveLength(1);
    return found[0];
  };
  const amountsOf = (measure: ParsedMeasure) => measure.amounts.map((a) => [a.kind, a.instrument, euros(a.cents), a.year, a.approximate, a.source.cell]);

  it('reads measures only: no lines, no actions, layout annex2', () => {
    expect(out.layout).toBe('annex2');
    expect(out.lines).toEqual([]);
    expect(out.actions).toEqual([]);
  });

  it('reads the seven volets from the heading rows', () => {
    const volets = [...new Map(measures.map((m) => [m.voletNumber, m.voletTitle])).entries()];
    expect(volets).toEqual([
      ['I', 'Volet Compétitivité'],
      ['II', "Volet soutien à l'activité des entreprises"],
      ['III', 'Volet transition écologique'],
      ['IV', 'Volet Cohésion Sociale'],
      ['V', 'Volet Culture'],
      ['VI', 'Soutien aux collectivités locales'],
      ['VII', 'Rénovation des bâtiments publics'],
    ]);
  });

  it('finds 44 measures, each with its Mesure cell; the TOTAL row is not one', () => {
    expect(measures).toHaveLength(44);
    expect(measures.map((m) => m.voletNumber).join(',')).toBe(
      [...Array(9).fill('I'), 'II', 'II', ...Array(13).fill('III'), ...Array(13).fill('IV'), 'V', 'V', 'VI', 'VI', 'VI', 'VI', 'VII'].join(','),
    );
    expect(measures.every((m) => m.source.sheet === 'Annexe 2' && /^A\d+$/.test(m.source.cell))).toBe(true);
    expect(named('AAP Automobile').source).toEqual({ sheet: 'Annexe 2', cell: 'A5', raw: 'AAP Automobile' });
    expect(named('Plan 1 jeune 1 solution')).toMatchObject({ source: { cell: 'A33' }, amounts: [], beneficiaries: null });
    expect(measures.some((m) => /total/i.test(m.name))).toBe(false);
  });

  it('joins a name broken over two rows', () => {
    const vente = named('AAP Soutien à la vente');
    expect(vente.name).toBe('AAP Soutien à la vente de matières premières');
    expect(vente.source.cell).toBe('A25');
    expect(vente.rawTexts.Mesure).toBe('AAP Soutien à la vente de\nmatières premières');
    expect(amountsOf(vente)).toEqual([['AID', 'SUBSIDY', '309169.00', null, false, 'C25']]);
    expect(named('Aides au spectacle vivant').name).toBe('Aides au spectacle vivant (fonds de transition écologique)');
    expect(measures.some((m) => m.name.startsWith('matières') || m.name.startsWith('de transition'))).toBe(false);
  });

  it('gives DSIL Classique its 2020 and 2021 lines, the year read from the Projet cell', () => {
    const dsil = named('DSIL Classique');
    expect(amountsOf(dsil)).toEqual([
      ['AID', 'SUBSIDY', '1758307.00', 2020, false, 'C51'],
      ['AID', 'SUBSIDY', '1710946.00', 2021, false, 'C52'],
    ]);
    expect(dsil.beneficiaries).toBe('Dossiers 2020\nDossiers 2021');
    expect(dsil.rawTexts).toEqual({ Mesure: 'DSIL Classique', Projet: 'Dossiers 2020\nDossiers 2021', Aide: '1758307\n1710946' });
    expect(named('DETR').amounts.map((a) => [euros(a.cents), a.year])).toEqual([
      ['1204968.78', 2020],
      ['1168815.65', 2021],
    ]);
  });

  it('sums Volet VI to 11 058 241,43 €, and states the TOTAL row as a total over exactly those amounts', () => {
    const volet6 = measures.filter((m) => m.voletNumber === 'VI').flatMap((m) => m.amounts);
    expect(volet6).toHaveLength(8);
    expect(euros(sum(volet6))).toBe('11058241.43');
    expect(volet6.map((a) => a.year)).toEqual([2020, 2021, 2020, 2021, 2020, 2021, 2020, 2021]);
    expect(out.totals).toHaveLength(1);
    const [total] = out.totals;
    expect(total).toMatchObject({ kind: 'total', label: 'TOTAL', source: { sheet: 'Annexe 2', cell: 'C59', raw: '11058241.43' } });
    expect(euros(total.cents)).toBe('11058241.43');
    const all = measureAmounts(out);
    expect(total.lineIndexes.map((i) => all[i])).toEqual(volet6);
    expect(sum(total.lineIndexes.map((i) => all[i]))).toBe(total.cents);
  });

  it('gives IMT Douai its eight amounts: Volet VII sums to 10 272 067 €', () => {
    const imt = named('IMT DOUAI');
    expect(imt.voletNumber).toBe('VII');
    expect(imt.amounts.map((a) => a.source.cell)).toEqual(['C61', 'C62', 'C63', 'C64', 'C65', 'C66', 'C67', 'C68']);
    expect(imt.amounts.every((a) => a.kind === 'AID' && a.instrument === FundingInstrument.SUBSIDY && a.year === null)).toBe(true);
    const volet7 = measures.filter((m) => m.voletNumber === 'VII').flatMap((m) => m.amounts);
    expect(volet7).toHaveLength(8);
    expect(euros(sum(volet7))).toBe('10272067.00');
  });

  it('tells the loan from the subsidy in Capacity Santé', () => {
    expect(amountsOf(named('Capacity Santé'))).toEqual([
      ['AID', 'LOAN', '20000000.00', null, false, 'C9'],
      ['AID', 'SUBSIDY', '5000000.00', null, false, 'C9'],
      ['INVESTMENT', 'OTHER', '34629253.00', null, false, 'D9'],
    ]);
    expect(named('Capacity Santé').amounts[0].source.raw).toBe('20 M€ en prêt et 5 M€ en subv.');
  });

  it('keeps the two amounts of each « résilience » cell as two lines, with a warning per cell', () => {
    const resilience = named('AAP « résilience »');
    expect(amountsOf(resilience)).toEqual([
      ['AID', 'SUBSIDY', '1168000.00', null, false, 'C7'],
      ['AID', 'SUBSIDY', '5090168.00', null, false, 'C7'],
      ['INVESTMENT', 'OTHER', '3070000.00', null, false, 'D7'],
      ['INVESTMENT', 'OTHER', '9816097.00', null, false, 'D7'],
    ]);
    expect(resilience.amounts.map((a) => a.source.raw)).toEqual(['1 168 000 € 5 090 168 €', '1 168 000 € 5 090 168 €', '3 070 000 € 9 816 097 €', '3 070 000 € 9 816 097 €']);
    expect(resilience.rawTexts).toMatchObject({ Aide: '1 168 000 € 5 090 168 €', Investissement: '3 070 000 € 9 816 097 €' });
    expect(issueList(out)).toEqual(expect.arrayContaining(['WARNING AMOUNT_MULTIPLE C7', 'WARNING AMOUNT_MULTIPLE D7']));
  });

  it('never guesses « 1,050 000 € » (abattoirs): an error at C10, the cell kept as text', () => {
    const abattoirs = named('AAP modernisation des abattoirs');
    expect(amountsOf(abattoirs)).toEqual([['INVESTMENT', 'OTHER', '6353000.00', null, false, 'D10']]);
    expect(abattoirs.rawTexts.Aide).toBe('1,050 000 €');
    const issue = out.issues.find((i) => i.cell === 'C10')!;
    expect(issue).toMatchObject({ severity: 'ERROR', code: 'AMOUNT_AMBIGUOUS', sheet: 'Annexe 2', value: '1,050 000 €' });
    expect(issue.message).toContain('1 050 000 €');
  });

  it('reads « Environ 100 000 € » as 100 000 €, approximate, with a warning', () => {
    expect(amountsOf(named('Bornes de recharge'))).toEqual([['INVESTMENT', 'OTHER', '100000.00', null, true, 'D30']]);
    expect(out.issues.find((i) => i.cell === 'D30')).toMatchObject({ severity: 'WARNING', code: 'AMOUNT_APPROXIMATE', value: 'Environ 100 000 €' });
  });

  it('keeps prose as text and makes no money of it', () => {
    const embauche = named("Aide à l'embauche des jeunes");
    expect(embauche.amounts).toEqual([]);
    expect(embauche.rawTexts.Projet).toMatch(/^Données disponibles uniquement au niveau département/);
    expect(embauche.beneficiaries).toBe(embauche.rawTexts.Projet);
    const iae = named("Insertion par l'activité Economique");
    expect(iae.rawTexts.Aide).toBe("conventionnement Etat pour l'année 2021");
    expect(amountsOf(iae)).toEqual([['INVESTMENT', 'OTHER', '5247534.67', 2021, false, 'D40']]);
    expect(named('Véhicules propres').amounts).toEqual([]);
    expect(named('Recyclages des friches').rawTexts.Investissement).toBe('€');
    expect(amountsOf(named('Recyclages des friches'))).toEqual([['AID', 'SUBSIDY', '703450.00', null, false, 'C24']]);
    // "1 dossier pour 100 000 €" in the Projet column: kept, not counted, and said so.
    const pauvrete = named('Soutien exceptionnel aux associations');
    expect(pauvrete.amounts).toEqual([]);
    expect(out.issues.find((i) => i.cell === 'B43')).toMatchObject({ severity: 'WARNING', code: 'AMOUNT_NOT_MONEY' });
    // Counts are not money: "26 340 040 € pour 3 016 063 heures".
    expect(amountsOf(named('Activité partielle'))).toEqual([['AID', 'SUBSIDY', '26340040.00', null, false, 'C15']]);
    expect(amountsOf(named('Dispositif « MaPrimeRénov »'))).toEqual([['AID', 'SUBSIDY', '11993378.00', null, false, 'C28']]);
  });

  it('reports the unreadable tax cells as errors at their cells, and keeps their text', () => {
    const impots = named('Baisse des impôts de production');
    expect(impots.amounts).toEqual([]);
    expect(impots.rawTexts.Aide).toBe('Pour 2021 100 entreprises 6 472 145 € 3124 entp 2 5275 002 € (encaissée en 2020) 15 765 160 €');
    expect(impots.rawTexts.Investissement).toMatch(/^21 835 845 M€ \(impact en base\)/);
    expect(out.issues.find((i) => i.cell === 'C16')).toMatchObject({ severity: 'ERROR', code: 'AMOUNT_INVALID' });
    expect(out.issues.find((i) => i.cell === 'D16')).toMatchObject({ severity: 'ERROR', code: 'AMOUNT_ABSURD' });
  });

  it('reports exactly these issues, each at its cell', () => {
    expect(issueList(out)).toEqual([
      'WARNING AMOUNT_MULTIPLE C7',
      'WARNING AMOUNT_MULTIPLE D7',
      'ERROR AMOUNT_AMBIGUOUS C10',
      'WARNING AMOUNT_NOT_MONEY C15',
      'ERROR AMOUNT_INVALID C16',
      'ERROR AMOUNT_ABSURD D16',
      'WARNING AMOUNT_NOT_MONEY C28',
      'WARNING AMOUNT_APPROXIMATE D30',
      'WARNING AMOUNT_NOT_MONEY C40',
      'WARNING AMOUNT_NOT_MONEY B43',
    ]);
    expect(out.issues.every((i) => i.sheet === 'Annexe 2')).toBe(true);
  });

  it('keeps the raw text of every amount cell verbatim, per column', () => {
    for (const measure of measures) {
      for (const amount of measure.amounts) {
        const column = amount.kind === 'AID' ? 'Aide' : 'Investissement';
        expect(measure.rawTexts[column].split('\n')).toContain(amount.source.raw);
      }
    }
    const amounts = measureAmounts(out);
    // Aid: 10 in volet I, 1 in II, 11 in III, 2 in V, 8 in VI, 8 in VII; investment: 6 in I, 8 in III, 3 in IV.
    expect(amounts.filter((a) => a.kind === 'AID')).toHaveLength(40);
    expect(amounts.filter((a) => a.kind === 'INVESTMENT')).toHaveLength(17);
  });
});

describe('parseAnnex2 on small files', () => {
  const header = ['Mesure', 'Projet', 'Aide', 'Investissement'];

  it('reports a row with an amount and no measure above it', () => {
    const out = parseAnnex2(workbook(grid('Feuil1', [header, ['I. Volet Compétitivité'], [null, 'Dossiers 2021', 1000], ['AAP X', '1 entreprise', 500]], ['A2:D2'])));
    expect(issueList(out)).toEqual(['ERROR VALUE_INVALID A3']);
    expect(out.measures!.map((m) => [m.voletNumber, m.name, m.amounts.length])).toEqual([['I', 'AAP X', 1]]);
  });

  it('does not carry a measure over a volet heading', () => {
    const out = parseAnnex2(
      workbook(grid('Feuil1', [header, ['I. Volet A'], ['AAP X', null, 100], ['II. Volet B'], [null, null, 200], ['lower case measure', null, 300]], ['A2:D2', 'A4:D4'])),
    );
    expect(issueList(out)).toEqual(['ERROR VALUE_INVALID A5']);
    expect(out.measures!.map((m) => [m.voletNumber, m.name, m.amounts.map((a) => euros(a.cents))])).toEqual([
      ['I', 'AAP X', ['100.00']],
      ['II', 'lower case measure', ['300.00']],
    ]);
  });

  it('a lower-case row with figures is a measure of its own', () => {
    const out = parseAnnex2(workbook(grid('Feuil1', [header, ['AAP X', null, 100], ['aap y', '2 dossiers', 200]])));
    expect(out.measures!.map((m) => [m.voletNumber, m.voletTitle, m.name])).toEqual([
      ['', '', 'AAP X'],
      ['', '', 'aap y'],
    ]);
  });

  it('applies the header unit (k€) and checks subtotals per volet and a grand total', () => {
    const out = parseAnnex2(
      workbook(
        grid(
          'Bilan',
          [
            ['Mesure', 'Projets', 'Aide (k€)', 'Investissement (k€)'],
            ['I. Volet A'],
            ['AAP X', null, 100, 400],
            ['AAP Y', null, '2,5 M€', null],
            ['Sous-total volet I', null, 2600, 400],
            ['II. Volet B'],
            ['AAP Z', null, 50],
            ['TOTAL', null, 50],
            ['TOTAL GÉNÉRAL', null, 2650, 400],
          ],
          ['A2:D2', 'A6:D6'],
        ),
      ),
    );
    expect(issueList(out)).toEqual([]);
    const all = measureAmounts(out);
    expect(all.map((a) => euros(a.cents))).toEqual(['100000.00', '400000.00', '2500000.00', '50000.00']);
    expect(out.totals.map((t) => [t.kind, t.source.cell, euros(t.cents), t.lineIndexes])).toEqual([
      ['subtotal', 'C5', '2600000.00', [0, 2]],
      ['subtotal', 'D5', '400000.00', [1]],
      ['total', 'C8', '50000.00', [3]],
      ['total', 'C9', '2650000.00', [0, 2, 3]],
      ['total', 'D9', '400000.00', [1]],
    ]);
    for (const total of out.totals) expect(sum(total.lineIndexes.map((i) => all[i]))).toBe(total.cents);
  });

  it('reads several sheets, warns about a sheet of data without a table, and says when nothing is found', () => {
    // Figures under headers nobody knows: data, not read — said (a list of short words is documentation: a note).
    const figures = grid('Calculs', [['Poste', 'Somme'], ['Études', 15000], ['Travaux', 250000], ['Divers', 1200], ['Reste', 300]]);
    const notes = grid('Notes', [['a'], ['b'], ['c'], ['d'], ['e']]);
    const out = parseAnnex2(workbook(grid('S1', [header, ['AAP X', null, 1]]), figures, notes, grid('S2', [header, [null, null, 2], ['AAP Y', null, 3]])));
    expect(out.measures!.map((m) => [m.source.sheet, m.name])).toEqual([
      ['S1', 'AAP X'],
      ['S2', 'AAP Y'],
    ]);
    expect(issueList(out)).toEqual(['WARNING SHEET_WITHOUT_TABLE null', 'NOTE SHEET_DOCUMENTATION null', 'ERROR VALUE_INVALID A2']);
    const none = parseAnnex2(workbook(figures));
    expect(issueList(none)).toEqual(['WARNING SHEET_WITHOUT_TABLE null', 'ERROR NO_TABLE_FOUND null']);
    expect(none.layout).toBe('');
  });
});

describe('annex 2 helpers', () => {
  it.each([
    ['Dossiers 2020', 2020],
    ['Dossiers 2021', 2021],
    ['En 2021 situation à la semaine 52 : 12021 PACEA', 2021],
    ['cumul depuis le 01/07/2020 à la semaine 33 de 2021', 2021],
    ['Dossiers 2020 et 2021', null],
    ['1472 entreprises indemnisées pour 25 873 salariés', null],
    ['16245 contrats', null],
    ['2 021 000 €', null],
    ['3 entreprises', null],
    ['', null],
  ])('yearStatedIn(%j) → %j', (text, year) => {
    expect(yearStatedIn(text)).toBe(year);
  });

  it.each([
    ['I. Volet Compétitivité', 'I', 'Volet Compétitivité'],
    ['VII. Rénovation des bâtiments publics', 'VII', 'Rénovation des bâtiments publics'],
    ['IV - Volet  Cohésion Sociale', 'IV', 'Volet Cohésion Sociale'],
    ['Volet 3 : Transition écologique', '3', 'Volet 3 : Transition écologique'],
    ['Mesures diverses', '', 'Mesures diverses'],
  ])('splitVolet(%j)', (label, voletNumber, voletTitle) => {
    expect(splitVolet(label)).toEqual({ voletNumber, voletTitle });
  });
});
