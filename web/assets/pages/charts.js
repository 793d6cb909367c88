// Accessible bar charts without a library: a list whose every item says its label and its figure in
// text; the bar itself is decoration (aria-hidden), and a table gives the same figures for those who
// prefer one. Widths come from BigInt cents, so even the bars never go through a float sum.
import { cents, el, euros, table } from '/assets/app.js';

/** Width of `value` against `max` (both BigInt cents) as a CSS percentage, 0.1 % steps. */
export function barWidth(value, max) {
  if (max <= 0n || value <= 0n) return '0%';
  return `${Number((value * 1000n) / max) / 10}%`;
}

/**
 * rows: [{ key, label, amount (decimal string), note?, level? }]. Returns the list and, in a closed
 * <details>, the same figures as a table.
 * options: { id, caption, barClass, labelHeader, shares (show each row's share of the total) }
 */
export function barChart(rows, { id, caption, barClass = '', labelHeader = 'Libellé', shares = false, emptyText = 'Aucun montant pour ce filtre.' }) {
  const values = rows.map((row) => cents(row.amount));
  const max = values.reduce((a, b) => (b > a ? b : a), 0n);
  const total = values.reduce((a, b) => a + b, 0n);
  const share = (value) => (total > 0n ? `${(Number((value * 1000n) / total) / 10).toLocaleString('fr-FR')} %` : '—');
  if (!rows.length) return el('p', { id, 'data-testid': id }, emptyText);
  const list = el(
    'ul',
    { class: 'crte-bars', 'aria-label': caption, 'data-testid': id, id },
    rows.map((row, index) => {
      const bar = el('span', { class: `crte-bar ${row.barClass || barClass}`.trim(), 'aria-hidden': 'true' });
      // The bar sits in an inline span: block, so that its width applies.
      bar.style.display = 'block';
      bar.style.width = barWidth(values[index], max);
      return el(
        'li',
        { 'data-key': row.key, class: row.level ? 'fr-pl-3w' : null },
        el('span', { class: row.level ? 'fr-text--sm fr-mb-0' : 'fr-text--bold fr-mb-0' }, row.label),
        el('span', {}, bar),
        el('span', { class: 'crte-num' }, el('span', { class: 'crte-montant', 'data-testid': `${id}-${row.key}` }, euros(row.amount)), shares ? el('span', { class: 'fr-text--xs fr-ml-1w' }, `(${share(values[index])})`) : null, row.note ? el('span', { class: 'fr-text--xs fr-ml-1w' }, row.note) : null),
      );
    }),
  );
  const columns = [
    { label: labelHeader, value: (row) => (row.level ? `— ${row.label}` : row.label) },
    { label: 'Montant', numeric: true, value: (row) => euros(row.amount) },
  ];
  if (shares) columns.push({ label: 'Part', numeric: true, value: (row) => share(cents(row.amount)) });
  return el('div', {}, list, el('details', { class: 'fr-mb-2w' }, el('summary', {}, `Voir en tableau : ${caption}`), table(caption, columns, rows, { id: `${id}-tableau` })));
}

/** A small inline bar for a rate (0.25 = 25 %), capped at 100 % of the width; decoration only. */
export function rateBar(ratio) {
  const bar = el('span', { class: 'crte-bar crte-bar--paid', 'aria-hidden': 'true' });
  bar.style.display = 'block';
  bar.style.width = `${Math.max(0, Math.min(1, ratio ?? 0)) * 100}%`;
  return el('span', { 'aria-hidden': 'true', style: 'display:block;min-width:4rem' }, bar);
}
