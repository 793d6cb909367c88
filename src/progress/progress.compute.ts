import { ActionStatus } from '../kernel/action-status.enum';
import { FundingStage } from '../kernel/funding.enum';
import { IndicatorValueStage } from '../kernel/indicator-value-stage.enum';

/**
 * The COPIL's yearly review, computed from plain rows: per orientation and per axis, actions by status,
 * funding per stage and the shares of planned funding granted and paid (taux de réalisation), indicators'
 * latest values against their targets. No database here: the rows come from a few GROUP BY statements.
 */

export interface ActionStatusCount {
  orientationId: number | null;
  status: ActionStatus;
  count: number;
}

export interface StageSum {
  orientationId: number | null;
  stage: FundingStage;
  cents: bigint;
}

export interface IndicatorInput {
  id: number;
  orientationId: number | null;
  /** The orientation of the indicator's action, when it belongs to an action. */
  actionOrientationId: number | null;
  baseline: string | null;
  target: string | null;
  targetYear: number | null;
  values: Array<{ year: number; value: string; stage: IndicatorValueStage }>;
}

export interface ProgressFiguresData {
  actions: number;
  byStatus: Array<{ status: ActionStatus; count: number }>;
  cents: Record<FundingStage, bigint>;
  /** granted / planned, paid / planned: null when nothing is planned. */
  grantedRate: number | null;
  paidRate: number | null;
  /** Taux de réalisation, paid / planned, as an exact decimal string (4 places): null when nothing is planned. */
  realisationRate: string | null;
}

export interface IndicatorProgressData {
  indicatorId: number;
  latestYear: number | null;
  latestValue: string | null;
  /** The TARGET value set for the latest value's year, when there is one. */
  targetForYear: string | null;
  /** Share of the way from the baseline (or 0) to the final target: 1 = reached. */
  achievement: number | null;
}

export interface ProgressData {
  overall: ProgressFiguresData;
  /** Actions without an orientation yet (imported from national lists, say). */
  unclassified: ProgressFiguresData;
  orientations: Map<number, { figures: ProgressFiguresData; indicators: IndicatorProgressData[] }>;
}

const STATUS_ORDER = Object.values(ActionStatus);
const STAGES = Object.values(FundingStage);

/** A ratio of two exact amounts, rounded half up to 4 decimals (0.1234 = 12.34 %). */
export function ratio(numerator: bigint, denominator: bigint): number | null {
  if (denominator <= 0n) return null;
  const scaled = (numerator * 20000n) / denominator;
  return Number((scaled + (scaled >= 0n ? 1n : -1n)) / 2n) / 10000;
}

/** Decimal places of the rates given as strings: 0.0001 = 0.01 %, so a percentage shows exactly with two decimals. */
export const RATE_PLACES = 4;

/**
 * numerator / denominator as a decimal string rounded half up (away from zero) to `places` decimals, from
 * exact integers (cents): "0.0021". Null when the denominator is not positive (nothing planned).
 */
export function decimalRatio(numerator: bigint, denominator: bigint, places = RATE_PLACES): string | null {
  if (denominator <= 0n) return null;
  const negative = numerator < 0n;
  const absolute = negative ? -numerator : numerator;
  const scale = 10n ** BigInt(places);
  const units = (absolute * scale * 2n + denominator) / (denominator * 2n);
  const whole = units / scale;
  const fraction = places > 0 ? `.${String(units % scale).padStart(places, '0')}` : '';
  return `${negative && units > 0n ? '-' : ''}${whole}${fraction}`;
}

/** A DECIMAL(18,4) quantity as an exact integer of ten-thousandths. */
export function quantityUnits(value: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(value.trim());
  if (!match) throw new Error(`not a quantity: ${value}`);
  const units = BigInt(match[2]) * 10000n + BigInt((match[3] ?? '').padEnd(4, '0') || '0');
  return match[1] ? -units : units;
}

function emptyFigures(): ProgressFiguresData {
  return { actions: 0, byStatus: [], cents: { PLANNED: 0n, REQUESTED: 0n, GRANTED: 0n, PAID: 0n }, grantedRate: null, paidRate: null, realisationRate: null };
}

