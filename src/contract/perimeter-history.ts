import { Organisation } from '../organisation/organisation.entity';
import { AmendmentChangeKind } from '../kernel/amendment-change-kind.enum';

/** A commune's change of perimeter, with its commune. */
export interface CommuneChange {
  organisation: Organisation | null;
  kind: AmendmentChangeKind;
  effectiveOn: string;
}

/**
 * A contract's communes on a date (null: today, every change being in force, as none is dated after
 * today): those of its EPCIs (`base`), then for each commune its last change on or before that date
 * (`changes` in the order of their dates). By name, as Contract.communes lists them.
 */
export function communesInForce(base: readonly Organisation[], changes: readonly CommuneChange[], on: string | null): Organisation[] {
  const communes = new Map(base.map((commune) => [commune.id, commune]));
  for (const change of changes) {
    if (on !== null && change.effectiveOn > on) break;
    if (!change.organisation) continue;
    if (change.kind === AmendmentChangeKind.ADD_COMMUNE) communes.set(change.organisation.id, change.organisation);
    else if (change.kind === AmendmentChangeKind.REMOVE_COMMUNE) communes.delete(change.organisation.id);
  }
  return [...communes.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}
