import { formatCents } from '../../src/kernel/money';
import { decimalOf } from '../../src/kernel/money';
import { IssueDraft } from '../common/model';
import { ParseOutput } from '../parse/parsed.types';
import { ContractReference } from '../resolve/contract-reference';
import { OrganisationTarget, ResolvedPreview } from '../resolve/resolve';
import type { PlanStructure } from '../resolve/plan-structure';

export interface PreviewLine {
  amount: string;
  year: number;
  funder: string;
  programme: string | null;
  beneficiary: string | null;
  stage: string;
  instrument: string;
  approximate: boolean;
  action: string | null;
  /** Annex 2: the recovery-plan measure the amount belongs to, and whether it is aid or investment. */
  measure?: string;
  measureAmountKind?: 'AID' | 'INVESTMENT';
  sheet: string;
  cell: string;
  rawValue: string;
}

export interface PreviewIssue {
  severity: 'ERROR' | 'WARNING' | 'NOTE';
  code: string;
  message: string;
  sheet: string | null;
  cell: string | null;
  value: string | null;
}

export interface ImportPreview {
  status: 'PREVIEWED' | 'REJECTED';
  layout: string;
  counts: {
    lines: number;
    errors: number;
    warnings: number;
    /** What the import understood on its own (documentation sheets, years from sheet names): neither errors nor warnings. */
    notes: number;
    newActions: number;
    newOrganisations: number;
    /** Annex 2 measures and indicators read, when the kind has them. */
    measures?: number;
    indicators?: number;
    /** Grants lists: rows outside the contract's perimeter, counted and left out. */
    outsidePerimeter?: number;
    /** Kind `plan`: the axes and orientations the file gives (those to create among them, those renamed) and its fiches. */
    axes?: number;
    newAxes?: number;
    orientations?: number;
    newOrientations?: number;
    renamed?: number;
    actions?: number;
  };
  /** Kind `plan`: the sum of the fiches' « Budget prévisionnel total », exact (not of the funders' lines: that is `total`). */
  budget?: string;
  /** The sum of the lines read, exact (annex 2: of the aid amounts, not the investments they support). */
  total: string;
  lines: PreviewLine[];
  issues: PreviewIssue[];
}

/** The preview a partner reads: every line with its cell, every issue sorted by place, errors first. */
export function buildImportPreview(parsed: ParseOutput, resolved: ResolvedPreview, issues: IssueDraft[], reference: ContractReference, structure?: PlanStructure): ImportPreview {
  const names = new Map(reference.organisations.map((organisation) => [organisation.id, organisation.name]));
  const newNames = new Map(resolved.newOrganisations.map((organisation) => [organisation.key, organisation.name]));
  const programmeCodes = new Map(reference.programmes.map((programme) => [programme.id, programme.code]));
  const nameOf = (target: OrganisationTarget | null): string | null => {
    if (!target) return null;
    return 'id' in target ? (names.get(target.id) ?? `#${target.id}`) : (newNames.get(target.newKey) ?? target.newKey);
  };

  let total = 0n;
  const lines = resolved.lines.map((line): PreviewLine => {
    total += line.parsed.cents;
    return {
      amount: decimalOf(line.parsed.cents),
      year: line.parsed.year,
      funder: nameOf(line.funder)!,
      programme: line.programmeId === null ? null : (programmeCodes.get(line.programmeId) ?? null),
      beneficiary: nameOf(line.beneficiary),
      stage: line.parsed.stage,
      instrument: line.parsed.instrument,
      approximate: line.parsed.approximate,
      action: line.actionIndex === null ? null : resolved.actions[line.actionIndex].code || null,
      sheet: line.parsed.source.sheet,
      cell: line.parsed.source.cell,
      rawValue: line.parsed.source.raw,
    };
  });
  for (const measure of parsed.measures ?? []) {
    for (const amount of measure.amounts) {
      // An annex 2's total is the State's aid; an investment is what the aid supports, not more money.
      if (amount.kind === 'AID') total += amount.cents;
      lines.push({
        amount: formatCents(amount.cents),
        year: amount.year ?? 0,
        funder: names.get(reference.stateId ?? -1) ?? 'État',
        programme: null,
        beneficiary: measure.beneficiaries,
        stage: 'GRANTED',
        instrument: amount.instrument,
        approximate: amount.approximate,
        action: null,
        measure: measure.name,
        measureAmountKind: amount.kind,
        sheet: amount.source.sheet,
        cell: amount.source.cell,
        rawValue: amount.source.raw,
      });
    }
  }
  const sorted = sortIssues(issues);
  const errors = sorted.filter((issue) => issue.severity === 'ERROR').length;
  const notes = sorted.filter((issue) => issue.severity === 'NOTE').length;
  return {
    status: errors > 0 ? 'REJECTED' : 'PREVIEWED',
    layout: parsed.layout,
    counts: {
      lines: lines.length,
      errors,
      warnings: sorted.length - errors - notes,
      notes,
      newActions: resolved.actions.filter((action) => action.existingId === null && action.code).length,
      newOrganisations: resolved.newOrganisations.length,
      ...(parsed.measures ? { measures: parsed.measures.length } : {}),
      ...(parsed.indicators ? { indicators: parsed.indicators.length } : {}),
      ...(parsed.outsidePerimeter !== undefined ? { outsidePerimeter: parsed.outsidePerimeter } : {}),
      ...(structure ? planCounts(structure) : {}),
    },
    total: formatCents(total),
    ...(structure ? { budget: formatCents(structure.budgetCents) } : {}),
    lines,
    issues: sorted.map(({ severity, code, message, sheet, cell, value }) => ({ severity, code, message, sheet, cell, value })),
  };
}

