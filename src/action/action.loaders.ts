import type DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { anyId, byIdLoader, groupLoader, idsIn, loadersByKey } from '../common/batch-loader';
import { mapRows, readArrayRows } from '../sql/array-rows';
import { selectColumns } from '../sql/raw-rows';
import { columnsFor, Selection } from '../request/selection';
import { Organisation } from '../organisation/organisation.entity';
import { ActionCommune } from './action-commune.entity';
import { Action } from './action.entity';

export interface ActionCommuneRow {
  actionId: number;
  organisation: Organisation;
}

export interface ActionLoaders {
  actionById: DataLoader<number, Action | null>;
  /** One loader per distinct selection of the actions (its columns only), as fundingsByAction. */
  actionsByOrientation(selection: Selection): DataLoader<number, Action[]>;
  communesByAction: DataLoader<number, ActionCommuneRow[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends ActionLoaders {}
}

/** What each field resolver of Action reads of its row (a resolver not listed: every column). */
const ACTION_RESOLVERS: Partial<Record<string, ReadonlyArray<keyof Action & string>>> = {
  contract: ['contractId'],
  orientation: ['orientationId'],
  lead: ['leadId'],
  communes: [],
  fundings: [],
  indicators: [],
};

/** The columns of an action that a selection of `Action` needs. */
function actionColumns(dataSource: DataSource, selection: Selection) {
  return columnsFor(dataSource, Action, selection, ['orientationId'], ACTION_RESOLVERS);
}

export function createActionLoaders(dataSource: DataSource): ActionLoaders {
  return {
    actionById: byIdLoader((ids) => dataSource.getRepository(Action).find({ where: { id: anyId(dataSource, ids) } })),
    /**
     * Read as raw rows (selectColumns): a large contract's actions come in one statement, and the
     * hydration of 10 000 entities held the event loop for a few hundred milliseconds. Only the columns
     * the selection needs: 50 000 actions × every column was a sixth of the nested query's values.
     */
    actionsByOrientation: loadersByKey(
      (selection: Selection) => actionColumns(dataSource, selection).map((column) => column.propertyName).join(','),
      (selection) => {
        const columns = actionColumns(dataSource, selection);
        return groupLoader(
          async (ids) => {
            const query = dataSource.getRepository(Action).createQueryBuilder('action');
            const read = selectColumns(dataSource, Action, query, 'action', columns, { first: true });
            query.where(...idsIn(dataSource, 'action.orientation_id', ids)).orderBy('action.code', 'ASC');
            const { columns: names, rows } = await readArrayRows(dataSource, query);
            const readAt = read.at(names);
            return mapRows(rows, (row) => readAt(row)!);
          },
          (action) => action.orientationId!,
        );
      },
    ),
    communesByAction: groupLoader<ActionCommuneRow>(
      async (ids) => {
        const rows = await dataSource
          .getRepository(ActionCommune)
          .createQueryBuilder('link')
          .innerJoinAndSelect('link.organisation', 'organisation')
          .where(...idsIn(dataSource, 'link.action_id', ids))
          .orderBy('organisation.name', 'ASC')
          .getMany();
        return rows.map((row) => ({ actionId: row.actionId, organisation: row.organisation as Organisation }));
      },
      (row) => row.actionId,
    ),
  };
}
