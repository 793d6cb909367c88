export const AS_OF_DESCRIPTION = 'La structure telle qu’elle était à ce moment (avenants signés jusqu’à ce jour compris)';

/** Said of every field of the structure that takes asOf. */
export const AS_OF_STRUCTURE =
  'Avec asOf : tels qu’ils étaient ce jour-là, d’après les avenants (ceux ajoutés depuis absents, ceux fermés depuis présents, les intitulés d’alors) ; sans asOf, la date du niveau au-dessus, sinon aujourd’hui.';

/**
 * The day a moment falls on (UTC), at which the structure is read: an amendment signed on D is in force
 * from D at 00:00 UTC.
 */
export function structureDateOf(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/**
 * The day a level of the structure is read at: its own asOf, else the day its parent was read at (a
 * contract's axes asked asOf carry it down to their orientations and actions), else null: today, read
 * from the current rows (no amendment is dated after today).
 */
export function structureDate(asOf: Date | null | undefined, parent: object): string | null {
  const moment = structureMoment(asOf, parent);
  return moment === null ? null : structureDateOf(moment);
}

/**
 * The moment a level of the structure is read at, as structureDate: its own asOf, else its parent's (a
 * tree read asOf carries the moment down, so that the funding totals under it count the lines recorded by
 * then, as fundingTotals(asOf) does), else null: now.
 */
export function structureMoment(asOf: Date | null | undefined, parent: object): Date | null {
  return asOf ?? (parent as { structureAsOf?: Date }).structureAsOf ?? null;
}

/**
 * SQL: `alias` (an axis or an orientation) in force on the day `on` (parameter :on), or today when null:
 * not closed (no amendment is dated after today).
 */
export function inForceSql(alias: string, on: string | null): string {
  return on === null
    ? `${alias}.closed_on IS NULL`
    : `(${alias}.valid_from IS NULL OR ${alias}.valid_from <= :on) AND (${alias}.closed_on IS NULL OR ${alias}.closed_on > :on)`;
}
