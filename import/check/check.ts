import { formatEuros as euros } from '../../src/kernel/format-euros';
import { IssueDraft } from '../common/model';
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

  // Duplicates: one line per (action, funder, programme, beneficiary, year, stage, instrument, credit nature: a
  // funder's relance and contractualised credits for one action and year are two facts). Lines are
  // bucketed by a number hashed from those fields and compared field by field within a bucket: no key
  // string per line (a file of 100 000 lines built 100 000 of them).
  const codes = new TargetCodes();
  const firstOf = new Map<number, number | number[]>();
  const lines = resolved.lines;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const parsedLine = line.parsed;
    const hash = lineHash(line, codes);
    const bucket = firstOf.get(hash);
    let first: ResolvedPreview['lines'][number] | undefined;
    if (bucket === undefined) {
      firstOf.set(hash, i);
    } else if (typeof bucket === 'number') {
      if (sameLine(lines[bucket], line)) first = lines[bucket];
      else firstOf.set(hash, [bucket, i]);
    } else {
      for (const index of bucket) {
        if (sameLine(lines[index], line)) {
          first = lines[index];
          break;
        }
      }
      if (!first) bucket.push(i);
    }
    if (first) {
      issues.push({
        severity: 'ERROR',
        code: 'DUPLICATE_LINE',
        message: `Ce montant répète celui de la cellule ${first.parsed.source.cell} (même action, financeur, année et étape) : supprimez l'un des deux ou additionnez-les.`,
        sheet: parsedLine.source.sheet,
        cell: parsedLine.source.cell,
        value: parsedLine.source.raw,
      });
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
  }
  return issues;
}

type Line = ResolvedPreview['lines'][number];

/** Small numbers standing for organisation targets and words, for hashing. */
class TargetCodes {
  private readonly strings = new Map<string, number>();

  of(text: string): number {
    let code = this.strings.get(text);
    if (code === undefined) {
      code = this.strings.size + 1;
      this.strings.set(text, code);
    }
    return code;
  }

  target(target: OrganisationTarget | null): number {
    if (!target) return 0;
    return 'id' in target ? target.id * 2 + 1 : this.of(target.newKey) * 2;
  }
}

function mix(hash: number, value: number): number {
  return Math.imul(hash ^ (value | 0), 0x9e3779b1) ^ Math.floor(value / 0x100000000);
}

function lineHash(line: Line, codes: TargetCodes): number {
  const parsed = line.parsed;
  let hash = mix(0x811c9dc5, line.actionIndex ?? -1);
  hash = mix(hash, codes.target(line.funder));
  hash = mix(hash, line.programmeId ?? -1);
  hash = mix(hash, codes.target(line.beneficiary));
  hash = mix(hash, parsed.year);
  hash = mix(hash, codes.of(parsed.stage));
  hash = mix(hash, codes.of(parsed.instrument));
  return mix(hash, codes.of(parsed.creditNature ?? ''));
}

function sameTarget(a: OrganisationTarget | null, b: OrganisationTarget | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if ('id' in a) return 'id' in b && a.id === b.id;
  return 'newKey' in b && a.newKey === b.newKey;
}

/** Same action, funder, programme, beneficiary, year, stage, instrument and credit nature. */
function sameLine(a: Line, b: Line): boolean {
  return (
    (a.actionIndex ?? null) === (b.actionIndex ?? null) &&
    (a.programmeId ?? null) === (b.programmeId ?? null) &&
    a.parsed.year === b.parsed.year &&
    a.parsed.stage === b.parsed.stage &&
    a.parsed.instrument === b.parsed.instrument &&
    (a.parsed.creditNature ?? null) === (b.parsed.creditNature ?? null) &&
    sameTarget(a.funder, b.funder) &&
    sameTarget(a.beneficiary, b.beneficiary)
  );
}
