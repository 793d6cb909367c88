/** What an organisation is; drives how generic funder columns (Région, EPCI, Commune…) resolve. */
export enum OrganisationKind {
  STATE = 'STATE',
  STATE_OPERATOR = 'STATE_OPERATOR',
  REGION = 'REGION',
  DEPARTMENT = 'DEPARTMENT',
  EPCI = 'EPCI',
  COMMUNE = 'COMMUNE',
  EU = 'EU',
  COMPANY = 'COMPANY',
  ASSOCIATION = 'ASSOCIATION',
  OTHER = 'OTHER',
}
