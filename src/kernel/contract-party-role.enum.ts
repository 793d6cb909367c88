export enum ContractPartyRole {
  SIGNATORY = 'SIGNATORY',
  PARTNER = 'PARTNER',
  /** An EPCI whose communes make up the contract's territory. */
  PERIMETER = 'PERIMETER',
}
