/**
 * Which funding lines count, in one place: a line is valid while it has not been superseded (or, seen
 * from a past moment, was created before it and not yet superseded then); and a valid line is counted
 * unless the funder itself declared the same (action, funder, year, stage) — the funder's own figure
 * wins, the other stays listed as a conflict (docs/design.md: never summed).
 */
/** SQL: `alias` is valid (now, or at `:asOf` when given). */
export function validSql(alias: string, asOf: boolean): string {
  return asOf ? `(${alias}.created_at <= :asOf AND (${alias}.superseded_at IS NULL OR ${alias}.superseded_at > :asOf))` : `${alias}.superseded_at IS NULL`;
}

/** SQL: the funder's own valid declaration of the same fact, which makes `alias` not counted. */
export function overriddenSql(alias: string, asOf: boolean): string {
  const own = `${alias}_own`;
  return `EXISTS (SELECT 1 FROM funding ${own} WHERE ${own}.action_id = ${alias}.action_id AND ${own}.funder_id = ${alias}.funder_id
    AND ${own}.year = ${alias}.year AND ${own}.stage = ${alias}.stage AND ${own}.source_id = ${own}.funder_id AND ${own}.id <> ${alias}.id
    AND ${validSql(own, asOf)})`;
}

/** SQL: `alias` is valid and counted. */
export function countedSql(alias: string, asOf: boolean): string {
  return `(${validSql(alias, asOf)} AND (${alias}.source_id IS NULL OR ${alias}.source_id = ${alias}.funder_id OR NOT ${overriddenSql(alias, asOf)}))`;
}
