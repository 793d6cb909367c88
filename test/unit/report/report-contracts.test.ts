import { buildSchema, parse } from 'graphql';
import { contractCodesOf } from '../../../src/report/report-contracts';

const schema = buildSchema(`
  input FundingFilter { contract: String funder: String year: Int }
  type Action { code: String! }
  type Contract { code: String! action(code: String!): Action }
  type Query {
    contract(code: String!): Contract
    action(code: String!, contract: String!): Action
    fundings(filter: FundingFilter): [Int!]!
    organisation(code: String!): Int
  }
`);

const codes = (query: string, variables: Record<string, unknown> = {}) => contractCodesOf(schema, parse(query), variables);

describe('contractCodesOf: the contract codes a report names', () => {
  it('finds contract(code:), a contract argument and a filter field, written or by variable', () => {
    expect(codes('{ contract(code: "A") { code } }')).toEqual([{ code: 'A', variable: null }]);
    expect(codes('query ($c: String!) { contract(code: $c) { code } }', { c: 'B' })).toEqual([{ code: 'B', variable: 'c' }]);
    expect(codes('{ action(code: "ACT-1", contract: "C") { code } }')).toEqual([{ code: 'C', variable: null }]);
    expect(codes('query ($k: String) { fundings(filter: { contract: $k, funder: "ADEME" }) }', { k: 'D' })).toEqual([{ code: 'D', variable: 'k' }]);
  });

  it('leaves out other code arguments, missing or empty values, and repeats', () => {
    // An action's code below a contract, an organisation's code: not contracts.
    expect(codes('{ contract(code: "A") { action(code: "X") { code } } organisation(code: "Y") }')).toEqual([{ code: 'A', variable: null }]);
    expect(codes('query ($k: String) { fundings(filter: { contract: $k }) }')).toEqual([]);
    expect(codes('query ($k: String) { fundings(filter: { contract: $k }) }', { k: '' })).toEqual([]);
    expect(codes('{ a: contract(code: "A") { code } b: contract(code: "A") { code } }')).toEqual([{ code: 'A', variable: null }]);
  });
});
