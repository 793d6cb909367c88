import { buildSchema, OperationDefinitionNode, parse } from 'graphql';
import { checkReportName, checkReportQuery, checkReportVariables, variablesFromQueryString } from '../../../src/report/saved-report.service';

const schema = buildSchema(`
  scalar Decimal
  enum Stage { PLANNED PAID }
  input Filter { contract: String year: Int }
  type Line { amount: Decimal! }
  type Query { lines(contract: String, year: Int, ratio: Float, current: Boolean, stage: [Stage!], filter: Filter, min: Decimal): [Line!]! }
  type Mutation { clear: Boolean }
`);

const QUERY = `query ($contract: String!, $year: Int, $ratio: Float, $current: Boolean, $stage: [Stage!], $filter: Filter, $min: Decimal) {
  lines(contract: $contract, year: $year, ratio: $ratio, current: $current, stage: $stage, filter: $filter, min: $min) { amount } }`;
const operation = parse(QUERY).definitions[0] as OperationDefinitionNode;
const fromUrl = (parameters: Record<string, unknown>) => variablesFromQueryString(schema, operation, parameters);

describe('URL parameters as report variables', () => {
  it('types each value by its declaration and ignores parameters that are not var.*', () => {
    expect(
      fromUrl({
        'var.contract': 'CRTE-DOUAISIS',
        'var.year': '2024',
        'var.ratio': '0,5',
        'var.current': 'oui',
        'var.stage': ['PLANNED', 'PAID'],
        'var.filter': '{"year": 2023}',
        'var.min': '1000.50',
        format: 'fr',
        _: '1712345678',
      }),
    ).toEqual({ contract: 'CRTE-DOUAISIS', year: 2024, ratio: 0.5, current: true, stage: ['PLANNED', 'PAID'], filter: { year: 2023 }, min: '1000.50' });
    expect(fromUrl({ 'var.stage': '["PAID"]' })).toEqual({ stage: ['PAID'] });
    expect(fromUrl({ 'var.stage': 'PAID' })).toEqual({ stage: ['PAID'] });
    expect(fromUrl({ 'var.year': '' })).toEqual({ year: null });
  });

  it('refuses an unknown name, a wrong number, a boolean, JSON or enum value, and a repeated single value', () => {
    expect(() => fromUrl({ 'var.annee': '2024' })).toThrow(/« var\.annee » ne correspond à aucune variable du rapport \(possibles : var\.contract, var\.year/);
    expect(() => fromUrl({ 'var.year': 'deux' })).toThrow(/attend un nombre/);
    expect(() => fromUrl({ 'var.current': 'peut-être' })).toThrow(/attend true ou false/);
    expect(() => fromUrl({ 'var.filter': '{year: 2023}' })).toThrow(/pas du JSON valide/);
    expect(() => fromUrl({ 'var.stage': 'PREVU' })).toThrow(/Paramètres de l’adresse incorrects/);
    expect(() => fromUrl({ 'var.year': ['2023', '2024'] })).toThrow(/donné 2 fois/);
    expect(() => fromUrl({ 'var.contract': '' })).toThrow(/Paramètres de l’adresse incorrects/);
  });
});

describe('checks at save', () => {
  it('accepts one valid query with fragments, and refuses the rest with the field at fault', () => {
    expect(checkReportQuery(schema, 'query Q { ...F } fragment F on Query { lines { amount } }').errors).toEqual([]);
    expect(checkReportQuery(schema, 'mutation { clear }').errors[0]).toMatchObject({ field: 'query', message: expect.stringMatching(/pas une modification \(mutation\)/) });
    expect(checkReportQuery(schema, 'fragment F on Query { lines { amount } }').errors[0].message).toMatch(/aucune opération/);
    expect(checkReportQuery(schema, '{ lines { amount } } { lines { amount } }').errors[0].message).toMatch(/contient 2 opérations/);
    expect(checkReportQuery(schema, '{ lines }').errors[0].message).toMatch(/ne correspond pas au schéma/);
    expect(checkReportName('suivi_BdT-2024')).toEqual([]);
    expect(checkReportName('suivi.csv')[0].field).toBe('name');
    expect(checkReportVariables(schema, operation, '{"year": 2023, "stage": ["PAID"]}')).toEqual({ values: { year: 2023, stage: ['PAID'] }, errors: [] });
    expect(checkReportVariables(schema, operation, null)).toEqual({ values: null, errors: [] });
    expect(checkReportVariables(schema, operation, '"x"').errors[0].message).toMatch(/objet JSON/);
  });
});
