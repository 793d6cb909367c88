import { figuresChange, FrozenFigures, reviewAsOf, reviewChanges, ReviewSnapshot } from '../../../src/meeting/meeting-review';

const figures = (planned: string, paid: string, realisationRate: string | null, actions = 1): FrozenFigures => ({
  actions,
  byStatus: [],
  planned,
  requested: '0.00',
  granted: '0.00',
  paid,
  grantedRate: null,
  paidRate: null,
  realisationRate,
});

describe('a meeting’s frozen review', () => {
  it('stands at the last second of the meeting’s day in Paris, winter and summer', () => {
    const later = new Date('2027-01-10T10:00:00.000Z');
    expect(reviewAsOf('2025-11-20', later).toISOString()).toBe('2025-11-20T22:59:59.000Z');
    expect(reviewAsOf('2026-06-15', later).toISOString()).toBe('2026-06-15T21:59:59.000Z');
    // The night the clocks go back (25 October 2026): midnight after it is UTC+1.
    expect(reviewAsOf('2026-10-25', later).toISOString()).toBe('2026-10-25T22:59:59.000Z');
  });

  it('stands a whole second before the recording when the meeting is recorded on its day or ahead of it', () => {
    const now = new Date('2026-12-07T14:32:10.750Z');
    expect(reviewAsOf('2026-12-07', now).toISOString()).toBe('2026-12-07T14:32:09.000Z');
    expect(reviewAsOf('2026-12-20', now).toISOString()).toBe('2026-12-07T14:32:09.000Z');
  });

  it('gives the changes per stage exactly, negative ones included, and the rate’s change in points', () => {
    const change = figuresChange(figures('20100000.00', '83200.00', '0.0041'), figures('20000000.10', '95545.67', '0.0048', 3));
    expect(change).toMatchObject({ actions: 2, planned: '-99999.90', paid: '12345.67', requested: '0.00', realisationRate: '0.0007' });
    expect(figuresChange(figures('10.00', '5.00', '0.5000'), figures('10.00', '1.00', '0.1000')).realisationRate).toBe('-0.4000');
    expect(figuresChange(figures('0.00', '0.00', null), figures('10.00', '1.00', '0.1000')).realisationRate).toBeNull();
  });

  it('matches axes and orientations by code; one created since is compared with nothing', () => {
    const snapshot = (orientations: Array<[string, string]>): ReviewSnapshot => ({
      format: 1,
      asOf: '2026-06-15T21:59:59.000Z',
      year: null,
      overall: figures('100.00', '10.00', '0.1000'),
      unclassified: figures('0.00', '0.00', null, 0),
      axes: [{ code: '1', title: 'Axe 1', figures: figures('100.00', '10.00', '0.1000'), orientations: orientations.map(([code, paid]) => ({ code, title: code, figures: figures('50.00', paid, null) })) }],
    });
    const changes = reviewChanges(snapshot([['1.1', '10.00']]), snapshot([['1.1', '12.50'], ['1.2', '3.00']]));
    expect(changes.since.toISOString()).toBe('2026-06-15T21:59:59.000Z');
    expect(changes.axes[0].orientations.map((o) => [o.code, o.change.paid])).toEqual([
      ['1.1', '2.50'],
      ['1.2', '3.00'],
    ]);
    const removed = reviewChanges(snapshot([['1.1', '10.00'], ['1.9', '4.00']]), snapshot([['1.1', '10.00']]));
    expect(removed.axes[0].orientations.map((o) => [o.code, o.change.paid])).toEqual([
      ['1.1', '0.00'],
      ['1.9', '-4.00'],
    ]);
  });
});
