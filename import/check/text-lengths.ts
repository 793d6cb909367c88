import { IssueDraft } from '../common/model';
import { ParseOutput, SourceRef } from '../parse/parsed.types';

/**
 * The longest text each column that a file's words end up in can hold (the entities' varchar lengths:
 * action code 40 and title 500, organisation name 255, measure name 255, indicator code 40, name 255,
 * unit 40). MariaDB refuses a longer text at apply time and SQLite would store it whole: the preview
 * reports it instead, at its cell, so both databases agree and nothing fails halfway.
 */
const TEXT_LIMITS = {
  actionCode: { limit: 40, what: "le code d'une action" },
  actionTitle: { limit: 500, what: "l'intitulé d'une action" },
  organisationName: { limit: 255, what: "le nom d'une organisation" },
  measureName: { limit: 255, what: "le nom d'une mesure" },
  indicatorCode: { limit: 40, what: "le code d'un indicateur" },
  indicatorName: { limit: 255, what: "le nom d'un indicateur" },
  indicatorUnit: { limit: 40, what: "l'unité d'un indicateur" },
} as const;

type TextKind = keyof typeof TEXT_LIMITS;

const PREVIEW_CHARACTERS = 60;

export function checkTextLengths(parsed: ParseOutput): IssueDraft[] {
  const issues: IssueDraft[] = [];
  const reported = new Set<string>();
  const check = (kind: TextKind, text: string | null | undefined, source: SourceRef | undefined) => {
    const { limit, what } = TEXT_LIMITS[kind];
    if (!text || text.length <= limit || !source) return;
    const key = `${kind}|${source.sheet}|${source.cell}`;
    if (reported.has(key)) return;
    reported.add(key);
    issues.push({
      severity: 'ERROR',
      code: 'TEXT_TOO_LONG',
      message: `Ce texte fait ${text.length.toLocaleString('fr-FR')} caractères, or ${what} ne peut pas en dépasser ${limit} : raccourcissez-le dans le fichier.`,
      sheet: source.sheet,
      cell: source.cell,
      value: text.length > PREVIEW_CHARACTERS ? `${text.slice(0, PREVIEW_CHARACTERS)}…` : text,
    });
  };
  for (const action of parsed.actions) {
    check('actionCode', action.code, action.cells.code);
    check('actionTitle', action.title, action.cells.title);
    check('organisationName', action.leadText, action.cells.lead);
  }
  // A funder or beneficiary named in the file may become a new organisation: its name, at the amount's cell.
  for (const line of parsed.lines) {
    if (line.funder.kind === 'named') check('organisationName', line.funder.text, line.source);
    check('organisationName', line.beneficiary?.text, line.source);
  }
  for (const measure of parsed.measures ?? []) check('measureName', measure.name, measure.source);
  for (const indicator of parsed.indicators ?? []) {
    check('indicatorCode', indicator.code, indicator.source);
    check('indicatorName', indicator.name, indicator.source);
    check('indicatorUnit', indicator.unit, indicator.source);
  }
  return issues;
}
