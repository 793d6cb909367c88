import { ActionStatus } from '../../../src/kernel/action-status.enum';
import { CostBase, FundingInstrument, FundingStage } from '../../../src/kernel/funding.enum';
import { OrganisationKind } from '../../../src/kernel/organisation-kind.enum';
import { checkPreview } from '../../../import/check/check';
import { ParsedAction, ParsedLine, ParseOutput } from '../../../import/parse/parsed.types';
import { ContractReference } from '../../../import/resolve/contract-reference';
import { normaliseOrientationCode, resolveParsed } from '../../../import/resolve/resolve';

const AGGLO = 1;
const CCCO = 2;
const DOUAI = 3;
const REGION = 4;
const DEPARTEMENT = 5;
const ETAT = 6;
const BDT = 7;

const reference: ContractReference = {
  contract: { id: 10, code: 'CRTE-TEST', startYear: 2021, endYear: 2026 },
  orientations: [
    { id: 101, code: '1.1' },
    { id: 102, code: '2.2' },
  ],
  organisations: [
    { id: AGGLO, name: 'CA Douaisis Agglo', shortName: 'Douaisis Agglo', kind: OrganisationKind.EPCI, siren: '200044618', inseeCode: null, parentId: null },
    { id: CCCO, name: "CA Coeur d'Ostrevent", shortName: "Coeur d'Ostrevent", kind: OrganisationKind.EPCI, siren: '245901152', inseeCode: null, parentId: null },
    { id: DOUAI, name: 'Douai', shortName: null, kind: OrganisationKind.COMMUNE, siren: '215901786', inseeCode: '59178', parentId: AGGLO },
    { id: REGION, name: 'Région Hauts-de-France', shortName: null, kind: OrganisationKind.REGION, siren: '200053742', inseeCode: null, parentId: null },
    { id: DEPARTEMENT, name: 'Département du Nord', shortName: null, kind: OrganisationKind.DEPARTMENT, siren: '225900018', inseeCode: null, parentId: null },
    { id: ETAT, name: 'État', shortName: null, kind: OrganisationKind.STATE, siren: null, inseeCode: null, parentId: null },
    { id: BDT, name: 'Banque des Territoires', shortName: null, kind: OrganisationKind.STATE_OPERATOR, siren: null, inseeCode: null, parentId: null },
  ],
  aliases: [
    { organisationId: AGGLO, contractId: 10, normalised: 'da' },
    { organisationId: CCCO, contractId: 10, normalised: 'ccco' },
    { organisationId: REGION, contractId: 10, normalised: 'region' },
    { organisationId: BDT, contractId: null, normalised: 'bdt' },
    { organisationId: DOUAI, contractId: null, normalised: 'ville de douai' },
    // Another contract's "DA" must not leak into this one.
    { organisationId: CCCO, contractId: 99, normalised: 'da' },
  ],
  perimeterEpciIds: [AGGLO, CCCO],
  regionId: REGION,
  departmentId: DEPARTEMENT,
  stateId: ETAT,
  programmes: [{ id: 501, code: 'DSIL', name: 'DSIL', operatorId: ETAT }],
  actions: [
    { id: 1001, code: 'DA-01', title: 'Quartier d’affaires EuraDouai', normalisedTitle: 'quartier d affaires euradouai', leadId: AGGLO, totalCost: '50000000.00', status: ActionStatus.UNDERWAY, orientationId: 102, startDate: null, endDate: null },
  ],
  indicators: [],
};

function action(partial: Partial<ParsedAction>): ParsedAction {
  return { sheet: 'S', row: 1, code: null, title: null, orientationCode: null, leadText: null, totalCostCents: null, costBase: null, status: null, startDate: null, endDate: null, cells: {}, ...partial };
}

