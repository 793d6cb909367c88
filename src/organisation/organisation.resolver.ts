import { Arg, Ctx, Field, FieldResolver, InputType, Query, Resolver, Root } from 'type-graphql';
import { findReadableContract } from '../contract/contract.lookups';
import { Brackets } from 'typeorm';
import { normaliseText } from '../kernel/normalise-text';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { RequestContext } from '../request/context';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { OrganisationAlias } from './organisation-alias.entity';
import { Organisation } from './organisation.entity';

@InputType()
export class OrganisationFilter {
  @Field(() => String, { nullable: true, description: 'Code du contrat : ses parties et les communes de son périmètre' })
  contract?: string;

  @Field(() => OrganisationKind, { nullable: true })
  kind?: OrganisationKind;

  @Field(() => String, { nullable: true, description: 'Recherche dans le nom et les alias (sans accents ni casse)' })
  text?: string;
}

@Resolver(() => Organisation)
export class OrganisationResolver {
  @Query(() => [Organisation], { description: 'Organisations (financeurs, maîtres d’ouvrage, signataires), par nom.' })
  async organisations(
    @Arg('filter', () => OrganisationFilter, { nullable: true }) filter: OrganisationFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Organisation[]> {
    const dataSource = ctx.dataSource;
    const query = dataSource.getRepository(Organisation).createQueryBuilder('organisation').orderBy('organisation.name', 'ASC');
    if (filter?.kind) query.andWhere('organisation.kind = :kind', { kind: filter.kind });
    if (filter?.contract) {
      const contract = await findReadableContract(ctx, filter.contract);
      if (!contract) return [];
      query.andWhere(
        new Brackets((where) =>
          where
            .where('organisation.id IN (SELECT party.organisation_id FROM contract_party party WHERE party.contract_id = :contractId)')
            .orWhere(
              `organisation.parent_id IN (SELECT party.organisation_id FROM contract_party party WHERE party.contract_id = :contractId AND party.role = :perimeter)`,
            ),
        ),
        { contractId: contract.id, perimeter: ContractPartyRole.PERIMETER },
      );
    }
    if (filter?.text) {
      const pattern = `%${normaliseText(filter.text)}%`;
      query.andWhere(
        new Brackets((where) =>
          where
            .where('LOWER(organisation.name) LIKE :raw', { raw: `%${filter.text!.toLowerCase()}%` })
            .orWhere('organisation.id IN (SELECT alias.organisation_id FROM organisation_alias alias WHERE alias.normalised LIKE :pattern)', { pattern }),
        ),
      );
    }
    return query.getMany();
  }

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
