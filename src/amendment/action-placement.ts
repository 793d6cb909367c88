import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AmendmentChangeRow } from './amendment-change.entity';

/**
 * Where an action stood at a date, in SQL. action.orientation_id is where it is now; its moves by
 * amendments are kept (amendment_change, MOVE_ACTION: the only rows with an action_id), so at a date it was in the `from` orientation of its
 * first move dated after that day, or, when it has not moved since, where it is now.
 * « First » is the lowest id: amendments of a contract are recorded in the order of their dates
 * (amendment.service.ts refuses one dated before the last), so ids follow the dates.
 * The date is the parameter :structureOn (AAAA-MM-JJ, structureDateOf).
 */

/** The condition joining `moveAlias` (an amendment_change) as the first move of `actionAlias` after :structureOn. */
export function firstMoveAfterSql(actionAlias: string, moveAlias: string): string {
  return `${moveAlias}.id = (SELECT MIN(later_move.id) FROM amendment_change later_move
    WHERE later_move.action_id = ${actionAlias}.id AND later_move.effective_on > :structureOn)`;
}

/** The orientation of `actionAlias` at :structureOn, over the join of firstMoveAfterSql. */
export function placedOrientationSql(actionAlias: string, moveAlias: string): string {
  return `(CASE WHEN ${moveAlias}.id IS NULL THEN ${actionAlias}.orientation_id ELSE ${moveAlias}.from_orientation_id END)`;
}

/**
 * SQL: the orientation of `actionAlias` now, or the one it had on the day `on` (AAAA-MM-JJ): then its first
 * move after that day is joined to `query` (as `<actionAlias>_move`) and says where it was.
 */
export function placedOrientation<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, actionAlias: string, on: string | null): string {
  if (on === null) return `${actionAlias}.orientation_id`;
  const move = `${actionAlias}_move`;
  query.leftJoin(AmendmentChangeRow, move, firstMoveAfterSql(actionAlias, move), { structureOn: on });
  return placedOrientationSql(actionAlias, move);
}