function line(partial: Partial<ParsedLine>): ParsedLine {
  return {
    source: { sheet: 'S', cell: 'F2', raw: '100' },
    actionIndex: 0,
    funder: { kind: 'source' },
    programmeCode: null,
    beneficiary: null,
    year: 2022,
    cents: 10000n,
    approximate: false,
    stage: FundingStage.PLANNED,
    instrument: FundingInstrument.SUBSIDY,
    costBase: CostBase.HT,
    ...partial,
  };
}

function output(actions: ParsedAction[], lines: ParsedLine[]): ParseOutput {
  return { layout: 'by-funder', actions, lines, totals: [], issues: [] };
}

describe('resolve', () => {
  it('reads orientation codes written in several ways', () => {
    expect(normaliseOrientationCode('2.2')).toBe('2.2');
    expect(normaliseOrientationCode(' 2,2 ')).toBe('2.2');
    expect(normaliseOrientationCode('4.5.')).toBe('4.5');
    expect(normaliseOrientationCode('03.1.2')).toBe('3.1.2');
    expect(normaliseOrientationCode(' os-2 ')).toBe('OS-2');
    expect(normaliseOrientationCode('A')).toBe('A');
    expect(normaliseOrientationCode('  ')).toBeNull();
    expect(normaliseOrientationCode('Rénover les écoles du territoire pour la sobriété énergétique')).toBeNull();
  });

  it('finds orientations numbered on three levels or by letters, as the contract writes them', () => {
    for (const written of ['3.1.2', 'OS-2', 'a']) {
      const parsed = output([action({ code: 'DOU-03', title: 'Bellain', leadText: 'Ville de Douai', orientationCode: written })], []);
      const withCodes = { ...reference, orientations: [...reference.orientations, { id: 31, code: '3.1.2' }, { id: 32, code: 'OS-2' }, { id: 33, code: 'A' }] };
      const resolved = resolveParsed(parsed, withCodes, { sourceOrganisationId: AGGLO, authority: "admin" });
      expect(resolved.issues.filter((issue) => issue.code === 'UNKNOWN_ORIENTATION')).toEqual([]);
    }
  });

  it('resolves generic funder columns on the contract and on the action’s lead', () => {
    const parsed = output(
      [action({ code: 'DOU-03', title: 'Bellain', leadText: 'Ville de Douai', orientationCode: '1.1' })],
      [
        line({ funder: { kind: 'generic', generic: 'REGION' } }),
        line({ funder: { kind: 'generic', generic: 'DEPARTMENT' }, source: { sheet: 'S', cell: 'G2', raw: '1' } }),
        line({ funder: { kind: 'generic', generic: 'EPCI' }, source: { sheet: 'S', cell: 'H2', raw: '1' } }),
        line({ funder: { kind: 'generic', generic: 'COMMUNE' }, source: { sheet: 'S', cell: 'I2', raw: '1' } }),
        line({ funder: { kind: 'generic', generic: 'STATE' }, programmeCode: 'DSIL', source: { sheet: 'S', cell: 'J2', raw: '1' } }),
      ],
    );
    const resolved = resolveParsed(parsed, reference, { sourceOrganisationId: AGGLO, authority: 'admin' });
    expect(resolved.lines.map((l) => l.funder)).toEqual([{ id: REGION }, { id: DEPARTEMENT }, { id: AGGLO }, { id: DOUAI }, { id: ETAT }]);
    expect(resolved.lines[4].programmeId).toBe(501);
    expect(resolved.lines[0].beneficiary).toEqual({ id: DOUAI });
    expect(resolved.actions[0]).toMatchObject({ existingId: null, orientationId: 101, lead: { id: DOUAI } });
    expect(resolved.issues.map((issue) => issue.code)).toEqual(['ACTION_UNKNOWN']);
  });

  it('uses the contract’s own aliases before global ones, and never another contract’s', () => {
    const resolved = resolveParsed(output([action({ code: 'DA-01', leadText: 'DA' })], [line({ funder: { kind: 'named', text: 'BdT' } })]), reference, {
      sourceOrganisationId: AGGLO, authority: 'admin',
    });
    expect(resolved.actions[0].lead).toEqual({ id: AGGLO });
    expect(resolved.lines[0].funder).toEqual({ id: BDT });
  });

  it('keeps an unknown funder as an organisation to create, once, with a warning at its cell', () => {
    const resolved = resolveParsed(
      output(
        [action({ code: 'DA-01' })],
        [
          line({ funder: { kind: 'named', text: 'Fondation du patrimoine' }, source: { sheet: 'S', cell: 'O4', raw: 'Fondation du patrimoine : 10 000' } }),
          line({ funder: { kind: 'named', text: 'FONDATION DU PATRIMOINE' }, year: 2023, source: { sheet: 'S', cell: 'O5', raw: '…' } }),
        ],
      ),
      reference,
      { sourceOrganisationId: AGGLO, authority: 'admin' },
    );
    expect(resolved.newOrganisations).toEqual([{ key: 'fondation du patrimoine', name: 'Fondation du patrimoine', source: { sheet: 'S', cell: 'O4', raw: 'Fondation du patrimoine : 10 000' } }]);
    expect(resolved.lines.map((l) => l.funder)).toEqual([{ newKey: 'fondation du patrimoine' }, { newKey: 'fondation du patrimoine' }]);
    expect(resolved.issues).toEqual([expect.objectContaining({ severity: 'WARNING', code: 'ORGANISATION_UNKNOWN', cell: 'O4' })]);
  });

  it('a cell naming one funder under two of its names (aliases) is that funder; two organisations stay FUNDERS_IN_ONE_CELL at the funder cell', () => {
    // The Banque des Territoires known also as « Caisse des dépôts » (a global alias, as in the seed).
    const withCdc: ContractReference = { ...reference, aliases: [...reference.aliases, { organisationId: BDT, contractId: null, normalised: 'caisse des depots' }] };
    const at = (cell: string) => ({ sheet: 'Plan', cell, raw: '' });
    const named = (text: string, names: string[], listed: boolean, cell: string, amountCell: string, cents = 1000000n) =>
      line({ funder: { kind: 'named', text, source: at(cell), oneOf: { names, listed } }, source: at(amountCell), cents });
    const resolved = resolveParsed(
      output(
        [action({ code: 'DA-01' })],
        [
          named('CAISSE DES DEPOTS / Banque des Territoires', ['CAISSE DES DEPOTS', 'Banque des Territoires'], true, 'M2', 'N2'),
          named('Banque des Territoires (Caisse des Dépôts)', ['Banque des Territoires', 'Caisse des Dépôts'], false, 'O2', 'P2'),
          named('Région / Département du Nord', ['Région', 'Département du Nord'], true, 'M3', 'N3', 2000000n),
          named('Métropole, Région', ['Métropole', 'Région'], true, 'O3', 'P3'),
          named('Banque des Territoires (Région)', ['Banque des Territoires', 'Région'], false, 'Q3', 'R3'),
          // A parenthesis that names no other organisation is an aside: the cell as written, as before.
          named('Banque des Territoires (CDC, prêt)', ['Banque des Territoires', 'CDC, prêt'], false, 'M4', 'N4'),
        ],
      ),
      withCdc,
      { sourceOrganisationId: AGGLO, authority: 'admin' },
    );
    expect(resolved.lines.map((l) => [l.parsed.source.cell, l.funder])).toEqual([
      ['N2', { id: BDT }],
      ['P2', { id: BDT }],
      ['N4', { newKey: 'banque des territoires cdc pret' }],
    ]);
    expect(resolved.issues.map((issue) => [issue.severity, issue.code, issue.cell])).toEqual([
      ['ERROR', 'FUNDERS_IN_ONE_CELL', 'M3'],
      ['ERROR', 'FUNDERS_IN_ONE_CELL', 'O3'],
      ['ERROR', 'FUNDERS_IN_ONE_CELL', 'Q3'],
      ['WARNING', 'ORGANISATION_UNKNOWN', 'M4'],
    ]);
    expect(resolved.issues[0].message).toBe(
      'Cette cellule nomme 2 financeurs (« Région » (Région Hauts-de-France), « Département du Nord ») pour un seul montant (N3 : 20 000,00 €) : ' +
        "le montant n'est pas partagé entre eux, faute de savoir la part de chacun. Donnez une paire « Financeur » / « Montant » par financeur.",
    );
    expect(resolved.issues[1].message).toContain("« Métropole » (organisation inconnue), « Région » (Région Hauts-de-France)");
    expect(resolved.issues[1].message).toContain("si c'est un seul financeur sous deux noms, un seul de ses noms");
    // An editor's file: the one funder is compared with the source as any named funder is.
    const editor = resolveParsed(output([action({ code: 'DA-01' })], [named('CAISSE DES DEPOTS / BdT', ['CAISSE DES DEPOTS', 'BdT'], true, 'M2', 'N2')]), withCdc, { sourceOrganisationId: BDT, authority: 'source' });
    expect(editor.lines.map((l) => l.funder)).toEqual([{ id: BDT }]);
  });

  it('reports an unknown orientation at its cell, listing the contract’s codes', () => {
    const resolved = resolveParsed(output([action({ code: 'X-1', orientationCode: '9.9', cells: { orientation: { sheet: 'S', cell: 'C7', raw: '9.9' } } })], []), reference, {
      sourceOrganisationId: AGGLO, authority: 'admin',
    });
    expect(resolved.issues).toContainEqual(expect.objectContaining({ severity: 'ERROR', code: 'UNKNOWN_ORIENTATION', cell: 'C7', value: '9.9' }));
    expect(resolved.issues.find((issue) => issue.code === 'UNKNOWN_ORIENTATION')!.message).toContain('1.1, 2.2');
  });

  it('refuses an orientation an amendment closed, naming the amendment and its date at the cell; the lead’s file does not move a classified action', () => {
    const closed: ContractReference = { ...reference, orientations: [...reference.orientations, { id: 103, code: '1.4', closedOn: '2024-09-01', closedBy: '2' }] };
    const at = (cell: string, raw: string) => ({ orientation: { sheet: 'S', cell, raw } });
    const resolved = resolveParsed(
      output([action({ code: 'X-2', orientationCode: '1.4', cells: at('C7', '1.4') }), action({ code: 'DA-01', orientationCode: '1.1', cells: at('C8', '1.1') })], []),
      closed,
      { sourceOrganisationId: AGGLO, authority: 'admin' },
    );
    const refused = resolved.issues.find((issue) => issue.code === 'ORIENTATION_CLOSED')!;
    expect(refused).toMatchObject({ severity: 'ERROR', cell: 'C7', value: '1.4' });
    expect(refused.message).toContain("L'orientation « 1.4 » est close par l'avenant n° 2 du 01/09/2024");
    expect(refused.message).toContain('(orientations : 1.1, 2.2)');
    // DA-01 is in 2.2: its own lead's file naming 1.1 leaves it there, with a warning at the cell.
    expect(resolved.actions[1].orientationId).toBe(102);
    const kept = resolved.issues.find((issue) => issue.code === 'ACTION_DIFFERS')!;
    expect(kept).toMatchObject({ severity: 'WARNING', cell: 'C8' });
    expect(kept.message).toContain("L'action DA-01 est classée dans l'orientation 2.2 du contrat, et non « 1.1 » : un import ne la déplace pas");
    expect(kept.message).toContain('avenant (amendContract, moveActions)');
  });

  it('lets only the action’s lead change its title and cost: another source gets a warning', () => {
    const parsed = output(
      [
        action({
          code: 'DA-01',
          title: 'Quartier d’affaires EuraDouai — passerelle',
          totalCostCents: 5200000000n,
          cells: { title: { sheet: 'S', cell: 'B6', raw: 'x' }, totalCost: { sheet: 'S', cell: 'E6', raw: '52 000 000' } },
        }),
      ],
      [],
    );
    const fromBank = resolveParsed(parsed, reference, { sourceOrganisationId: BDT, authority: 'admin' });
    expect(fromBank.actions[0].fromLead).toBe(false);
    expect(fromBank.issues.map((issue) => [issue.code, issue.cell])).toEqual([
      ['ACTION_DIFFERS', 'B6'],
      ['ACTION_DIFFERS', 'E6'],
    ]);
    const fromLead = resolveParsed(parsed, reference, { sourceOrganisationId: AGGLO, authority: 'admin' });
    expect(fromLead.actions[0].fromLead).toBe(true);
    expect(fromLead.issues).toEqual([]);
  });

  it('finds an action by its title when the file gives no code, with a warning', () => {
    const resolved = resolveParsed(output([action({ title: 'QUARTIER D’AFFAIRES EURADOUAI', cells: { title: { sheet: 'S', cell: 'B3', raw: 'x' } } })], []), reference, {
      sourceOrganisationId: AGGLO, authority: 'admin',
    });
    expect(resolved.actions[0].existingId).toBe(1001);
    expect(resolved.issues).toEqual([expect.objectContaining({ code: 'ACTION_MATCHED_BY_TITLE', cell: 'B3' })]);
  });

  it('refuses a generic EPCI column when the lead is not on the territory', () => {
    const resolved = resolveParsed(output([action({ code: 'RG-01', leadText: 'Région' })], [line({ funder: { kind: 'generic', generic: 'EPCI' } })]), reference, {
      sourceOrganisationId: AGGLO, authority: 'admin',
    });
    expect(resolved.lines).toHaveLength(0);
    expect(resolved.issues).toContainEqual(expect.objectContaining({ severity: 'ERROR', code: 'FUNDER_MISSING', cell: 'F2' }));
  });
});

