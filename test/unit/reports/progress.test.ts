import { ActionStatus } from '../../../src/kernel/action-status.enum';
import { FundingStage } from '../../../src/kernel/funding.enum';
import { IndicatorValueStage } from '../../../src/kernel/indicator-value-stage.enum';
import { computeProgress, decimalRatio, indicatorProgress, IndicatorInput, quantityUnits, ratio, sumFigures } from '../../../src/progress/progress.compute';

const indicator = (overrides: Partial<IndicatorInput>): IndicatorInput => ({
  id: 1,
  orientationId: null,
  actionOrientationId: 10,
  baseline: '0',
  target: '5000',
  targetYear: 2026,
  values: [],
  ...overrides,
});

describe('progress figures', () => {
  it('ratio rounds half up to 4 decimals from exact amounts, and is empty without a denominator', () => {
    expect(ratio(8320000n, 3975000000n)).toBe(0.0021);
    expect(ratio(1n, 3n)).toBe(0.3333);
    expect(ratio(2n, 3n)).toBe(0.6667);
    expect(ratio(5n, 0n)).toBeNull();
    expect(ratio(15n, 10n)).toBe(1.5);
  });

  it('decimalRatio gives the rate as an exact decimal string, rounded half up, null without a denominator', () => {
    // ADEME's 83 200 € paid on the 39 750 000 € planned by the two annex 3 tables: 0.00209308…
    expect(decimalRatio(8320000n, 3975000000n)).toBe('0.0021');
    expect(decimalRatio(1n, 3n)).toBe('0.3333');
    expect(decimalRatio(2n, 3n)).toBe('0.6667');
    expect(decimalRatio(1n, 20000n)).toBe('0.0001'); // exactly half a ten-thousandth: up
    expect(decimalRatio(1n, 20001n)).toBe('0.0000');
    expect(decimalRatio(15n, 10n)).toBe('1.5000');
    expect(decimalRatio(0n, 10n)).toBe('0.0000');
    expect(decimalRatio(-1n, 3n)).toBe('-0.3333');
    expect(decimalRatio(-1n, 30000n)).toBe('0.0000');
    expect(decimalRatio(5n, 0n)).toBeNull();
    expect(decimalRatio(1n, 8n, 2)).toBe('0.13');
  });

  it('reads quantities exactly, in ten-thousandths', () => {
    expect(quantityUnits('1250.5')).toBe(12505000n);
    expect(quantityUnits('-0.0001')).toBe(-1n);
    expect(quantityUnits('5000')).toBe(50000000n);
  });

  it('counts actions by status and sums stages per orientation; axes add their orientations', () => {
    const data = computeProgress(
      [
        { orientationId: 10, status: ActionStatus.UNDERWAY, count: 2 },
        { orientationId: 10, status: ActionStatus.DONE, count: 1 },
        { orientationId: 11, status: ActionStatus.PLANNED, count: 3 },
        { orientationId: null, status: ActionStatus.IDEA, count: 4 },
      ],
      [
        { orientationId: 10, stage: FundingStage.PLANNED, cents: 100000n },
        { orientationId: 10, stage: FundingStage.PAID, cents: 25000n },
        { orientationId: 11, stage: FundingStage.GRANTED, cents: 50000n },
        { orientationId: null, stage: FundingStage.GRANTED, cents: 7n },
      ],
      [],
      null,
    );
    const ten = data.orientations.get(10)!.figures;
    expect(ten).toMatchObject({ actions: 3, paidRate: 0.25, realisationRate: '0.2500', grantedRate: 0 });
    expect(ten.byStatus).toEqual([
      { status: ActionStatus.UNDERWAY, count: 2 },
      { status: ActionStatus.DONE, count: 1 },
    ]);
    // Granted without anything planned: no rate rather than an infinite one.
    expect(data.orientations.get(11)!.figures.grantedRate).toBeNull();
    expect(data.orientations.get(11)!.figures.realisationRate).toBeNull();
    expect(data.unclassified).toMatchObject({ actions: 4 });
    expect(data.overall.actions).toBe(10);
    expect(data.overall.cents).toEqual({ PLANNED: 100000n, REQUESTED: 0n, GRANTED: 50007n, PAID: 25000n });
    const axis = sumFigures([ten, data.orientations.get(11)!.figures]);
    expect(axis).toMatchObject({ actions: 6, grantedRate: 0.5, paidRate: 0.25, realisationRate: '0.2500' });
    expect(axis.byStatus.map((s) => s.status)).toEqual([ActionStatus.PLANNED, ActionStatus.UNDERWAY, ActionStatus.DONE]);
  });

  it('places an indicator under its own orientation, or its action’s', () => {
    const data = computeProgress([], [], [indicator({ id: 1 }), indicator({ id: 2, orientationId: 12, actionOrientationId: null }), indicator({ id: 3, actionOrientationId: null })], null);
    expect(data.orientations.get(10)!.indicators.map((i) => i.indicatorId)).toEqual([1]);
    expect(data.orientations.get(12)!.indicators.map((i) => i.indicatorId)).toEqual([2]);
  });
});

describe('indicatorProgress', () => {
  const values = [
    { year: 2021, value: '0', stage: IndicatorValueStage.ACTUAL },
    { year: 2022, value: '1250.5', stage: IndicatorValueStage.ACTUAL },
    { year: 2022, value: '1000', stage: IndicatorValueStage.TARGET },
    { year: 2024, value: '3000', stage: IndicatorValueStage.TARGET },
  ];

  it('takes the latest actual value and the target set for its year', () => {
    expect(indicatorProgress(indicator({ values }), null)).toEqual({ indicatorId: 1, latestYear: 2022, latestValue: '1250.5', targetForYear: '1000', achievement: 0.2501 });
  });

  it('stops at the review year', () => {
    expect(indicatorProgress(indicator({ values }), 2021)).toMatchObject({ latestYear: 2021, latestValue: '0', achievement: 0 });
    expect(indicatorProgress(indicator({ values }), 2020)).toMatchObject({ latestYear: null, latestValue: null, achievement: null });
  });

  it('measures the way from the baseline, also when the target is a decrease', () => {
    const decrease = indicator({ baseline: '1000', target: '600', values: [{ year: 2023, value: '900', stage: IndicatorValueStage.ACTUAL }] });
    expect(indicatorProgress(decrease, null).achievement).toBe(0.25);
    const fromBaseline = indicator({ baseline: '100', target: '200', values: [{ year: 2023, value: '150', stage: IndicatorValueStage.ACTUAL }] });
    expect(indicatorProgress(fromBaseline, null).achievement).toBe(0.5);
  });

  it('has no achievement without a target', () => {
    expect(indicatorProgress(indicator({ target: null, values }), null).achievement).toBeNull();
  });
});
