import { GraphQLError } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { recordAudit } from '../audit/audit.service';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { ApiToken } from './api-token.entity';
import { requireAdmin } from '../request/authorisation';
import { revokeToken } from './token.service';

@Resolver(() => ApiToken)
export class TokenResolver {
  @Query(() => [ApiToken], { description: 'Les jetons d’accès (jamais leur secret ni son empreinte), par numéro. Réservé aux administrateurs.' })
  async tokens(@Ctx() ctx: RequestContext): Promise<ApiToken[]> {
    requireAdmin(ctx, 'la liste des jetons');
    return ctx.dataSource.getRepository(ApiToken).find({ order: { id: 'ASC' } });
  }

  @Mutation(() => ApiToken, { description: 'Révoque un jeton : il est refusé dès la requête suivante, partout (GraphQL, HTTP, rapports). Réservé aux administrateurs.' })
  async revokeToken(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ApiToken> {
    const identity = requireAdmin(ctx, 'révoquer un jeton');
    const revoked = /^\d{1,10}$/.test(id)
      ? await revokeToken(ctx.dataSource, Number(id), (manager, token) =>
          recordAudit(manager, identity, { action: 'TOKEN_REVOKE', target: { kind: 'api_token', id: token.id }, detail: { name: token.name, role: token.role } }),
        )
      : null;
    if (!revoked) throw new GraphQLError(`Le jeton n° ${id} n'existe pas.`, { extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
    return revoked.token;
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'L’organisation d’un jeton d’éditeur' })
  async organisation(@Root() token: ApiToken, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> {
    return token.organisationId ? ((await loaders.organisationById.load(token.organisationId)) ?? null) : null;
  }
}
