import { Field, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../common/decimal.scalar';
import { formatCents } from '../kernel/money';
import { FundingGroup } from './funding-group';
import { FundingGroupSum } from './funding-totals.service';

/** The description of the totals asked of one axis or orientation. */
export const SCOPED_TOTALS_DESCRIPTION =
  'Montants en vigueur, exacts, regroupés (par année et étape par défaut) ; les étapes ne s’additionnent pas : un même euro peut être prévu, puis attribué, puis payé.';

@ObjectType({ description: 'Un groupe de lignes de financement : ses dimensions, son montant exact et son nombre de lignes.' })
export class FundingTotal extends FundingGroup {
  @Field(() => DecimalScalar)
  amount: string;

  @Field(() => Int, { description: 'Nombre de lignes comptées' })
  lines: number;
}

export function toFundingTotal({ cents, lines, ...group }: FundingGroupSum): FundingTotal {
  return Object.assign(new FundingTotal(), group, { amount: formatCents(cents), lines });
}
