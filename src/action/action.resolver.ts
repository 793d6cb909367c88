import { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Float, Info, InputType, Int, Query, registerEnumType, Resolver, Root } from 'type-graphql';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { DecimalScalar } from '../common/decimal.scalar';
import { formatCents, parseCents } from '../kernel/money';
import { normaliseText } from '../kernel/normalise-text';
import { decodeCursor, decodeOffsetCursor, Page, PageType, pageSize, toOffsetPage, toPage } from '../common/pagination';
import { Contract } from '../contract/contract.entity';
import { findReadableContract, restrictToVisibleContracts } from '../contract/contract.lookups';
import { Orientation } from '../contract/orientation.entity';
import { sumCentsSql } from '../sql/money-sql';
import { countedSql } from '../funding/funding-visibility';
import { Funding } from '../funding/funding.entity';
import { FundingStage } from '../kernel/funding.enum';
import { Indicator } from '../indicator/indicator.entity';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { selectionOf } from '../request/selection';
import { ActionStatus } from '../kernel/action-status.enum';
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

export enum ActionOrderField {
  ID = 'ID',
  CODE = 'CODE',
  TITLE = 'TITLE',
  TOTAL_COST = 'TOTAL_COST',
  FUNDING_TOTAL = 'FUNDING_TOTAL',
  COVERAGE = 'COVERAGE',
}
registerEnumType(ActionOrderField, {
  name: 'ActionOrderField',
  valuesConfig: {
    ID: { description: 'Ordre de création (par défaut)' },
    CODE: { description: 'Code de l’action' },
    TITLE: { description: 'Intitulé' },
    TOTAL_COST: { description: 'Coût total' },
    FUNDING_TOTAL: { description: 'Total des financements en vigueur à l’étape choisie' },
    COVERAGE: { description: 'Part du coût couverte par les financements de l’étape choisie' },
  },
});

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

@InputType({ description: 'Tri des actions ; les valeurs absentes (coût inconnu…) viennent toujours en dernier.' })
export class ActionOrder {
  @Field(() => ActionOrderField)
  field: ActionOrderField;

  @Field(() => SortDirection, { defaultValue: SortDirection.ASC })
  direction: SortDirection;

  @Field(() => FundingStage, { defaultValue: FundingStage.PLANNED, description: 'Étape des financements pour FUNDING_TOTAL et COVERAGE' })
  stage: FundingStage;
}

@ArgsType()
export class ActionsArgs {
  @Field(() => ActionOrder, { nullable: true })
  orderBy?: ActionOrder;

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
  async action(@Arg('contract') contractCode: string, @Arg('code') code: string, @Ctx() ctx: RequestContext): Promise<Action | null> {
    await findReadableContract(ctx, contractCode);
    return ctx.dataSource
      .getRepository(Action)
      .createQueryBuilder('action')
      .innerJoin(Contract, 'contract', 'contract.id = action.contract_id')
      .where('contract.code = :contractCode AND action.code = :code', { contractCode, code })
      .getOne();
  }

  @Query(() => ActionPage, { description: 'Actions filtrées et triées (par défaut : identifiant croissant), par pages.' })
  async actions(@Args(() => ActionsArgs) { filter, first, after, orderBy }: ActionsArgs, @Ctx() ctx: RequestContext): Promise<Page<Action>> {
    const dataSource = ctx.dataSource;
    const limit = pageSize(first);
    if (filter?.contract) await findReadableContract(ctx, filter.contract);
    const query = restrictToVisibleContracts(ctx, filteredActions(dataSource, filter ?? {}), 'action.contract_id');
    const totalCount = await query.clone().getCount();
    if (!orderBy || orderBy.field === ActionOrderField.ID) {
      const descending = orderBy?.direction === SortDirection.DESC;
      if (after) query.andWhere(descending ? 'action.id < :afterId' : 'action.id > :afterId', { afterId: decodeCursor(after) });
      const rows = await query.orderBy('action.id', descending ? 'DESC' : 'ASC').take(limit + 1).getMany();
      return toPage(rows, limit, totalCount);
    }
    // Sorted by a value: the cursor is a position in the sorted list.
    const offset = after ? decodeOffsetCursor(after) : 0;
    const rows = await sortActions(dataSource, query, orderBy).limit(limit + 1).offset(offset).getMany();
    return toOffsetPage(rows, limit, totalCount, offset);
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
  fundings(@Root() action: Action, @Ctx() { loaders }: RequestContext, @Info() info: GraphQLResolveInfo): Promise<Funding[]> {
    return loaders.fundingsByAction(selectionOf(info)).load(action.id);
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

/** Orders by the chosen value, missing values last, then by id so that pages never overlap. */
function sortActions(dataSource: DataSource, query: SelectQueryBuilder<Action>, order: ActionOrder): SelectQueryBuilder<Action> {
  const direction = order.direction === SortDirection.DESC ? 'DESC' : 'ASC';
  let value: string;
  if (order.field === ActionOrderField.CODE) value = 'action.code';
  else if (order.field === ActionOrderField.TITLE) value = 'action.normalised_title';
  else if (order.field === ActionOrderField.TOTAL_COST) value = 'action.total_cost';
  else {
    query.leftJoin(
      (sub) =>
        sub
          .select('sort_funding.action_id', 'action_id')
          .addSelect(sumCentsSql(dataSource, 'sort_funding.amount'), 'cents')
          .from(Funding, 'sort_funding')
          .where(countedSql('sort_funding', false))
          .andWhere('sort_funding.stage = :sortStage', { sortStage: order.stage })
          .groupBy('sort_funding.action_id'),
      'sort_totals',
      'sort_totals.action_id = action.id',
    );
    // Coverage orders by a ratio of exact cents; the float only ranks, it is never shown.
    value =
      order.field === ActionOrderField.FUNDING_TOTAL
        ? 'COALESCE(sort_totals.cents, 0)'
        : 'CASE WHEN action.total_cost > 0 THEN COALESCE(sort_totals.cents, 0) / (action.total_cost * 100.0) END';
  }
  // Ordered by selected aliases: a bare column selected under another alias would hide the entity's own.
  return query
    .addSelect(`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`, 'sort_missing')
    .addSelect(`CASE WHEN ${value} IS NULL THEN NULL ELSE ${value} END`, 'sort_value')
    .orderBy('sort_missing', 'ASC')
    .addOrderBy('sort_value', direction)
    .addOrderBy('action.id', 'ASC');
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
