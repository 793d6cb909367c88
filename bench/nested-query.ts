/** The data model's nested query (contract → axes → orientations → actions → fundings / indicators): the
 * one the tests count statements for and bench:reports times. */
export const NESTED_QUERY = /* GraphQL */ `
  query Nested($code: String!) {
    contract(code: $code) {
      code
      axes {
        number
        orientations {
          code
          actions {
            code
            fundings {
              amount
              year
              funder { name }
              programme { code }
              beneficiary { name }
              source { sheet cell reference }
            }
            indicators {
              code
              values { year value stage }
            }
          }
        }
      }
    }
  }
`;
