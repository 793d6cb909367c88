import { formatCents, parseCents } from '../kernel/money';
import { axisCodeOf } from '../contract/structure.service';
import { decimalRatio, RATE_PLACES } from '../progress/progress.compute';
import { ContractProgress, ProgressFigures } from '../progress/progress.types';

/**
 * The review a meeting looked at, frozen: the progress figures (src/progress) at `asOf`, with the axes' and
 * orientations' codes and titles as they were, so that the relevé and the comparison with a later review
 * never depend on what was imported, corrected or renamed since. Amounts stay exact decimal strings.
 */

export const REVIEW_FORMAT = 1;

/** The same shape as the GraphQL ProgressFigures (its rates are the same 4-place values). */
export type FrozenFigures = Pick<ProgressFigures, 'actions' | 'byStatus' | 'planned' | 'requested' | 'granted' | 'paid' | 'grantedRate' | 'paidRate' | 'realisationRate'>;

export interface FrozenOrientation {
  code: string;
  title: string;
  figures: FrozenFigures;
}

export interface FrozenAxis extends FrozenOrientation {
  orientations: FrozenOrientation[];
}

export interface ReviewSnapshot {
  format: typeof REVIEW_FORMAT;
  asOf: string;
  year: number | null;
  overall: FrozenFigures;
  unclassified: FrozenFigures;
  axes: FrozenAxis[];
}

const figuresOf = (figures: ProgressFigures): FrozenFigures => ({
  actions: figures.actions,
  byStatus: figures.byStatus.map(({ status, count }) => ({ status, count })),
  planned: figures.planned,
  requested: figures.requested,
  granted: figures.granted,
  paid: figures.paid,
  grantedRate: figures.grantedRate,
  paidRate: figures.paidRate,
  realisationRate: figures.realisationRate,
});

export function snapshotOf(progress: ContractProgress, asOf: Date): ReviewSnapshot {
  return {
    format: REVIEW_FORMAT,
    asOf: asOf.toISOString(),
    year: progress.year,
    overall: figuresOf(progress.overall),
    unclassified: figuresOf(progress.unclassified),
    axes: progress.axes.map((axis) => ({
      code: axisCodeOf(axis.axis),
      title: axis.axis.title,
      figures: figuresOf(axis.figures),
      orientations: axis.orientations.map((o) => ({ code: o.orientation.code, title: o.orientation.title, figures: figuresOf(o.figures) })),
    })),
  };
}

export function parseSnapshot(json: string): ReviewSnapshot {
  const snapshot = JSON.parse(json) as ReviewSnapshot;
  if (snapshot.format !== REVIEW_FORMAT) throw new Error(`revue figée au format inconnu : ${String(snapshot.format)}`);
  return snapshot;
}

/** Paris, where the meetings are held: its offset from UTC at `instant`, in minutes (60 or 120). */
function parisOffsetMinutes(instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((local - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/**
 * The moment a meeting's review stands at: the last second of its day in Paris, or, for a meeting recorded
 * the same day (or ahead of its date), one second before the whole second of the recording. Whole seconds:
 * MariaDB keeps DATETIME to the second, and the stored asOf must be the one computed with; a second back,
 * so that no line written later within the recording's own second counts (its created_at would read as
 * that second).
 */
export function reviewAsOf(heldOn: string, now: Date): Date {
  const [year, month, day] = heldOn.split('-').map(Number);
  const nextMidnightUtc = Date.UTC(year, month - 1, day + 1);
  const endOfDay = new Date(nextMidnightUtc - parisOffsetMinutes(new Date(nextMidnightUtc)) * 60000 - 1000);
  const recorded = new Date(Math.floor(now.getTime() / 1000) * 1000 - 1000);
  return endOfDay < recorded ? endOfDay : recorded;
}

// ---------------------------------------------------------------------------------------------------
// What changed since a frozen review.

export interface FiguresChangeData {
  before: FrozenFigures;
  now: FrozenFigures;
  actions: number;
  planned: string;
  requested: string;
  granted: string;
  paid: string;
  /** Percentage points of the taux de réalisation, as an exact decimal (4 places: "0.0003" = 0.03 point); null when either side has none. */
  realisationRate: string | null;
}

export interface PartChangeData {
  code: string;
  title: string;
  change: FiguresChangeData;
}

export interface AxisChangeData extends PartChangeData {
  orientations: PartChangeData[];
}

export interface ReviewChangesData {
  since: Date;
  year: number | null;
  overall: FiguresChangeData;
  unclassified: FiguresChangeData;
  axes: AxisChangeData[];
}

const EMPTY: FrozenFigures = { actions: 0, byStatus: [], planned: '0.00', requested: '0.00', granted: '0.00', paid: '0.00', grantedRate: null, paidRate: null, realisationRate: null };

const difference = (now: string, before: string) => formatCents(parseCents(now) - parseCents(before));

/** Rates are 4-place decimals: their difference is exact in ten-thousandths. */
function rateDifference(now: string | null, before: string | null): string | null {
  if (now === null || before === null) return null;
  // Both have RATE_PLACES (4) decimals: without the point, they are exact integers of ten-thousandths.
  const units = (rate: string) => BigInt(rate.replace('.', ''));
  return decimalRatio(units(now) - units(before), 10n ** BigInt(RATE_PLACES));
}

export function figuresChange(before: FrozenFigures, now: FrozenFigures): FiguresChangeData {
  return {
    before,
    now,
    actions: now.actions - before.actions,
    planned: difference(now.planned, before.planned),
    requested: difference(now.requested, before.requested),
    granted: difference(now.granted, before.granted),
    paid: difference(now.paid, before.paid),
    realisationRate: rateDifference(now.realisationRate, before.realisationRate),
  };
}

/** Parts matched by code; one on a single side (an orientation created since) is compared with nothing. */
function matchParts<T extends FrozenOrientation, R>(before: T[], now: T[], build: (code: string, title: string, b: T | undefined, n: T | undefined) => R): R[] {
  const beforeByCode = new Map(before.map((part) => [part.code, part]));
  const result = now.map((part) => build(part.code, part.title, beforeByCode.get(part.code), part));
  const nowCodes = new Set(now.map((part) => part.code));
  for (const part of before) if (!nowCodes.has(part.code)) result.push(build(part.code, part.title, part, undefined));
  return result;
}

export function reviewChanges(before: ReviewSnapshot, now: ReviewSnapshot): ReviewChangesData {
  return {
    since: new Date(before.asOf),
    year: before.year,
    overall: figuresChange(before.overall, now.overall),
    unclassified: figuresChange(before.unclassified, now.unclassified),
    axes: matchParts(before.axes, now.axes, (code, title, b, n) => ({
      code,
      title,
      change: figuresChange(b?.figures ?? EMPTY, n?.figures ?? EMPTY),
      orientations: matchParts(b?.orientations ?? [], n?.orientations ?? [], (oc, ot, bo, no) => ({ code: oc, title: ot, change: figuresChange(bo?.figures ?? EMPTY, no?.figures ?? EMPTY) })),
    })),
  };
}
