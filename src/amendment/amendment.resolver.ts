import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Contract } from '../contract/contract.entity';
import { RequestContext } from '../request/context';
import { Amendment } from './amendment.entity';
import { AmendmentChange } from './amendment.types';

@Resolver(() => Amendment)
export class AmendmentResolver {
  @FieldResolver(() => [AmendmentChange], { description: 'Ses modifications, dans l’ordre où elles ont été appliquées.' })
  changes(@Root() amendment: Amendment): AmendmentChange[] {
    return (JSON.parse(amendment.changesJson) as AmendmentChange[]).map((change) => Object.assign(new AmendmentChange(), change));
  }
}

@Resolver(() => Contract)
export class ContractAmendmentsResolver {
  @FieldResolver(() => [Amendment], { description: 'Les avenants du contrat, par date de signature.' })
  amendments(@Root() contract: Contract, @Ctx() { loaders }: RequestContext): Promise<Amendment[]> {
    return loaders.amendmentsByContract.load(contract.id);
  }
}
