import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { Role } from '../kernel/role.enum';

@ObjectType({ description: 'Le porteur du jeton de la requête : son nom, son rôle, son organisation.' })
export class CurrentIdentity {
  @Field()
  name: string;

  @Field(() => Role)
  role: Role;

  @Field(() => Organisation, { nullable: true, description: 'Un éditeur n’importe qu’au nom de son organisation' })
  organisation: Organisation | null;
}

@Resolver()
export class MeResolver {
  @Query(() => CurrentIdentity, { nullable: true, description: 'Qui fait la requête ; vide sans jeton. Les pages web s’en servent pour limiter ce qu’elles proposent.' })
  async me(@Ctx() { identity, loaders }: RequestContext): Promise<CurrentIdentity | null> {
    if (!identity) return null;
    const organisation = identity.organisationId ? await loaders.organisationById.load(identity.organisationId) : null;
    return { name: identity.name, role: identity.role, organisation };
  }
}
