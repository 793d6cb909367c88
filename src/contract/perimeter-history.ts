import { Organisation } from '../organisation/organisation.entity';
import { AmendmentChangeKind } from '../kernel/amendment-change-kind.enum';

/** A change of the perimeter by an amendment: a commune, or an EPCI with its communes, in or out. */
export interface PerimeterChange {
  /** The commune (ADD_COMMUNE, REMOVE_COMMUNE) or the EPCI (ADD_EPCI, REMOVE_EPCI). */
  organisation: Organisation | null;
  kind: AmendmentChangeKind;
  effectiveOn: string;
}

/**
 * A contract's communes on a date (null: today, every change being in force, as none is dated after
 * today). Today's EPCIs are the contract's parties (`epciIds`); those it had before its first amendment
 * are found by undoing the EPCI changes; from their communes (`communesOf`), the changes (in the order of
 * their dates) are replayed up to that date: a commune in or out, an EPCI in or out with its communes.
 * By name, as Contract.communes lists them.
 */
export function communesInForce(
  epciIds: readonly number[],
  communesOf: (epciId: number) => readonly Organisation[],
  changes: readonly PerimeterChange[],
  on: string | null,
): Organisation[] {
  const first = new Set(epciIds);
  for (const change of [...changes].reverse()) {
    if (!change.organisation) continue;
    if (change.kind === AmendmentChangeKind.ADD_EPCI) first.delete(change.organisation.id);
    else if (change.kind === AmendmentChangeKind.REMOVE_EPCI) first.add(change.organisation.id);
  }
  const communes = new Map<number, Organisation>();
  for (const epciId of first) for (const commune of communesOf(epciId)) communes.set(commune.id, commune);
  for (const change of changes) {
    if (on !== null && change.effectiveOn > on) break;
    if (!change.organisation) continue;
    if (change.kind === AmendmentChangeKind.ADD_COMMUNE) communes.set(change.organisation.id, change.organisation);
    else if (change.kind === AmendmentChangeKind.REMOVE_COMMUNE) communes.delete(change.organisation.id);
    else if (change.kind === AmendmentChangeKind.ADD_EPCI) for (const commune of communesOf(change.organisation.id)) communes.set(commune.id, commune);
    else if (change.kind === AmendmentChangeKind.REMOVE_EPCI) for (const commune of communesOf(change.organisation.id)) communes.delete(commune.id);
  }
  return [...communes.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

/** The EPCIs among the changes (their communes are needed to replay them). */
export function epcisOfChanges(changes: readonly PerimeterChange[]): number[] {
  return changes
    .filter((change) => (change.kind === AmendmentChangeKind.ADD_EPCI || change.kind === AmendmentChangeKind.REMOVE_EPCI) && change.organisation)
    .map((change) => change.organisation!.id);
}

/** A contract's EPCIs on a date (null: today): today's (`epciIds`), the EPCI changes dated after it undone. */
export function epcisInForce(epciIds: readonly number[], changes: readonly PerimeterChange[], on: string | null): Set<number> {
  const epcis = new Set(epciIds);
  if (on === null) return epcis;
  for (const change of [...changes].reverse()) {
    if (change.effectiveOn <= on || !change.organisation) continue;
    if (change.kind === AmendmentChangeKind.ADD_EPCI) epcis.delete(change.organisation.id);
    else if (change.kind === AmendmentChangeKind.REMOVE_EPCI) epcis.add(change.organisation.id);
  }
  return epcis;
}