/** Errors first, then warnings, then notes; each by sheet, row and column, so that a partner walks the file once. */
export function sortIssues(issues: IssueDraft[]): IssueDraft[] {
  // Keys computed once per issue, not once per comparison (a file may carry 100 000 issues); sheet names
  // ranked once in the same locale order as localeCompare. The sort is stable, as before.
  const sheets = [...new Set(issues.map((issue) => issue.sheet ?? ''))].sort((a, b) => a.localeCompare(b));
  const sheetRank = new Map<string, number>();
  let rank = 0;
  sheets.forEach((sheet, i) => {
    if (i > 0 && sheets[i - 1].localeCompare(sheet) !== 0) rank++;
    sheetRank.set(sheet, rank);
  });
  const keys = issues.map((issue, index) => ({
    index,
    severity: severityRank(issue),
    sheet: sheetRank.get(issue.sheet ?? '')!,
    row: rowOf(issue.cell),
    col: colOf(issue.cell),
  }));
  keys.sort((a, b) => a.severity - b.severity || a.sheet - b.sheet || a.row - b.row || a.col - b.col);
  return keys.map((key) => issues[key.index]);
}

function severityRank(issue: IssueDraft): number {
  return issue.severity === 'ERROR' ? 0 : issue.severity === 'WARNING' ? 1 : 2;
}

function rowOf(cell: string | null): number {
  const match = cell ? /\d+$/.exec(cell) : null;
  return match ? Number(match[0]) : 0;
}

function colOf(cell: string | null): number {
  const match = cell ? /^[A-Z]+/.exec(cell) : null;
  if (!match) return 0;
  let col = 0;
  for (const letter of match[0]) col = col * 26 + (letter.charCodeAt(0) - 64);
  return col;
}

function planCounts(structure: PlanStructure): Partial<ImportPreview['counts']> {
  return {
    axes: structure.axes.length,
    newAxes: structure.axes.filter((axis) => axis.existingId === null).length,
    orientations: structure.orientations.length,
    newOrientations: structure.orientations.filter((orientation) => orientation.existingId === null).length,
    renamed: [...structure.axes, ...structure.orientations].filter((level) => level.renamed).length,
    actions: structure.actions,
  };
}
