export enum FundingStage {
  PLANNED = 'PLANNED',
  REQUESTED = 'REQUESTED',
  GRANTED = 'GRANTED',
  PAID = 'PAID',
}

export enum FundingInstrument {
  SUBSIDY = 'SUBSIDY',
  LOAN = 'LOAN',
  ENGINEERING = 'ENGINEERING',
  OWN_FUNDS = 'OWN_FUNDS',
  TAX_RELIEF = 'TAX_RELIEF',
  OTHER = 'OTHER',
}

export enum CostBase {
  HT = 'HT',
  TTC = 'TTC',
}
