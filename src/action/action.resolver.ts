import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Float, InputType, Int, Query, Resolver, Root } from 'type-graphql';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { DecimalScalar } from '../common/decimal.scalar';
import { formatCents, parseCents } from '../common/money';
import { normaliseText } from '../common/normalise-text';
import { decodeCursor, Page, PageType, pageSize, toPage } from '../common/pagination';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { Funding } from '../funding/funding.entity';
import { FundingStage } from '../funding/funding.enums';
import { Indicator } from '../indicator/indicator.entity';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../server/context';
import { ActionStatus } from './action-status.enum';
import { Action } from './action.entity';

@InputType()
export class ActionFilter {
  @Field(() => String, { nullable: true, description: 'Code du contrat' })
  contract?: string;

  @Field(() => Int, { nullable: true, description: 'Numéro de l’axe' })
  axis?: number;

  @Field(() => String, { nullable: true, description: 'Code de l’orientation, ex. "1.2"; "none" pour les actions à classer' })
  orientation?: string;

  @Field(() => String, { nullable: true, description: 'Maître d’ouvrage : identifiant, SIREN ou nom exact' })
  lead?: string;

  @Field(() => [ActionStatus], { nullable: true })
  status?: ActionStatus[];

  @Field(() => String, { nullable: true, description: 'Recherche dans le code et l’intitulé (sans accents ni casse)' })
  text?: string;
}

@ArgsType()
export class ActionsArgs {
  @Field(() => ActionFilter, { nullable: true })
  filter?: ActionFilter;

  @Field(() => Int, { nullable: true, description: 'Taille de la page (défaut 50, maximum 500)' })
  first?: number;

  @Field(() => String, { nullable: true, description: 'Curseur de fin de la page précédente' })
  after?: string;
}

export const ActionPage = PageType(Action, 'ActionPage');

@Resolver(() => Action)
export class ActionResolver {
  @Query(() => Action, { nullable: true, description: 'Une action par le code de son contrat et son propre code.' })
  async action(@Arg('contract') contractCode: string, @Arg('code') code: string, @Ctx() { dataSource }: RequestContext): Promise<Action | null> {
    return dataSource
      .getRepository(Action)
      .createQueryBuilder('action')
      .innerJoin(Contract, 'contract', 'contract.id = action.contract_id')
      .where('contract.code = :contractCode AND action.code = :code', { contractCode, code })
      .getOne();
  }

  @Query(() => ActionPage, { description: 'Actions filtrées, par pages (ordre stable : identifiant croissant).' })
  async actions(@Args(() => ActionsArgs) { filter, first, after }: ActionsArgs, @Ctx() { dataSource }: RequestContext): Promise<Page<Action>> {
    const limit = pageSize(first);
    const query = filteredActions(dataSource, filter ?? {});
    const totalCount = await query.clone().getCount();
    if (after) query.andWhere('action.id > :afterId', { afterId: decodeCursor(after) });
    const rows = await query.orderBy('action.id', 'ASC').take(limit + 1).getMany();
    return toPage(rows, limit, totalCount);
  }

  @FieldResolver(() => Contract)
  async contract(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Contract> {
    return (await loaders.contractById.load(action.contractId))!;
  }

  @FieldResolver(() => Orientation, { nullable: true, description: 'Vide pour une action à classer' })
  orientation(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Orientation | null> {
    return action.orientationId ? loaders.orientationById.load(action.orientationId) : Promise.resolve(null);
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'Maître d’ouvrage' })
  lead(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> {
    return action.leadId ? loaders.organisationById.load(action.leadId) : Promise.resolve(null);
  }

  @FieldResolver(() => [Organisation], { description: 'Communes concernées' })
  async communes(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Organisation[]> {
    return (await loaders.communesByAction.load(action.id)).map((row) => row.organisation);
  }

  @FieldResolver(() => [Funding], { description: 'Lignes de financement en vigueur (non remplacées)' })
  fundings(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Funding[]> {
    return loaders.fundingsByAction.load(action.id);
  }

  @FieldResolver(() => [Indicator])
  indicators(@Root() action: Action, @Ctx() { loaders }: RequestContext): Promise<Indicator[]> {
    return loaders.indicatorsByAction.load(action.id);
  }

  @FieldResolver(() => DecimalScalar, {
    description:
      'Total des financements en vigueur à une étape (prévu par défaut). Les étapes ne s’additionnent pas : un même euro peut être prévu, puis attribué, puis payé.',
  })
  async fundingTotal(
    @Root() action: Action,
    @Arg('stage', () => FundingStage, { defaultValue: FundingStage.PLANNED }) stage: FundingStage,
    @Ctx() { loaders }: RequestContext,
  ): Promise<string> {
    return formatCents(await stageTotalCents(action, stage, loaders));
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description: 'Part du coût total couverte par les financements de l’étape (0.5 = 50 %) ; vide sans coût connu.',
  })
  async coverage(
    @Root() action: Action,
    @Arg('stage', () => FundingStage, { defaultValue: FundingStage.PLANNED }) stage: FundingStage,
    @Ctx() { loaders }: RequestContext,
  ): Promise<number | null> {
    if (!action.totalCost) return null;
    const cost = parseCents(action.totalCost);
    if (cost <= 0n) return null;
    const funded = await stageTotalCents(action, stage, loaders);
    // A ratio, not money: computed from exact cents, rounded half up to 4 decimals.
    return Number((funded * 20000n / cost + 1n) / 2n) / 10000;
  }
}

async function stageTotalCents(action: Action, stage: FundingStage, loaders: RequestContext['loaders']): Promise<bigint> {
  const totals = await loaders.stageTotalsByAction.load(action.id);
  return totals.find((total) => total.stage === stage)?.cents ?? 0n;
}

export function filteredActions(dataSource: DataSource, filter: ActionFilter): SelectQueryBuilder<Action> {
  const query = dataSource.getRepository(Action).createQueryBuilder('action');
  if (filter.contract) {
    query.innerJoin(Contract, 'contract', 'contract.id = action.contract_id').andWhere('contract.code = :contractCode', { contractCode: filter.contract });
  }
  if (filter.axis !== undefined && filter.axis !== null) {
    query
      .innerJoin('action.orientation', 'axisOrientation')
      .innerJoin('axisOrientation.axis', 'axis')
      .andWhere('axis.number = :axisNumber', { axisNumber: filter.axis });
  }
  if (filter.orientation === 'none') query.andWhere('action.orientation_id IS NULL');
  else if (filter.orientation) {
    query.innerJoin('action.orientation', 'orientation').andWhere('orientation.code = :orientationCode', { orientationCode: filter.orientation });
  }
  if (filter.lead) {
    query.innerJoin('action.lead', 'lead').andWhere(
      new Brackets((where) => {
        if (/^\d+$/.test(filter.lead!)) where.where('lead.id = :leadId', { leadId: Number(filter.lead) }).orWhere('lead.siren = :lead');
        else where.where('lead.name = :lead').orWhere('lead.short_name = :lead');
      }),
      { lead: filter.lead },
    );
  }
  if (filter.status?.length) query.andWhere('action.status IN (:...statuses)', { statuses: filter.status });
  if (filter.text) {
    const pattern = `%${normaliseText(filter.text)}%`;
    query.andWhere(new Brackets((where) => where.where('action.normalised_title LIKE :pattern').orWhere('LOWER(action.code) LIKE :code')), {
      pattern,
      code: `%${filter.text.toLowerCase()}%`,
    });
  }
  return query;
}
