import { formatEuros as euros } from '../format-euros';
import { IssueDraft } from '../model';
import { measureAmounts } from '../parse/annex2.parser';
import { ParseOutput } from '../parse/parsed.types';
import { OrganisationTarget, ResolvedPreview } from '../resolve/resolve';

export interface CheckOptions {
  /** The contract's period: a year outside it is history (welcome in grant tables) or a warning (annex 3). */
  startYear: number;
  endYear: number;
  warnOutsidePeriod: boolean;
}

/**
 * The checks that need the whole file: stated totals and subtotals against the lines they cover,
 * duplicated lines, years outside the contract's period.
 */
export function checkPreview(parsed: ParseOutput, resolved: ResolvedPreview, options: CheckOptions): IssueDraft[] {
  const issues: IssueDraft[] = [];

  // A total covers lines, or for annex 2 the measures' amounts (in measure order).
  const facts: Array<{ cents: bigint }> = parsed.measures ? measureAmounts(parsed) : parsed.lines;
  for (const total of parsed.totals) {
    let sum = 0n;
    for (const index of total.lineIndexes) sum += facts[index].cents;
    if (sum !== total.cents) {
      const code = total.kind === 'subtotal' ? 'SUBTOTAL_MISMATCH' : total.kind === 'total' ? 'TOTAL_MISMATCH' : 'ROW_TOTAL_MISMATCH';
      const what = total.kind === 'row-total' ? 'Le total de la ligne' : `Le ${total.kind === 'subtotal' ? 'sous-total' : 'total'} « ${total.label} »`;
      issues.push({
        severity: 'ERROR',
        code,
        message: `${what} vaut ${euros(total.cents)} mais les montants qu'il couvre font ${euros(sum)} (écart de ${euros(total.cents - sum)}).`,
        sheet: total.source.sheet,
        cell: total.source.cell,
        value: total.source.raw,
      });
    }
  }

  const seen = new Map<string, string>();
  resolved.lines.forEach((line) => {
    const parsedLine = line.parsed;
    const key = `${line.actionIndex ?? '-'}|${targetKey(line.funder)}|${line.programmeId ?? '-'}|${targetKey(line.beneficiary)}|${parsedLine.year}|${parsedLine.stage}|${parsedLine.instrument}`;
    const first = seen.get(key);
    if (first) {
      issues.push({
        severity: 'ERROR',
        code: 'DUPLICATE_LINE',
        message: `Ce montant répète celui de la cellule ${first} (même action, financeur, année et étape) : supprimez l'un des deux ou additionnez-les.`,
        sheet: parsedLine.source.sheet,
        cell: parsedLine.source.cell,
        value: parsedLine.source.raw,
      });
    } else {
      seen.set(key, parsedLine.source.cell);
    }
    if (options.warnOutsidePeriod && (parsedLine.year < options.startYear || parsedLine.year > options.endYear)) {
      issues.push({
        severity: 'WARNING',
        code: 'YEAR_OUTSIDE_CONTRACT',
        message: `L'année ${parsedLine.year} est hors de la période du contrat (${options.startYear}–${options.endYear}).`,
        sheet: parsedLine.source.sheet,
        cell: parsedLine.source.cell,
        value: parsedLine.source.raw,
      });
    }
  });
  return issues;
}

function targetKey(target: OrganisationTarget | null): string {
  if (!target) return '-';
  return 'id' in target ? `#${target.id}` : `new:${target.newKey}`;
}
