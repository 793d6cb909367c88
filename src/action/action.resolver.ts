import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Contract } from '../contract/contract.entity';
import { findReadableContract } from '../contract/contract.lookups';
import { Orientation } from '../contract/orientation.entity';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { Action } from './action.entity';

/**
 * Action and its fields read from action/ and below. Fields that read another domain's rows are resolved
 * in that domain (docs/architecture.md): fundings and totals in funding/structure-funding.resolver.ts,
 * indicators in indicator/structure-indicators.resolver.ts; the `actions` list, which can sort by funding
 * totals, in funding/action-list.resolver.ts.
 */
@Resolver(() => Action)
export class ActionResolver {
  @Query(() => Action, { nullable: true, description: 'Une action par le code de son contrat et son propre code.' })
  async action(@Arg('contract') contractCode: string, @Arg('code') code: string, @Ctx() ctx: RequestContext): Promise<Action | null> {
    await findReadableContract(ctx, contractCode);
    return ctx.dataSource
      .getRepository(Action)
      .createQueryBuilder('action')
      .innerJoin(Contract, 'contract', 'contract.id = action.contract_id')
      .where('contract.code = :contractCode AND action.code = :code', { contractCode, code })
      .getOne();
  }

  @FieldResolver(() => Contract)
  async contract(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Contract> {
    return (await loaders.contractById.load(action.contractId))!;
  }

  @FieldResolver(() => Orientation, {
    nullable: true,
    description: 'Vide pour une action à classer. Dans un arbre lu à une date (asOf), l’orientation où elle était ce jour-là, sous son intitulé d’alors.',
  })
  orientation(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Orientation | null> {
    if (!action.orientationId) return Promise.resolve(null);
    // Read in a dated tree: orientationId is already the one it had then (amendment.loaders.ts).
    if (action.structureAsOf) return loaders.structureOn(action.structureAsOf).orientationById.load(action.orientationId);
    return loaders.orientationById.load(action.orientationId);
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'Maître d’ouvrage' })
  lead(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> {
    return action.leadId ? loaders.organisationById.load(action.leadId) : Promise.resolve(null);
  }

  @FieldResolver(() => [Organisation], { description: 'Communes concernées' })
  async communes(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Organisation[]> {
    return (await loaders.communesByAction.load(action.id)).map((row) => row.organisation);
  }
}