describe('resolve: who may write what (the lead of an existing action is the contract’s, never the file’s)', () => {
  const ccco = { id: 1002, code: 'CCCO-99', title: 'Médiathèque', normalisedTitle: 'mediatheque', leadId: CCCO, totalCost: '1000000.00', status: ActionStatus.PLANNED, orientationId: 102, startDate: null, endDate: null };
  const withCcco: ContractReference = { ...reference, actions: [...reference.actions, ccco] };
  const at = (cell: string, raw = 'x') => ({ sheet: 'S', cell, raw });
  /** The attack of issue 13: DA's file says DA leads CCCO-99 and rewrites it. */
  const pirate = action({
    code: 'CCCO-99',
    title: 'PIRATÉ',
    leadText: 'Douaisis Agglo',
    orientationCode: '1.1',
    status: ActionStatus.ABANDONED,
    totalCostCents: 100n,
    cells: { code: at('A2'), title: at('B2'), lead: at('C2'), orientation: at('D2'), status: at('E2'), totalCost: at('F2') },
  });

  it.each(['admin', 'source'] as const)('keeps another lead’s action as it is, each field said at its cell (%s)', (authority) => {
    const resolved = resolveParsed(output([pirate], []), withCcco, { sourceOrganisationId: AGGLO, authority });
    expect(resolved.actions[0]).toMatchObject({ existingId: 1002, lead: { id: CCCO }, fromLead: false });
    expect(resolved.issues.map((issue) => [issue.severity, issue.code, issue.cell])).toEqual([
      ['WARNING', 'ACTION_DIFFERS', 'C2'],
      ['WARNING', 'ACTION_DIFFERS', 'B2'],
      ['WARNING', 'ACTION_DIFFERS', 'F2'],
      ['WARNING', 'ACTION_DIFFERS', 'E2'],
      ['WARNING', 'ACTION_DIFFERS', 'D2'],
    ]);
    expect(resolved.issues[0].message).toMatch(/Coeur d'Ostrevent dans le contrat, et non « Douaisis Agglo »/);
    expect(resolved.issues[1].message).toMatch(/n'est pas modifié, Douaisis Agglo n'étant pas maître d'ouvrage/);
  });

  it('refuses, for an editor, a line of another funder on an action its organisation does not lead; the funder’s own line passes', () => {
    const parsed = output(
      [pirate],
      [
        line({ funder: { kind: 'generic', generic: 'STATE' }, stage: FundingStage.GRANTED, cents: 900000000n, source: at('G2', '9 000 000') }),
        line({ funder: { kind: 'named', text: 'Banque des Territoires', source: at('H1') }, source: at('H2', '7 000 000') }),
        line({ funder: { kind: 'lead' }, source: at('I2') }),
        line({ funder: { kind: 'generic', generic: 'EPCI' }, source: at('J2') }),
        line({ funder: { kind: 'named', text: 'Fondation inconnue', source: at('K1') }, source: at('K2') }),
      ],
    );
    const editor = resolveParsed(parsed, withCcco, { sourceOrganisationId: AGGLO, authority: 'source' });
    // The EPCI of a CCCO action is CCCO; only nothing that is DA's own money on it gets through.
    expect(editor.lines).toEqual([]);
    expect(editor.newOrganisations).toEqual([]);
    expect(editor.issues.filter((issue) => issue.severity === 'ERROR').map((issue) => [issue.code, issue.cell])).toEqual([
      ['FUNDING_NOT_ALLOWED', 'G2'],
      ['FUNDING_NOT_ALLOWED', 'H2'],
      ['FUNDING_NOT_ALLOWED', 'I2'],
      ['FUNDING_NOT_ALLOWED', 'J2'],
      ['FUNDING_NOT_ALLOWED', 'K2'],
    ]);
    expect(editor.issues.find((issue) => issue.cell === 'G2')!.message).toMatch(/^Douaisis Agglo ne peut pas déclarer ce montant \(financeur : État\) sur l'action CCCO-99, dont le maître d'ouvrage est Coeur d'Ostrevent/);
    // The admin, importing for the contract's team, may.
    const admin = resolveParsed(parsed, withCcco, { sourceOrganisationId: AGGLO, authority: 'admin' });
    expect(admin.lines.map((l) => l.funder)).toEqual([{ id: ETAT }, { id: BDT }, { id: CCCO }, { id: CCCO }, { newKey: 'fondation inconnue' }]);
    // The funder itself may declare its money on any action; the lead, any funder's on its own action.
    const bank = resolveParsed(output([pirate], [line({ funder: { kind: 'source' } }), line({ funder: { kind: 'named', text: 'BdT' }, year: 2023 })]), withCcco, { sourceOrganisationId: BDT, authority: 'source' });
    expect(bank.lines.map((l) => l.funder)).toEqual([{ id: BDT }, { id: BDT }]);
    const own = resolveParsed(output([action({ code: 'DA-01' })], [line({ funder: { kind: 'generic', generic: 'STATE' } }), line({ funder: { kind: 'named', text: 'BdT' } })]), withCcco, {
      sourceOrganisationId: AGGLO,
      authority: 'source',
    });
    expect(own.lines.map((l) => l.funder)).toEqual([{ id: ETAT }, { id: BDT }]);
    expect(own.issues).toEqual([]);
  });

  it('gives a new action to its source, or to nobody when an editor’s file names another lead', () => {
    const parsed = output(
      [
        action({ code: 'DA-90', leadText: 'DA', cells: { lead: at('C2') } }),
        action({ code: 'INV-01', row: 2, leadText: "Coeur d'Ostrevent", cells: { lead: at('C3') } }),
        action({ code: 'INV-02', row: 3 }),
      ],
      [
        line({ actionIndex: 0, funder: { kind: 'named', text: 'BdT' }, source: at('G2') }),
        line({ actionIndex: 1, funder: { kind: 'named', text: 'BdT' }, cents: 700000000n, source: at('G3') }),
        line({ actionIndex: 2, funder: { kind: 'named', text: 'BdT' }, source: at('G4') }),
        line({ actionIndex: 2, funder: { kind: 'source' }, source: at('H4') }),
      ],
    );
    const editor = resolveParsed(parsed, reference, { sourceOrganisationId: AGGLO, authority: 'source' });
    expect(editor.actions.map((a) => a.lead)).toEqual([{ id: AGGLO }, null, null]);
    expect(editor.lines.map((l) => l.parsed.source.cell)).toEqual(['G2', 'H4']);
    expect(editor.issues.filter((issue) => issue.code !== 'ACTION_UNKNOWN').map((issue) => [issue.severity, issue.code, issue.cell])).toEqual([
      ['WARNING', 'ACTION_LEAD_REFUSED', 'C3'],
      ['ERROR', 'FUNDING_NOT_ALLOWED', 'G3'],
      ['ERROR', 'FUNDING_NOT_ALLOWED', 'G4'],
    ]);
    const admin = resolveParsed(parsed, reference, { sourceOrganisationId: AGGLO, authority: 'admin' });
    expect(admin.actions.map((a) => a.lead)).toEqual([{ id: AGGLO }, { id: CCCO }, null]);
    expect(admin.lines).toHaveLength(4);
  });
});

describe('resolve: an unknown funder is reported at the cell that names it', () => {
  it('points at the « Financeur » cell (long and pairs layouts) or the column header, not at the amount', () => {
    const resolved = resolveParsed(
      output(
        [action({ code: 'DA-01' })],
        [
          line({ funder: { kind: 'named', text: 'Fondation X', source: { sheet: 'S', cell: 'D4', raw: 'Fondation X' } }, source: { sheet: 'S', cell: 'F4', raw: '10 000' } }),
          line({ funder: { kind: 'named', text: 'Mécène Y', source: { sheet: 'S', cell: 'H1', raw: 'Mécène Y' } }, source: { sheet: 'S', cell: 'H5', raw: '5 000' } }),
        ],
      ),
      reference,
      { sourceOrganisationId: AGGLO, authority: 'admin' },
    );
    expect(resolved.issues.map((issue) => [issue.code, issue.cell, issue.value])).toEqual([
      ['ORGANISATION_UNKNOWN', 'D4', 'Fondation X'],
      ['ORGANISATION_UNKNOWN', 'H1', 'Mécène Y'],
    ]);
  });
});

describe('check', () => {
  it('reports a duplicated line, a subtotal that disagrees, and a year outside the contract', () => {
    const parsed: ParseOutput = {
      ...output(
        [action({ code: 'DA-01' })],
        [
          line({ source: { sheet: 'S', cell: 'G6', raw: '100' } }),
          line({ source: { sheet: 'S', cell: 'G7', raw: '100' } }),
          line({ year: 2030, source: { sheet: 'S', cell: 'H6', raw: '50' }, cents: 5000n }),
        ],
      ),
      totals: [{ source: { sheet: 'S', cell: 'G9', raw: '300' }, kind: 'subtotal', cents: 30000n, lineIndexes: [0, 1], label: 'Sous-total Axe 2' }],
    };
    const resolved = resolveParsed(parsed, reference, { sourceOrganisationId: AGGLO, authority: 'admin' });
    const issues = checkPreview(parsed, resolved, { startYear: 2021, endYear: 2026, warnOutsidePeriod: true });
    expect(issues.map((issue) => [issue.severity, issue.code, issue.cell])).toEqual([
      ['ERROR', 'SUBTOTAL_MISMATCH', 'G9'],
      ['ERROR', 'DUPLICATE_LINE', 'G7'],
      ['WARNING', 'YEAR_OUTSIDE_CONTRACT', 'H6'],
    ]);
    expect(issues[0].message).toContain('300,00 €');
    expect(issues[0].message).toContain('200,00 €');
  });
});
