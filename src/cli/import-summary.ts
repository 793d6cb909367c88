/**
 * What `crte import` / `apply` print on a terminal: French labels and French amounts, and one total per
 * funding stage — a requested, a granted and a paid amount are the same money at different stages, never
 * to be added together. `--json` prints the result itself, not this.
 */
import { FundingStage } from '../kernel/funding.enum';
import { ImportKind } from '../kernel/import-batch.enum';
import { EuroStyle, formatEuros } from '../kernel/format-euros';
import { parseCents } from '../kernel/money';
import { FUNDING_STAGE_LABELS, IMPORT_KIND_LABELS, LAYOUT_LABELS } from '../kernel/french-labels';
import type { ImportPreview } from '../../import/preview/import-preview';

/** As the exports print amounts: groups split by narrow no-break spaces (« 20 100 000,00 € »). */
export const CLI_EUROS: EuroStyle = { separator: '\u202f' };

/** The layouts', kinds' and stages' French names: the central table (src/kernel/french-labels.ts). */
export const KIND_LABELS: Readonly<Record<ImportKind, string>> = IMPORT_KIND_LABELS;

/** In the order money goes through them. */
export const STAGE_LABELS: Readonly<Record<FundingStage, string>> = FUNDING_STAGE_LABELS;

const STATUS_TEXT: Record<string, string> = { PREVIEWED: 'aperçu prêt', REJECTED: 'REJETÉ', APPLIED: 'appliqué', UNCHANGED: 'inchangé (même fichier que celui en vigueur)' };

const SEVERITY_TEXT: Record<string, string> = { ERROR: 'ERREUR ', WARNING: 'avert. ', NOTE: 'note   ' };

/** "by-year, pairs" (one layout per sheet when they differ) → the French names, joined the same way. */
export function layoutLabel(layout: string): string {
  if (!layout) return '—';
  return layout
    .split(', ')
    .map((name) => LAYOUT_LABELS[name] ?? name)
    .join(', ');
}

export interface StageTotals {
  /** Cents per stage, only the stages the lines have, in FundingStage's order. */
  stages: { stage: FundingStage; cents: bigint; lines: number }[];
  /** Annex 2: the investments the aid supports, apart (they are not more money). */
  investments: bigint;
}

/** Sums the lines' exact amounts stage by stage. */
export function stageTotals(lines: ImportPreview['lines']): StageTotals {
  const sums = new Map<string, { cents: bigint; lines: number }>();
  let investments = 0n;
  for (const line of lines) {
    const cents = parseCents(line.amount);
    if (line.measureAmountKind === 'INVESTMENT') {
      investments += cents;
      continue;
    }
    const sum = sums.get(line.stage) ?? { cents: 0n, lines: 0 };
    sum.cents += cents;
    sum.lines += 1;
    sums.set(line.stage, sum);
  }
  const stages = (Object.values(FundingStage) as FundingStage[]).filter((stage) => sums.has(stage)).map((stage) => ({ stage, ...sums.get(stage)! }));
  return { stages, investments };
}

/** The summary of an import or an apply, as a person reads it. */
export function humanSummary(result: Omit<ImportPreview, 'status'> & { batchId: number; status: string }, kind?: ImportKind): string {
  const totals = stageTotals(result.lines);
  const lines = [`Lot n° ${result.batchId} : ${STATUS_TEXT[result.status] ?? result.status}`];
  if (kind) lines.push(`Nature : ${KIND_LABELS[kind]}`);
  lines.push(`Disposition : ${layoutLabel(result.layout)}`, `Lignes : ${result.counts.lines}`);
  if (totals.stages.length === 0) lines.push('Montants : aucun');
  else {
    lines.push('Montants par étape :');
    const width = Math.max(...totals.stages.map(({ stage }) => STAGE_LABELS[stage].length));
    for (const { stage, cents, lines: count } of totals.stages) {
      lines.push(`  ${`${STAGE_LABELS[stage]} :`.padEnd(width + 2)} ${formatEuros(cents, CLI_EUROS)} (${count} ligne${count > 1 ? 's' : ''})`);
    }
  }
  if (totals.investments > 0n) lines.push(`Investissements soutenus (hors aides) : ${formatEuros(totals.investments, CLI_EUROS)}`);
  lines.push(
    `Erreurs : ${result.counts.errors}, avertissements : ${result.counts.warnings}${result.counts.notes ? `, notes : ${result.counts.notes}` : ''}`,
    `À créer : ${result.counts.newActions} action(s), ${result.counts.newOrganisations} organisation(s)`,
  );
  // A plan: its structure and its fiches' budget (the sum of « Budget prévisionnel total », not of the funders' lines).
  const c = result.counts;
  if (c.axes !== undefined) {
    lines.push(
      `Plan : ${c.axes} axe(s) dont ${c.newAxes} à créer, ${c.orientations} orientation(s) dont ${c.newOrientations} à créer, ${c.renamed} intitulé(s) modifié(s), ${c.actions} fiche(s) action`,
      `Budget prévisionnel total des fiches : ${formatEuros(parseCents(result.budget ?? '0'), CLI_EUROS)}`,
    );
  }
  if (result.issues.length) {
    lines.push('', 'Anomalies :');
    for (const issue of result.issues) {
      const place = [issue.sheet, issue.cell].filter(Boolean).join(' ! ');
      lines.push(`  ${SEVERITY_TEXT[issue.severity] ?? issue.severity} ${place.padEnd(28)} ${issue.code} — ${issue.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
