import { ImportKind } from '../src/kernel/import-batch.enum';
import { checkPreview } from './check/check';
import { checkTextLengths } from './check/text-lengths';
import { prepareMatcher } from './detect';
import { CellCorrection, IssueDraft, parseCellAddress, WorkbookGrid } from './common/model';
import { parseAnnex2 } from './parse/annex2.parser';
import { parseAnnex3, ParseOptions } from './parse/annex3.parser';
import { parseDotations } from './parse/dotations.parser';
import { parseGrants } from './parse/grants.parser';
import { parseIndicators } from './parse/indicators.parser';
import { ParseOutput } from './parse/parsed.types';
import { buildImportPreview, ImportPreview } from './preview/import-preview';
import { ContractReference } from './resolve/contract-reference';
import { resolveParsed, ResolvedPreview, SenderAuthority } from './resolve/resolve';
import { derivePlanStructure, PlanStructure, withPlannedOrientations } from './resolve/plan-structure';

/**
 * The pure part of an import, from a grid of cells to a preview: parse (by kind) → resolve → check →
 * preview. Reading the file comes before (import/read), storing and applying after (src/import-batch: store-preview.ts, apply/).
 */
export interface PipelineInput {
  kind: ImportKind;
  workbook: WorkbookGrid;
  reference: ContractReference;
  sourceOrganisationId: number;
  /** What the sender may write (its token's role, from the database): see ResolveContext. */
  authority: SenderAuthority;
  /** The year given with the upload, for files whose rows do not say it. */
  year?: number | null;
  /** The programme given with the upload (« Fonds vert »), for a grants list of one programme. */
  programme?: string | null;
  /** Cells read as a person corrected them in the preview (their text replaces the file's). */
  corrections?: CellCorrection[];
}

export interface PipelineResult {
  parsed: ParseOutput;
  resolved: ResolvedPreview;
  issues: IssueDraft[];
  preview: ImportPreview;
  /** Kind `plan`: the axes and orientations the file gives, matched to the contract's (resolve/plan-structure.ts). */
  structure?: PlanStructure;
}

export function parseWorkbook(input: Omit<PipelineInput, 'authority'>): ParseOutput {
  const options: ParseOptions = { year: input.year ?? null, decimalComma: input.workbook.csv?.decimalComma };
  switch (input.kind) {
    case ImportKind.ANNEX3:
    // A plan is read as an annex 3 (its layout `action-plan`); its structure is derived in runPipeline.
    case ImportKind.PLAN:
      return parseAnnex3(input.workbook, options);
    case ImportKind.DOTATIONS:
      return parseDotations(input.workbook, options);
    case ImportKind.ANNEX2:
      return parseAnnex2(input.workbook, options);
    case ImportKind.GRANTS:
      return parseGrants(input.workbook, { ...options, perimeter: perimeterOf(input.reference), programme: input.programme ?? null });
    case ImportKind.INDICATORS:
      return parseIndicators(input.workbook, options);
    case ImportKind.MANUAL:
      // Uploads and the command line take only FILE_IMPORT_KINDS: a manual entry is no file to read.
      throw new Error('Une saisie manuelle (MANUAL) n’est pas un fichier à lire.');
  }
}

/** What the pipeline builds once per kind, done ahead (while a worker reads the file): see prepareMatcher. */
export function preparePipeline(kind: ImportKind): void {
  if (kind !== ImportKind.MANUAL) prepareMatcher(kind === ImportKind.PLAN ? ImportKind.ANNEX3 : kind);
}

export function runPipeline(input: PipelineInput): PipelineResult {
  if (input.corrections?.length) applyCorrections(input.workbook, input.corrections);
  const parsed = parseWorkbook(input);
  const structure = input.kind === ImportKind.PLAN ? derivePlanStructure(parsed, input.reference) : undefined;
  const reference = structure ? withPlannedOrientations(input.reference, structure) : input.reference;
  const resolved = resolveParsed(parsed, reference, { sourceOrganisationId: input.sourceOrganisationId, authority: input.authority });
  const checked = checkPreview(parsed, resolved, {
    startYear: input.reference.contract.startYear,
    endYear: input.reference.contract.endYear,
    // A year outside the contract is history in grant tables and lists, a warning in an annex 3.
    warnOutsidePeriod: input.kind === ImportKind.ANNEX3 || input.kind === ImportKind.PLAN,
  });
  const issues = [...parsed.issues, ...(structure?.issues ?? []), ...resolved.issues, ...checked, ...checkTextLengths(parsed)];
  return { parsed, resolved, issues, preview: buildImportPreview(parsed, resolved, issues, input.reference, structure), ...(structure ? { structure } : {}) };
}

/** Puts each corrected text in its cell, as if the file had said it (a text cell: parsed as partners' text is). */
export function applyCorrections(workbook: WorkbookGrid, corrections: CellCorrection[]): void {
  for (const correction of corrections) {
    const sheet = workbook.sheets.find((candidate) => candidate.name === correction.sheet);
    const place = parseCellAddress(correction.cell);
    if (!sheet || !place) continue;
    while (sheet.rows.length <= place.row) sheet.rows.push([]);
    const row = sheet.rows[place.row];
    while (row.length <= place.col) row.push(null);
    row[place.col] = correction.value.trim() === '' ? null : { kind: 'string', value: correction.value };
  }
}

/** The INSEE codes and SIRENs of the contract's territory: its EPCIs and their communes. */
function perimeterOf(reference: ContractReference): { inseeCodes: ReadonlySet<string>; sirens: ReadonlySet<string> } {
  const epcis = new Set(reference.perimeterEpciIds);
  const inseeCodes = new Set<string>();
  const sirens = new Set<string>();
  for (const organisation of reference.organisations) {
    const inside = epcis.has(organisation.id) || (organisation.parentId !== null && epcis.has(organisation.parentId) && organisation.kind === 'COMMUNE');
    if (!inside) continue;
    if (organisation.inseeCode) inseeCodes.add(organisation.inseeCode);
    if (organisation.siren) sirens.add(organisation.siren);
  }
  return { inseeCodes, sirens };
}
