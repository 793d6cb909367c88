import { buildSchema, parse } from 'graphql';
import { buildShape, flattenResult } from '../../../src/report/flatten-result';

/** A small schema in the shape of the real one: a contract tree, a connection, custom scalars. */
const schema = buildSchema(`
  scalar Decimal
  scalar DateTimeISO
  enum Stage { PLANNED PAID }
  type Organisation { name: String! siren: String aliases: [String!]! }
  type Funding { amount: Decimal! year: Int! stage: Stage! approximate: Boolean! funder: Organisation! createdAt: DateTimeISO! }
  type Indicator { code: String! values: [Float!]! }
  type Action { code: String! lead: Organisation coverage: Float fundings: [Funding!]! indicators: [Indicator!]! }
  type Orientation { code: String! actions: [Action!]! }
  type Axis { number: Int! orientations: [Orientation!]! }
  type Contract { code: String! name: String! axes: [Axis!]! }
  type PageInfo { hasNextPage: Boolean! }
  type FundingPage { totalCount: Int! pageInfo: PageInfo! nodes: [Funding!]! }
  type Query { contract(code: String!): Contract fundings(first: Int): FundingPage! contracts: [Contract!]! matrix: [[Int]] }
`);

const flatten = (query: string, data: Record<string, unknown> | null) => flattenResult(schema, parse(query), data);

const TREE = `query ($code: String!) { contract(code: $code) { code axes { number orientations { code actions { code fundings { amount year } } } } } }`;

