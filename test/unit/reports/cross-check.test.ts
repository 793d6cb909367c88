import { CrossCheckStatus, mergeCrossCheck } from '../../../src/funding/cross-check';
import { FundingDimension } from '../../../src/funding/funding-group';
import { FundingGroupSum } from '../../../src/funding/funding-totals.service';

const sum = (year: number | null, programmeId: number | null, cents: bigint, lines = 1): FundingGroupSum => ({ year, programmeId, cents, lines });
const dims = [FundingDimension.PROGRAMME, FundingDimension.YEAR];

describe('mergeCrossCheck', () => {
  it('pairs the groups of both sides and gives left − right in cents', () => {
    const merged = mergeCrossCheck([sum(2021, 1, 63891367n), sum(2021, 2, 371687701n)], [sum(2021, 1, 63891367n, 2), sum(2021, 2, 370000000n)], dims);
    expect(merged.map((m) => [m.group.programmeId, m.leftCents, m.rightCents, m.differenceCents, m.status])).toEqual([
      [1, 63891367n, 63891367n, 0n, CrossCheckStatus.SAME],
      [2, 371687701n, 370000000n, 1687701n, CrossCheckStatus.DIFFERENT],
    ]);
    expect(merged[0].rightLines).toBe(2);
  });

  it('keeps the groups found on one side only, and a zero line is still a line', () => {
    const merged = mergeCrossCheck([sum(2020, 1, 0n)], [sum(2022, 1, 5000000n)], dims);
    expect(merged.map((m) => [m.group.year, m.status, m.differenceCents])).toEqual([
      [2020, CrossCheckStatus.LEFT_ONLY, 0n],
      [2022, CrossCheckStatus.RIGHT_ONLY, -5000000n],
    ]);
  });

  it('orders by the dimensions in the order asked, missing values first', () => {
    const merged = mergeCrossCheck([sum(2022, 2, 1n), sum(2021, 2, 1n), sum(2023, null, 1n)], [sum(2021, 1, 1n)], dims);
    expect(merged.map((m) => [m.group.programmeId, m.group.year])).toEqual([
      [null, 2023],
      [1, 2021],
      [2, 2021],
      [2, 2022],
    ]);
  });

  it('tells apart a missing value from a value', () => {
    const merged = mergeCrossCheck([sum(null, 1, 100n)], [sum(2021, 1, 100n)], dims);
    expect(merged).toHaveLength(2);
  });
});
