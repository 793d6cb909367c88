import DataLoader from 'dataloader';
import { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Action } from '../action/action.entity';
import { anyId, groupLoader, idsIn, loadersByKey } from '../common/batch-loader';
import { Axis } from '../contract/axis.entity';
import { Orientation } from '../contract/orientation.entity';
import { selectOwnColumns } from '../sql/raw-rows';
import { placedOrientation } from './action-placement';
import { AmendmentChangeRow } from './amendment-change.entity';
import { Amendment } from './amendment.entity';
import { inForceSql, structureDateOf } from '../contract/structure-date';
import { titleThenSql } from './title-history';

/**
 * A contract's structure as it stood on a date (asOf): the axes and orientations in force that day, under
 * the titles they had, and the actions where they were. One statement per level and date, as the current
 * structure's loaders (src/contract/contract.loaders.ts); each row read carries the moment (structureAsOf)
 * so that the levels under it are read at the same date.
 */
export interface StructureOnLoaders {
  axesByContract: DataLoader<number, Axis[]>;
  orientationsByAxis: DataLoader<number, Orientation[]>;
  orientationsByParent: DataLoader<number, Orientation[]>;
  actionsByOrientation: DataLoader<number, Action[]>;
  /** An axis by id, under its title that day (a dated orientation's axis). */
  axisById: DataLoader<number, Axis | null>;
  /** An orientation by id, under its title that day (an action's orientation, an orientation's parent, in a dated tree). */
  orientationById: DataLoader<number, Orientation | null>;
  /** An action by id, its orientationId the one it had that day (a line's action in fundings(asOf)). */
  actionById: DataLoader<number, Action | null>;
}

export interface AmendmentLoaders {
  /**
   * The structure at a moment (asOf), read on its UTC day; one set of loaders per moment in a request
   * (clearAll forgets them, as a mutation does). The rows carry the moment down (structureAsOf).
   */
  structureOn: ((moment: Date) => StructureOnLoaders) & { clearAll(): void };
  amendmentsByContract: DataLoader<number, Amendment[]>;
  /** Every commune change of a contract's perimeter, dated, with its commune. */
  communeChangesByContract: DataLoader<number, AmendmentChangeRow[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends AmendmentLoaders {}
}

export function createAmendmentLoaders(dataSource: DataSource): AmendmentLoaders {
  return {
    structureOn: loadersByKey(
      (moment: Date) => moment.toISOString(),
      (moment) => structureOnLoaders(dataSource, moment),
    ),
    amendmentsByContract: groupLoader(
      (ids) => dataSource.getRepository(Amendment).find({ where: { contractId: anyId(dataSource, ids) }, order: { signedOn: 'ASC', id: 'ASC' } }),
      (amendment) => amendment.contractId,
    ),
    communeChangesByContract: groupLoader(
      (ids) =>
        dataSource
          .getRepository(AmendmentChangeRow)
          .createQueryBuilder('change')
          .innerJoinAndSelect('change.organisation', 'organisation')
          .where(...idsIn(dataSource, 'change.contract_id', ids))
          .andWhere('change.organisation_id IS NOT NULL')
          .orderBy('change.effective_on', 'ASC')
          .addOrderBy('change.id', 'ASC')
          .getMany(),
      (change) => change.contractId,
    ),
  };
}

function structureOnLoaders(dataSource: DataSource, moment: Date): StructureOnLoaders {
  const on = structureDateOf(moment);
  /** Rows of `entity` read as they stood on `on`: in force then, under their title then. */
  const datedRows = async <T extends Axis | Orientation>(
    entity: new () => T,
    alias: string,
    column: 'axis_id' | 'orientation_id',
    where: (query: SelectQueryBuilder<ObjectLiteral>) => void,
    order: string,
    inForceOnly = true,
  ): Promise<T[]> => {
    const query = dataSource.getRepository(entity as new () => ObjectLiteral).createQueryBuilder(alias);
    const read = selectOwnColumns<T>(dataSource, entity, query, alias, { first: true });
    query.addSelect(titleThenSql(alias, column), 'title_then');
    where(query);
    // :on is also titleThenSql's parameter.
    query.andWhere(inForceOnly ? inForceSql(alias, on) : '1 = 1', { on }).orderBy(`${alias}.${order}`, 'ASC');
    const rows = await query.getRawMany<Record<string, unknown>>();
    return rows.map((row) => {
      const item = read(row)!;
      if (row.title_then !== null && row.title_then !== undefined) item.title = String(row.title_then);
      item.structureAsOf = moment;
      return item;
    });
  };
  /** Actions with the orientation each had on `on` (orientationId), marked as read at `moment`. */
  const placedActions = async (where: (query: SelectQueryBuilder<Action>, placed: string) => void): Promise<Action[]> => {
    const query = dataSource.getRepository(Action).createQueryBuilder('action');
    const read = selectOwnColumns(dataSource, Action, query, 'action', { first: true });
    const placed = placedOrientation(query, 'action', on);
    query.addSelect(placed, 'placed_orientation_id');
    where(query, placed);
    const rows = await query.orderBy('action.code', 'ASC').getRawMany<Record<string, unknown>>();
    return rows.map((row) => {
      const action = read(row)!;
      const orientationId = row.placed_orientation_id;
      action.orientationId = orientationId === null || orientationId === undefined ? null : Number(orientationId);
      action.structureAsOf = moment;
      return action;
    });
  };
  return {
    axesByContract: groupLoader(
      (ids) => datedRows(Axis, 'axis', 'axis_id', (query) => query.where(...idsIn(dataSource, 'axis.contract_id', ids)), 'number'),
      (axis) => axis.contractId,
    ),
    orientationsByAxis: groupLoader(
      (ids) => datedRows(Orientation, 'orientation', 'orientation_id', (query) => query.where(...idsIn(dataSource, 'orientation.axis_id', ids)).andWhere('orientation.parent_id IS NULL'), 'code'),
      (orientation) => orientation.axisId,
    ),
    orientationsByParent: groupLoader(
      (ids) => datedRows(Orientation, 'orientation', 'orientation_id', (query) => query.where(...idsIn(dataSource, 'orientation.parent_id', ids)), 'code'),
      (orientation) => orientation.parentId!,
    ),
    /** The actions placed in these orientations on that day; each one's orientationId is the one it had then. */
    actionsByOrientation: groupLoader(
      (ids) =>
        placedActions((query, placed) => {
          const scope = idsIn(dataSource, 'scope_orientation.id', ids, 'scopeIds');
          // The contracts of these orientations first (the index on contract), then where each action was.
          query
            .where(`action.contract_id IN (SELECT scope_orientation.contract_id FROM orientation scope_orientation WHERE ${scope[0]})`, scope[1])
            .andWhere(...idsIn(dataSource, placed, ids, 'placedIds'));
        }),
      (action) => action.orientationId!,
    ),
    axisById: new DataLoader(async (ids) => {
      const rows = await datedRows(Axis, 'axis', 'axis_id', (query) => query.where(...idsIn(dataSource, 'axis.id', ids)), 'number', false);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    orientationById: new DataLoader(async (ids) => {
      const rows = await datedRows(Orientation, 'orientation', 'orientation_id', (query) => query.where(...idsIn(dataSource, 'orientation.id', ids)), 'code', false);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    actionById: new DataLoader(async (ids) => {
      const rows = await placedActions((query) => query.where(...idsIn(dataSource, 'action.id', ids)));
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
