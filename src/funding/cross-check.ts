import { FundingDimension, groupKey } from './funding-group';
import { FundingGroupSum } from './funding-totals.service';

/** How the two slices of a cross-check compare for one group. */
export enum CrossCheckStatus {
  SAME = 'SAME',
  DIFFERENT = 'DIFFERENT',
  LEFT_ONLY = 'LEFT_ONLY',
  RIGHT_ONLY = 'RIGHT_ONLY',
}

export interface CrossCheckGroup {
  /** The group's dimension values (ids for objects), from whichever side has it. */
  group: FundingGroupSum;
  leftCents: bigint;
  leftLines: number;
  rightCents: bigint;
  rightLines: number;
  differenceCents: bigint;
  status: CrossCheckStatus;
}

/**
 * Puts two lists of sums over the same dimensions side by side: one entry per group found on either side,
 * the difference left − right in cents, in the order of the dimensions' values (missing values first).
 */
export function mergeCrossCheck(left: FundingGroupSum[], right: FundingGroupSum[], dimensions: readonly FundingDimension[]): CrossCheckGroup[] {
  const merged = new Map<string, CrossCheckGroup>();
  const entry = (group: FundingGroupSum): CrossCheckGroup => {
    const key = groupKey(group, dimensions);
    let found = merged.get(key);
    if (!found) {
      found = { group, leftCents: 0n, leftLines: 0, rightCents: 0n, rightLines: 0, differenceCents: 0n, status: CrossCheckStatus.SAME };
      merged.set(key, found);
    }
    return found;
  };
  for (const group of left) {
    const found = entry(group);
    found.leftCents += group.cents;
    found.leftLines += group.lines;
  }
  for (const group of right) {
    const found = entry(group);
    found.rightCents += group.cents;
    found.rightLines += group.lines;
  }
  for (const found of merged.values()) {
    found.differenceCents = found.leftCents - found.rightCents;
    if (found.rightLines === 0) found.status = CrossCheckStatus.LEFT_ONLY;
    else if (found.leftLines === 0) found.status = CrossCheckStatus.RIGHT_ONLY;
    else found.status = found.differenceCents === 0n ? CrossCheckStatus.SAME : CrossCheckStatus.DIFFERENT;
  }
  return [...merged.values()].sort((a, b) => compareGroups(a.group, b.group, dimensions));
}

function dimensionValue(group: FundingGroupSum, dimension: FundingDimension): string | number | null {
  const record = group as unknown as Record<string, string | number | null | undefined>;
  const value = dimension in DIRECT ? record[dimension] : record[`${dimension}Id`];
  return value ?? null;
}

const DIRECT: Partial<Record<FundingDimension, true>> = { year: true, stage: true, instrument: true, funderKind: true, creditNature: true };

function compareGroups(a: FundingGroupSum, b: FundingGroupSum, dimensions: readonly FundingDimension[]): number {
  for (const dimension of dimensions) {
    const x = dimensionValue(a, dimension);
    const y = dimensionValue(b, dimension);
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
