import { Arg, Ctx, Field, InputType, Query, Resolver } from 'type-graphql';
import { Brackets } from 'typeorm';
import { normaliseText } from '../kernel/normalise-text';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { findReadableContract } from './contract.lookups';

/**
 * The `organisations` query. Here, not in organisation/, because its filter takes a contract (its parties
 * and the communes of its perimeter): organisation/ is below contract/ (docs/architecture.md).
 */
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
export class OrganisationListResolver {
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
}
