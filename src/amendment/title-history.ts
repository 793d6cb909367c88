import { AmendmentChangeKind } from '../kernel/amendment-change-kind.enum';

/**
 * SQL: the title `alias` (an axis or an orientation) had on :on (AAAA-MM-JJ) — the previous title of its
 * first rename by an amendment dated after that day; NULL when none was renamed since (its title is today's).
 */
export function titleThenSql(alias: string, column: 'axis_id' | 'orientation_id'): string {
  return `(SELECT title_change.previous_title FROM amendment_change title_change
    WHERE title_change.${column} = ${alias}.id AND title_change.kind = '${column === 'axis_id' ? AmendmentChangeKind.RENAME_AXIS : AmendmentChangeKind.RENAME_ORIENTATION}' AND title_change.effective_on > :on
    ORDER BY title_change.effective_on ASC, title_change.id ASC LIMIT 1)`;
}
