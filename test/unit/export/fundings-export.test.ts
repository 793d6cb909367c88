import { fundingExportFileName, fundingExportRow, parseFundingExportParameters } from '../../../src/export/fundings-export';
import { HttpError } from '../../../src/request/http-error';

function refusal(query: Record<string, unknown>): HttpError {
  try {
    parseFundingExportParameters(query);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(query)}`);
}

describe('parseFundingExportParameters', () => {
  it('reads every FundingFilter criterion', () => {
    expect(
      parseFundingExportParameters({
        contract: 'CRTE-DOUAISIS',
        axis: '2',
        orientation: '2.1',
        action: 'DA-01',
        funder: 'Banque des Territoires',
        programme: 'DSIL',
        beneficiary: '200044618',
        source: 'Etat',
        yearFrom: '2021',
        yearTo: ' 2023 ',
        stage: ['granted', 'PAID,REQUESTED'],
        instrument: 'LOAN',
        kind: 'annex3,dotations',
        asOf: '2026-01-31T12:00:00+01:00',
        format: 'fr',
      }),
    ).toEqual({
      filter: {
        contract: 'CRTE-DOUAISIS',
        axis: 2,
        orientation: '2.1',
        action: 'DA-01',
        funder: 'Banque des Territoires',
        programme: 'DSIL',
        beneficiary: '200044618',
        source: 'Etat',
        yearFrom: 2021,
        yearTo: 2023,
        stage: ['GRANTED', 'PAID', 'REQUESTED'],
        instrument: ['LOAN'],
        kind: ['annex3', 'dotations'],
      },
      asOf: new Date('2026-01-31T11:00:00Z'),
      french: true,
    });
  });

  it('takes empty values as not given, and repeats of a list once', () => {
    expect(parseFundingExportParameters({ contract: '', stage: ',PAID,,paid', yearFrom: '', format: 'standard' })).toEqual({
      filter: { stage: ['PAID'] },
      asOf: null,
      french: false,
    });
    expect(parseFundingExportParameters({})).toEqual({ filter: {}, asOf: null, french: false });
  });

  it.each([
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T12:00Z', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31 12:00:00.5Z', '2026-01-31T12:00:00.500Z'],
    ['2024-02-29T23:00:00-0100', '2024-03-01T00:00:00.000Z'],
  ])('asOf %s', (asOf, iso) => expect(parseFundingExportParameters({ asOf }).asOf!.toISOString()).toBe(iso));

  it.each([
    [{ stage: 'BOGUS' }, 'stage', 'Étape inconnue « BOGUS » (paramètre « stage ») : valeurs possibles PLANNED, REQUESTED, GRANTED, PAID.'],
    [{ kind: 'annex9' }, 'kind', /^Type de fichier inconnu « annex9 »/],
    [{ instrument: 'GIFT' }, 'instrument', /^Nature de financement inconnue/],
    [{ yearFrom: '2022.0' }, 'yearFrom', '« 2022.0 » n’est pas un nombre entier (paramètre « yearFrom »).'],
    [{ yearTo: '99999' }, 'yearTo', /hors des bornes/],
    [{ axis: '0' }, 'axis', /hors des bornes/],
    [{ yearFrom: '2025', yearTo: '2021' }, 'yearFrom', /après/],
    [{ asOf: 'hier' }, 'asOf', /n’est pas une date ISO 8601/],
    [{ asOf: '2025-02-29' }, 'asOf', /date ISO 8601/],
    [{ asOf: '2026-01-31T25:00Z' }, 'asOf', /date ISO 8601/],
    [{ asOf: '1769860800000' }, 'asOf', /date ISO 8601/],
    [{ funder: ['ADEME', 'Etat'] }, 'funder', /ne prend qu’une valeur/],
    [{ funder: { name: 'ADEME' } }, 'funder', /texte simple/],
    [{ page: '2' }, 'page', /^Paramètre inconnu « page »/],
    [{ format: 'us' }, 'format', /Variante « us » inconnue/],
  ])('refuses %j', (query, field, message) => {
    const error = refusal(query);
    expect(error.status).toBe(400);
    expect(error.field).toBe(field);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });
});

describe('fundingExportRow', () => {
  const raw = {
    id: 7,
    contract_code: 'CRTE-DOUAISIS',
    axis_number: 1,
    axis_title: 'Axe 1',
    orientation_code: '1.2',
    orientation_title: 'Orientation',
    action_code: 'DA-01',
    action_title: 'Titre',
    funder_name: 'ADEME',
    funder_kind: 'STATE_OPERATOR',
    programme_code: null,
    programme_name: null,
    beneficiary_name: 'Douai',
    territory_name: 'CA Douaisis Agglo',
    year: 2023,
    stage: 'GRANTED',
    instrument: 'SUBSIDY',
    cost_base: 'HT',
    approximate: 0,
    amount: 950000.5,
    declarer_name: 'ADEME',
    import_kind: 'annex3',
    batch_id: 3,
    file_name: 'a.csv',
    source_sheet: 'a',
    source_cell: 'E4',
    raw_value: '950000,50',
    uploaded_at: new Date('2026-01-31T12:00:00Z'),
  };

  it('gives the same row from SQLite (numbers) and mysql2 (strings)', () => {
    const fromSqlite = fundingExportRow(raw);
    const fromMysql = fundingExportRow({ ...raw, id: '7', axis_number: '1', year: '2023', approximate: '0', amount: '950000.50', batch_id: '3', uploaded_at: '2026-01-31T12:00:00Z' });
    expect(fromSqlite).toEqual(fromMysql);
    expect(fromSqlite).toMatchObject({ id: 7, amount: '950000.50', year: 2023, approximate: false, programmeCode: null, uploadedAt: new Date('2026-01-31T12:00:00Z') });
    expect(fundingExportRow({ ...raw, amount: -0.1, approximate: 1 })).toMatchObject({ amount: '-0.10', approximate: true });
    // A double read back from SQLite's DECIMAL is rounded to the cent it stands for.
    expect(fundingExportRow({ ...raw, amount: 0.1 + 0.2 }).amount).toBe('0.30');
  });
});

describe('fundingExportFileName', () => {
  it('names the contract and the day', () => {
    const day = new Date('2026-01-31T12:00:00Z');
    expect(fundingExportFileName({ contract: 'CRTE-DOUAISIS' }, 'csv', day)).toBe('financements-CRTE-DOUAISIS-2026-01-31.csv');
    expect(fundingExportFileName({ contract: 'A/B "C"' }, 'xlsx', day)).toBe('financements-A_B_C_-2026-01-31.xlsx');
    expect(fundingExportFileName({}, 'json', day)).toBe('financements-2026-01-31.json');
  });
});
