import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RequestContext } from '../request/context';
import { OrganisationAlias } from './organisation-alias.entity';
import { Organisation } from './organisation.entity';

@Resolver(() => Organisation)
export class OrganisationResolver {
  @FieldResolver(() => [String], { description: 'Orthographes connues (alias)' })
  async aliases(@Root() organisation: Organisation, @Ctx() { loaders }: RequestContext): Promise<string[]> {
    const aliases: OrganisationAlias[] = await loaders.aliasesByOrganisation.load(organisation.id);
    return aliases.map((alias) => alias.alias);
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'Pour une commune : son EPCI' })
  parent(@Root() organisation: Organisation, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> {
    return organisation.parentId ? loaders.organisationById.load(organisation.parentId) : Promise.resolve(null);
  }

  @FieldResolver(() => [Organisation], { description: 'Pour un EPCI : ses communes membres' })
  communes(@Root() organisation: Organisation, @Ctx() { loaders }: RequestContext): Promise<Organisation[]> {
    return loaders.communesByEpci.load(organisation.id);
  }
}
