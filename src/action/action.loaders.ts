import type DataLoader from 'dataloader';
import { DataSource, In } from 'typeorm';
import { byIdLoader, groupLoader } from '../common/batch-loader';
import { selectOwnColumns } from '../sql/raw-rows';
import { Organisation } from '../organisation/organisation.entity';
import { ActionCommune } from './action-commune.entity';
import { Action } from './action.entity';

export interface ActionCommuneRow {
  actionId: number;
  organisation: Organisation;
}

export interface ActionLoaders {
  actionById: DataLoader<number, Action | null>;
  actionsByOrientation: DataLoader<number, Action[]>;
  communesByAction: DataLoader<number, ActionCommuneRow[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends ActionLoaders {}
}

export function createActionLoaders(dataSource: DataSource): ActionLoaders {
  return {
    actionById: byIdLoader((ids) => dataSource.getRepository(Action).find({ where: { id: In([...ids]) } })),
    /**
     * Read as raw rows (selectOwnColumns): a large contract's actions come in one statement, and the
     * hydration of 10 000 entities held the event loop for a few hundred milliseconds.
     */
    actionsByOrientation: groupLoader(
      async (ids) => {
        const query = dataSource.getRepository(Action).createQueryBuilder('action');
        const read = selectOwnColumns(dataSource, Action, query, 'action', { first: true });
        const rows = await query.where('action.orientation_id IN (:...ids)', { ids }).orderBy('action.code', 'ASC').getRawMany<Record<string, unknown>>();
        return rows.map((row) => read(row)!);
      },
      (action) => action.orientationId!,
    ),
    communesByAction: groupLoader<ActionCommuneRow>(
      async (ids) => {
        const rows = await dataSource
          .getRepository(ActionCommune)
          .createQueryBuilder('link')
          .innerJoinAndSelect('link.organisation', 'organisation')
          .where('link.action_id IN (:...ids)', { ids })
          .orderBy('organisation.name', 'ASC')
          .getMany();
        return rows.map((row) => ({ actionId: row.actionId, organisation: row.organisation as Organisation }));
      },
      (row) => row.actionId,
    ),
  };
}