describe('flattening a GraphQL result into rows', () => {
  it('names columns by path and gives one row per leaf of the nested lists, parents repeated', () => {
    const { columns, rows } = flatten(TREE, {
      contract: {
        code: 'CRTE-DOUAISIS',
        axes: [
          {
            number: 1,
            orientations: [
              {
                code: '1.1',
                actions: [
                  { code: 'DA-01', fundings: [{ amount: '100.00', year: 2023 }, { amount: '200.50', year: 2024 }] },
                  { code: 'DA-02', fundings: [{ amount: '3.00', year: 2023 }] },
                ],
              },
            ],
          },
          { number: 2, orientations: [{ code: '2.1', actions: [{ code: 'CCCO-03', fundings: [{ amount: '4.00', year: 2025 }] }] }] },
        ],
      },
    });
    expect(columns).toEqual([
      { key: 'contract.code', type: 'text' },
      { key: 'contract.axes.number', type: 'integer' },
      { key: 'contract.axes.orientations.code', type: 'text' },
      { key: 'contract.axes.orientations.actions.code', type: 'text' },
      { key: 'contract.axes.orientations.actions.fundings.amount', type: 'decimal' },
      { key: 'contract.axes.orientations.actions.fundings.year', type: 'integer' },
    ]);
    const row = (axis: number, orientation: string, action: string, amount: string, year: number) => ({
      'contract.code': 'CRTE-DOUAISIS',
      'contract.axes.number': axis,
      'contract.axes.orientations.code': orientation,
      'contract.axes.orientations.actions.code': action,
      'contract.axes.orientations.actions.fundings.amount': amount,
      'contract.axes.orientations.actions.fundings.year': year,
    });
    expect(rows).toEqual([
      row(1, '1.1', 'DA-01', '100.00', 2023),
      row(1, '1.1', 'DA-01', '200.50', 2024),
      row(1, '1.1', 'DA-02', '3.00', 2023),
      row(2, '2.1', 'CCCO-03', '4.00', 2025),
    ]);
  });

  it('keeps a parent whose list is empty, like a LEFT JOIN, at every level', () => {
    const { rows } = flatten(TREE, {
      contract: {
        code: 'C',
        axes: [
          { number: 1, orientations: [{ code: '1.1', actions: [{ code: 'A', fundings: [] }, { code: 'B', fundings: [{ amount: '1.00', year: 2022 }] }] }] },
          { number: 2, orientations: [] },
        ],
      },
    });
    expect(rows).toEqual([
      { 'contract.code': 'C', 'contract.axes.number': 1, 'contract.axes.orientations.code': '1.1', 'contract.axes.orientations.actions.code': 'A' },
      {
        'contract.code': 'C',
        'contract.axes.number': 1,
        'contract.axes.orientations.code': '1.1',
        'contract.axes.orientations.actions.code': 'B',
        'contract.axes.orientations.actions.fundings.amount': '1.00',
        'contract.axes.orientations.actions.fundings.year': 2022,
      },
      { 'contract.code': 'C', 'contract.axes.number': 2 },
    ]);
  });

  it('gives no row for a null root (nothing matched), and one row for an object without lists', () => {
    expect(flatten(TREE, { contract: null }).rows).toEqual([]);
    expect(flatten(TREE, null).rows).toEqual([]);
    // A row with one value is kept, even when the rest is empty.
    expect(flatten(TREE, { contract: { code: 'C', axes: [] } }).rows).toEqual([{ 'contract.code': 'C' }]);
    expect(flatten('{ contract(code: "C") { code name } }', { contract: { code: 'C', name: 'Douaisis' } }).rows).toEqual([
      { 'contract.code': 'C', 'contract.name': 'Douaisis' },
    ]);
  });

  it('puts sibling lists one after the other instead of multiplying them', () => {
    const query = `{ contract(code: "C") { code axes { orientations { actions { code fundings { amount } indicators { code } } } } } }`;
    const { rows } = flatten(query, {
      contract: {
        code: 'C',
        axes: [
          {
            orientations: [
              {
                actions: [
                  { code: 'A', fundings: [{ amount: '1.00' }, { amount: '2.00' }, { amount: '3.00' }], indicators: [{ code: 'I1' }, { code: 'I2' }] },
                  { code: 'B', fundings: [], indicators: [{ code: 'I3' }] },
                  { code: 'C', fundings: [], indicators: [] },
                ],
              },
            ],
          },
        ],
      },
    });
    const a = 'contract.axes.orientations.actions';
    expect(rows.map((r) => [r[`${a}.code`], r[`${a}.fundings.amount`] ?? null, r[`${a}.indicators.code`] ?? null])).toEqual([
      ['A', '1.00', null],
      ['A', '2.00', null],
      ['A', '3.00', null],
      ['A', null, 'I1'],
      ['A', null, 'I2'],
      ['B', null, 'I3'],
      ['C', null, null],
    ]);
    // 3 + 2 rows for A, not 3 × 2.
    expect(rows).toHaveLength(7);
  });

  it('repeats the fields of single objects on every row, including those beside a sibling list', () => {
    const query = `{ contracts { code axes { orientations { actions { lead { name aliases } fundings { amount funder { name } } } } } } }`;
    const { columns, rows } = flatten(query, {
      contracts: [
        {
          code: 'C',
          axes: [
            {
              orientations: [
                {
                  actions: [
                    {
                      lead: { name: 'Douaisis Agglo', aliases: ['DA', 'CAD'] },
                      fundings: [{ amount: '5.00', funder: { name: 'Région' } }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const a = 'contracts.axes.orientations.actions';
    expect(columns.map((c) => c.key)).toEqual(['contracts.code', `${a}.lead.name`, `${a}.lead.aliases`, `${a}.fundings.amount`, `${a}.fundings.funder.name`]);
    expect(rows).toEqual([
      { 'contracts.code': 'C', [`${a}.lead.name`]: 'Douaisis Agglo', [`${a}.lead.aliases`]: 'DA' },
      { 'contracts.code': 'C', [`${a}.lead.name`]: 'Douaisis Agglo', [`${a}.lead.aliases`]: 'CAD' },
      { 'contracts.code': 'C', [`${a}.lead.name`]: 'Douaisis Agglo', [`${a}.fundings.amount`]: '5.00', [`${a}.fundings.funder.name`]: 'Région' },
    ]);
  });

  it('names columns by alias and drops the `nodes` of a connection', () => {
    const query = `{ page: fundings(first: 2) { total: totalCount pageInfo { hasNextPage } nodes { montant: amount year funder { nom: name } } } }`;
    const { columns, rows } = flatten(query, {
      page: { total: 2, pageInfo: { hasNextPage: false }, nodes: [{ montant: '1.00', year: 2023, funder: { nom: 'BdT' } }, { montant: '2.00', year: 2024, funder: { nom: 'ADEME' } }] },
    });
    expect(columns.map((c) => c.key)).toEqual(['page.total', 'page.pageInfo.hasNextPage', 'page.montant', 'page.year', 'page.funder.nom']);
    expect(rows).toEqual([
      { 'page.total': 2, 'page.pageInfo.hasNextPage': false, 'page.montant': '1.00', 'page.year': 2023, 'page.funder.nom': 'BdT' },
      { 'page.total': 2, 'page.pageInfo.hasNextPage': false, 'page.montant': '2.00', 'page.year': 2024, 'page.funder.nom': 'ADEME' },
    ]);
  });

  it('keeps `nodes` in the name when dropping it would make two columns alike', () => {
    const query = `{ fundings { nodes { year } year: totalCount } }`;
    expect(buildShape(schema, parse(query)).columns.map((c) => c.key)).toEqual(['fundings.nodes.year', 'fundings.year']);
  });

  it('types the columns from the schema, not from the values', () => {
    const query = `{ fundings { totalCount nodes { amount year stage approximate createdAt funder { name siren } } } contracts { axes { orientations { actions { coverage indicators { values } } } } } }`;
    const { columns } = flatten(query, null);
    expect(Object.fromEntries(columns.map((c) => [c.key, c.type]))).toEqual({
      'fundings.totalCount': 'integer',
      'fundings.amount': 'decimal',
      'fundings.year': 'integer',
      'fundings.stage': 'text',
      'fundings.approximate': 'boolean',
      'fundings.createdAt': 'datetime',
      'fundings.funder.name': 'text',
      'fundings.funder.siren': 'text',
      'contracts.axes.orientations.actions.coverage': 'number',
      'contracts.axes.orientations.actions.indicators.values': 'number',
    });
  });

  it('follows fragments, merges a field selected twice, and flattens lists of lists', () => {
    const query = `query Q { contract(code: "C") { ...Head axes { number } code } matrix }
      fragment Head on Contract { code name }`;
    const { columns, rows } = flatten(query, { contract: { code: 'C', name: 'N', axes: [{ number: 1 }] }, matrix: [[1, 2], [3]] });
    expect(columns).toEqual([
      { key: 'contract.code', type: 'text' },
      { key: 'contract.name', type: 'text' },
      { key: 'contract.axes.number', type: 'integer' },
      { key: 'matrix', type: 'integer' },
    ]);
    expect(rows).toEqual([
      { 'contract.code': 'C', 'contract.name': 'N', 'contract.axes.number': 1 },
      { 'contract.code': 'C', 'contract.name': 'N', matrix: 1 },
      { 'contract.code': 'C', 'contract.name': 'N', matrix: 2 },
      { 'contract.code': 'C', 'contract.name': 'N', matrix: 3 },
    ]);
  });
});