function addInto(target: ProgressFiguresData, statuses: Map<ActionStatus, number>, source: ProgressFiguresData): void {
  target.actions += source.actions;
  for (const { status, count } of source.byStatus) statuses.set(status, (statuses.get(status) ?? 0) + count);
  for (const stage of STAGES) target.cents[stage] += source.cents[stage];
}

function finish(figures: ProgressFiguresData, statuses: Map<ActionStatus, number>): ProgressFiguresData {
  figures.byStatus = STATUS_ORDER.filter((status) => statuses.has(status)).map((status) => ({ status, count: statuses.get(status)! }));
  figures.grantedRate = ratio(figures.cents.GRANTED, figures.cents.PLANNED);
  figures.paidRate = ratio(figures.cents.PAID, figures.cents.PLANNED);
  figures.realisationRate = decimalRatio(figures.cents.PAID, figures.cents.PLANNED);
  return figures;
}

/** Where the latest ACTUAL value up to `year` stands against the indicator's target. */
export function indicatorProgress(indicator: IndicatorInput, year: number | null): IndicatorProgressData {
  const inScope = indicator.values.filter((value) => year === null || value.year <= year);
  const actuals = inScope.filter((value) => value.stage === IndicatorValueStage.ACTUAL).sort((a, b) => a.year - b.year);
  const latest = actuals.at(-1) ?? null;
  const targetForYear = latest ? (inScope.find((value) => value.stage === IndicatorValueStage.TARGET && value.year === latest.year)?.value ?? null) : null;
  let achievement: number | null = null;
  if (latest && indicator.target !== null) {
    const start = indicator.baseline === null ? 0n : quantityUnits(indicator.baseline);
    achievement = ratio(quantityUnits(latest.value) - start, quantityUnits(indicator.target) - start);
    // A target below its baseline (fewer tCO2e, say) is a decrease: the same ratio with both signs turned.
    if (achievement === null && quantityUnits(indicator.target) < start) achievement = ratio(start - quantityUnits(latest.value), start - quantityUnits(indicator.target));
  }
  return { indicatorId: indicator.id, latestYear: latest?.year ?? null, latestValue: latest?.value ?? null, targetForYear, achievement };
}

export function computeProgress(statusCounts: ActionStatusCount[], stageSums: StageSum[], indicators: IndicatorInput[], year: number | null): ProgressData {
  const perOrientation = new Map<number | null, { figures: ProgressFiguresData; statuses: Map<ActionStatus, number> }>();
  const slot = (orientationId: number | null) => {
    let found = perOrientation.get(orientationId);
    if (!found) perOrientation.set(orientationId, (found = { figures: emptyFigures(), statuses: new Map() }));
    return found;
  };
  for (const row of statusCounts) {
    const { figures, statuses } = slot(row.orientationId);
    figures.actions += row.count;
    statuses.set(row.status, (statuses.get(row.status) ?? 0) + row.count);
  }
  for (const row of stageSums) slot(row.orientationId).figures.cents[row.stage] += row.cents;

  const overall = emptyFigures();
  const overallStatuses = new Map<ActionStatus, number>();
  const orientations = new Map<number, { figures: ProgressFiguresData; indicators: IndicatorProgressData[] }>();
  let unclassified = finish(emptyFigures(), new Map());
  for (const [orientationId, { figures, statuses }] of perOrientation) {
    const finished = finish(figures, statuses);
    addInto(overall, overallStatuses, finished);
    if (orientationId === null) unclassified = finished;
    else orientations.set(orientationId, { figures: finished, indicators: [] });
  }
  for (const indicator of indicators) {
    const orientationId = indicator.orientationId ?? indicator.actionOrientationId;
    if (orientationId === null) continue;
    let entry = orientations.get(orientationId);
    if (!entry) orientations.set(orientationId, (entry = { figures: finish(emptyFigures(), new Map()), indicators: [] }));
    entry.indicators.push(indicatorProgress(indicator, year));
  }
  return { overall: finish(overall, overallStatuses), unclassified, orientations };
}

/** An axis's figures: the sum of its orientations'. */
export function sumFigures(parts: ProgressFiguresData[]): ProgressFiguresData {
  const total = emptyFigures();
  const statuses = new Map<ActionStatus, number>();
  for (const part of parts) addInto(total, statuses, part);
  return finish(total, statuses);
}
