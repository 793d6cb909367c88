import * as XLSX from 'xlsx';
import { ActionStatus } from '../../../src/kernel/action-status.enum';
import { Annex3Data, ANNEX3_SHEET, buildAnnex3Workbook, EURO_FORMAT, LINES_SHEET, writeAnnex3 } from '../../../src/export/annex3-export';
import { FundingInstrument, FundingStage } from '../../../src/kernel/funding.enum';
import { OrganisationKind } from '../../../src/kernel/organisation-kind.enum';

const cents = (euros: string) => BigInt(euros.replace('.', ''));

function sample(overrides: Partial<Annex3Data> = {}): Annex3Data {
  return {
    contract: { code: 'CRTE-TEST', name: 'CRTE de test', startYear: 2021, endYear: 2023, signedOn: '2022-02-01' },
    stage: FundingStage.PLANNED,
    generatedAt: new Date('2026-03-02T09:30:00Z'),
    axes: [
      { id: 2, number: 2, title: 'Axe deux' },
      { id: 1, number: 1, title: 'Axe un' },
    ],
    orientations: [
      { id: 12, axisId: 1, code: '1.10', title: 'Orientation dix' },
      { id: 11, axisId: 1, code: '1.2', title: 'Orientation deux' },
      { id: 21, axisId: 2, code: '2.1', title: 'Orientation vide' },
    ],
    actions: [
      { id: 101, orientationId: 11, code: 'A-10', title: 'Piscine', lead: 'Ville de Douai', status: ActionStatus.UNDERWAY, totalCost: '1000000.00', costBase: 'HT' },
      { id: 102, orientationId: 11, code: 'A-2', title: 'Médiathèque', lead: 'Douaisis Agglo', status: ActionStatus.PLANNED, totalCost: null, costBase: null },
      { id: 103, orientationId: 12, code: 'B-1', title: 'Sans financement', lead: null, status: ActionStatus.IDEA, totalCost: null, costBase: 'HT' },
      { id: 104, orientationId: null, code: 'Z-1', title: 'À classer', lead: null, status: ActionStatus.DONE, totalCost: null, costBase: null },
      { id: 105, orientationId: null, code: 'Z-2', title: 'À classer sans ligne', lead: null, status: ActionStatus.DONE, totalCost: null, costBase: null },
    ],
    funders: [
      { id: 7, name: 'Région Hauts-de-France', kind: OrganisationKind.REGION },
      { id: 3, name: 'Banque des Territoires', kind: OrganisationKind.STATE_OPERATOR },
      { id: 1, name: 'État', kind: OrganisationKind.STATE },
      { id: 9, name: 'Commune de Douai', kind: OrganisationKind.COMMUNE },
    ],
    amounts: [
      { actionId: 101, funderId: 7, year: 2022, cents: cents('100000.10'), lines: 1 },
      { actionId: 101, funderId: 3, year: 2023, cents: cents('200000.20'), lines: 2 },
      { actionId: 102, funderId: 7, year: 2021, cents: cents('0.01'), lines: 1 },
      // A year outside the contract's period gets its own column.
      { actionId: 102, funderId: 3, year: 2027, cents: cents('5.00'), lines: 1 },
      { actionId: 104, funderId: 1, year: 2022, cents: cents('300.00'), lines: 1 },
      { actionId: null, funderId: 1, year: 2021, cents: cents('1000.00'), lines: 1, programme: 'DETR', beneficiary: 'Douaisis Agglo' },
      { actionId: null, funderId: 1, year: 2022, cents: cents('500.00'), lines: 1, programme: 'DETR', beneficiary: 'Douaisis Agglo' },
    ],
    ...overrides,
  };
}

function cell(sheet: XLSX.WorkSheet, r: number, c: number): XLSX.CellObject | undefined {
  return sheet[XLSX.utils.encode_cell({ r, c })];
}

