import { CLOSED_SETS, frenchLabelsOf, LAYOUT_LABELS } from '../kernel/french-labels';

/**
 * The kernel's French labels as the pages read them: `labels[set][value]` by GraphQL name and by stored
 * value (ImportKind's 'ANNEX3' and 'annex3'), `labels.Layout[name]` for the import layouts, and
 * `order[set]`, a set's GraphQL names in the enum's order (for lists and selects).
 */
export function pageLabels(): { labels: Record<string, Readonly<Record<string, string>>>; order: Record<string, string[]> } {
  const labels: Record<string, Readonly<Record<string, string>>> = {};
  const order: Record<string, string[]> = {};
  for (const [name, set] of Object.entries(CLOSED_SETS)) {
    labels[name] = frenchLabelsOf(name)!;
    order[name] = Object.keys(set.values);
  }
  labels.Layout = LAYOUT_LABELS;
  return { labels, order };
}

/**
 * `/assets/labels.js`, an ES module the pages import (no build step): the one table, so that a page never
 * keeps a copy of its own. Made once per process; the table changes only with the code.
 */
export const LABELS_MODULE = `// Served by the server from src/kernel/french-labels.ts (src/web/labels-module.ts): do not copy these labels into a page.
const TABLE = ${JSON.stringify(pageLabels())};
export const LABELS = TABLE.labels;
export const ORDER = TABLE.order;
/** A closed set's labels by GraphQL name, in the enum's order ({ PLANNED: 'Prévu', … }). */
export function labelsOf(set) {
  return Object.fromEntries(ORDER[set].map((value) => [value, LABELS[set][value]]));
}
/** A value's French label in a closed set ('FundingStage', 'Layout'…), or the value itself when the table has none. */
export function frenchLabel(set, value) {
  return (LABELS[set] && LABELS[set][value]) || value;
}
`;
