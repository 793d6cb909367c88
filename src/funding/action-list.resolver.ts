import { Args, ArgsType, Ctx, Field, Int, Query, Resolver } from 'type-graphql';
import { Action } from '../action/action.entity';
import { ActionFilter, filteredActions } from '../action/action.filter';
import { decodeCursor, decodeOffsetCursor, Page, PageType, pageSize, toOffsetPage, toPage } from '../common/pagination';
import { restrictToVisibleContracts, findReadableContract } from '../contract/contract.lookups';
import { RequestContext } from '../request/context';
import { ActionOrder, ActionOrderField, sortActions, SortDirection } from './action-order';

/** The `actions` list. In funding/ because it can sort by funding totals (action-order.ts). */

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
export class ActionListResolver {
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
}