describe('annex 3 workbook builder', () => {
  it('orders funder columns by kind then name, then the years of the period and any year outside it, then Total', () => {
    const { workbook, layout } = buildAnnex3Workbook(sample());
    // The Commune de Douai has no amount: no column.
    expect(layout.funderColumns.map((c) => c.name)).toEqual(['État', 'Banque des Territoires', 'Région Hauts-de-France']);
    expect(layout.yearColumns.map((c) => c.year)).toEqual([2021, 2022, 2023, 2027]);
    expect(layout.totalColumn).toBe(6 + 3 + 4);
    const sheet = workbook.Sheets[ANNEX3_SHEET];
    const header = Array.from({ length: layout.totalColumn + 1 }, (_, c) => cell(sheet, layout.headerRow, c)?.v);
    expect(header).toEqual([
      'Code',
      'Intitulé',
      'Maître d’ouvrage',
      'Statut',
      'Coût total (€)',
      'HT / TTC',
      'État',
      'Banque des Territoires',
      'Région Hauts-de-France',
      '2021',
      '2022',
      '2023',
      '2027 (hors période)',
      'Total',
    ]);
  });

  it('groups actions by axis and orientation (codes in natural order), keeps empty orientations, and adds them up', () => {
    const { workbook, layout } = buildAnnex3Workbook(sample());
    expect(layout.rows.map((r) => `${r.kind} ${r.key}`.trim())).toEqual([
      'axis 1',
      'orientation 1.2',
      'action A-2',
      'action A-10',
      'orientationSubtotal 1.2',
      'orientation 1.10',
      'action B-1',
      'orientationSubtotal 1.10',
      'axisSubtotal 1',
      'axis 2',
      'orientation 2.1',
      'orientationSubtotal 2.1',
      'axisSubtotal 2',
      'unclassified',
      'action Z-1',
      'unclassifiedSubtotal',
      'actionsTotal',
      'envelopes',
      'envelope DETR|Douaisis Agglo|État',
      'envelopesSubtotal',
      'grandTotal',
    ]);
    const sheet = workbook.Sheets[ANNEX3_SHEET];
    const rowOf = (kind: string, key = '') => layout.rows.find((r) => r.kind === kind && r.key === key)!.row;
    const total = (row: number) => cell(sheet, row, layout.totalColumn)!;

    const a10 = rowOf('action', 'A-10');
    expect(cell(sheet, a10, 1)!.v).toBe('Piscine');
    expect(cell(sheet, a10, 2)!.v).toBe('Ville de Douai');
    expect(cell(sheet, a10, 3)!.v).toBe('En cours');
    expect(cell(sheet, a10, 4)).toMatchObject({ t: 'n', v: 1000000, z: EURO_FORMAT });
    expect(cell(sheet, a10, 5)!.v).toBe('HT');
    expect(total(a10).v).toBe(300000.3);
    // A funder with nothing for an action leaves its cell empty.
    expect(cell(sheet, a10, 6)).toBeUndefined();

    expect(total(rowOf('orientationSubtotal', '1.2')).v).toBe(300005.31);
    expect(total(rowOf('orientationSubtotal', '1.2')).f).toBe(`SUM(${XLSX.utils.encode_cell({ r: rowOf('action', 'A-2'), c: layout.totalColumn })}:${XLSX.utils.encode_cell({ r: a10, c: layout.totalColumn })})`);
    // No cost, no base: « HT » alone would say nothing.
    expect(cell(sheet, rowOf('action', 'B-1'), 5)).toBeUndefined();
    expect(total(rowOf('action', 'B-1')).v).toBe(0);
    expect(total(rowOf('orientationSubtotal', '1.10')).v).toBe(0);
    expect(total(rowOf('axisSubtotal', '1')).v).toBe(300005.31);
    // The empty orientation has a zero subtotal and no formula over an empty range.
    const empty = cell(sheet, rowOf('orientationSubtotal', '2.1'), layout.totalColumn)!;
    expect(empty).toMatchObject({ t: 'n', v: 0 });
    expect(empty.f).toBeUndefined();
    expect(total(rowOf('axisSubtotal', '2')).v).toBe(0);
    expect(total(rowOf('unclassifiedSubtotal')).v).toBe(300);
    expect(total(rowOf('actionsTotal')).v).toBe(300305.31);
    expect(total(rowOf('envelopesSubtotal')).v).toBe(1500);
    expect(total(rowOf('grandTotal')).v).toBe(301805.31);
    expect(layout.grandTotalCents).toBe(cents('301805.31'));
    expect(layout.countedLines).toBe(8);

    // Each funder and each year column of the grand total row.
    const grand = rowOf('grandTotal');
    const byColumn = (c: number) => cell(sheet, grand, c)!.v;
    expect(layout.funderColumns.map((c) => byColumn(c.column))).toEqual([1800, 200005.2, 100000.11]);
    expect(layout.yearColumns.map((c) => byColumn(c.column))).toEqual([1000.01, 100800.1, 200000.2, 5]);
  });

  it('writes the title block and the envelope rows in French', () => {
    const { workbook, layout } = buildAnnex3Workbook(sample());
    const sheet = workbook.Sheets[ANNEX3_SHEET];
    const titles = Array.from({ length: 8 }, (_, r) => String(cell(sheet, r, 0)?.v));
    expect(titles[0]).toBe('Annexe 3 – Tableau récapitulatif des investissements des partenaires sur la période 2021-2023');
    expect(titles[1]).toBe('CRTE de test (CRTE-TEST), signé le 01/02/2022 – période 2021-2023');
    expect(titles[2]).toContain('montants prévus');
    expect(titles[2]).not.toContain('PLANNED');
    expect(titles[3]).toBe('Document généré le 02/03/2026 10:30');
    // No « Lignes » sheet was asked for: the source line does not point at one.
    expect(titles[4]).toBe('Source : base de suivi du CRTE, tableaux déposés par les partenaires – 8 lignes de financement comptées.');
    expect(titles[6]).toMatch(/^Montants en euros/);
    expect(titles[7]).toBe('Total général : 301\u202f805,31 €, dont 300\u202f305,31 € rattachés à des actions et 1\u202f500,00 € d’enveloppes sans action (dotations reçues par un territoire, bloc « Enveloppes sans action »).');
    // The title is merged across the table.
    expect(sheet['!merges']).toContainEqual({ s: { r: 0, c: 0 }, e: { r: 0, c: layout.totalColumn } });
    const envelope = layout.rows.find((r) => r.kind === 'envelope')!.row;
    expect(cell(sheet, envelope, 1)!.v).toBe('Enveloppe DETR – Douaisis Agglo');
    expect(workbook.Workbook!.Names![0]).toMatchObject({ Name: '_xlnm.Print_Titles', Sheet: 0 });
  });

  it('survives a round trip through xlsx: numbers with their format, formulas with their cached values, the « Lignes » sheet', () => {
    const lines = [
      {
        actionCode: 'A-10',
        actionTitle: 'Piscine',
        orientationCode: '1.2',
        funder: 'Région Hauts-de-France',
        programme: null,
        beneficiary: null,
        year: 2022,
        stage: FundingStage.PLANNED,
        instrument: FundingInstrument.SUBSIDY,
        cents: cents('100000.10'),
        fileName: 'annexe3.xlsx',
        batchId: 4,
        sheet: 'Programmation',
        cell: 'I7',
        rawValue: '100 000,10 €',
      },
    ];
    const { buffer, fileName } = writeAnnex3(sample({ lines }));
    expect(fileName).toBe('annexe3-CRTE-TEST-PLANNED.xlsx');
    const read = XLSX.read(buffer, { type: 'buffer', cellNF: true, cellStyles: true });
    expect(read.SheetNames).toEqual([ANNEX3_SHEET, LINES_SHEET]);
    const sheet = read.Sheets[ANNEX3_SHEET];
    expect(String(sheet.A5.v)).toMatch(/feuille « Lignes »\.$/);
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true, defval: null });
    const grand = rows.find((row) => row[0] === 'TOTAL GÉNÉRAL')!;
    expect(grand[grand.length - 1]).toBe(301805.31);
    const grandRow = rows.indexOf(grand);
    const grandTotalCell = sheet[XLSX.utils.encode_cell({ r: grandRow, c: grand.length - 1 })];
    expect(grandTotalCell.f).toBeDefined();
    expect(grandTotalCell.z).toBe(EURO_FORMAT);
    expect(sheet['!cols']?.length).toBe(grand.length);
    const lineRows = XLSX.utils.sheet_to_json<Record<string, unknown>>(read.Sheets[LINES_SHEET]);
    expect(lineRows).toEqual([
      expect.objectContaining({ Action: 'A-10', Financeur: 'Région Hauts-de-France', Année: 2022, Étape: 'Prévu', Nature: 'Subvention', 'Montant (€)': 100000.1, Fichier: 'annexe3.xlsx', Feuille: 'Programmation', Cellule: 'I7' }),
    ]);
  });

  it('says when no envelope exists, and builds an empty contract without failing', () => {
    const { workbook, layout } = buildAnnex3Workbook(sample({ amounts: [], actions: [] }));
    const sheet = workbook.Sheets[ANNEX3_SHEET];
    expect(String(cell(sheet, 7, 0)!.v)).toBe('Total général : 0,00 €, entièrement rattachés à des actions (aucune enveloppe sans action à cette étape).');
    expect(layout.funderColumns).toEqual([]);
    expect(layout.yearColumns.map((c) => c.year)).toEqual([2021, 2022, 2023]);
    const grand = layout.rows.find((r) => r.kind === 'grandTotal')!.row;
    expect(cell(sheet, grand, layout.totalColumn)!.v).toBe(0);
    expect(layout.rows.some((r) => r.kind === 'envelopes' || r.kind === 'unclassified')).toBe(false);
  });

  it('refuses amounts for an action it was not given rather than drop them from the totals', () => {
    expect(() => buildAnnex3Workbook(sample({ amounts: [{ actionId: 999, funderId: 1, year: 2022, cents: 1n, lines: 1 }] }))).toThrow(/999/);
  });
});
