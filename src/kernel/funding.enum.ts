import { registerEnumType } from 'type-graphql';

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

registerEnumType(FundingStage, {
  name: 'FundingStage',
  description: 'Étape du financement',
  valuesConfig: {
    PLANNED: { description: 'Prévu' },
    REQUESTED: { description: 'Demandé' },
    GRANTED: { description: 'Attribué / engagé' },
    PAID: { description: 'Payé / mandaté' },
  },
});
registerEnumType(FundingInstrument, { name: 'FundingInstrument', description: 'Nature du financement' });
registerEnumType(CostBase, { name: 'CostBase', description: 'Base du coût : hors taxes ou toutes taxes comprises' });
