/**
 * Header text → column role, from the data in column-roles.data.ts. The lookup tables are built once per
 * kind; matching one header is a map lookup plus, at worst, a scan of a few dozen prefixes.
 */
import { normaliseText } from '../../src/kernel/normalise-text';
import { COLUMN_ROLES, STAGE_WORDS } from './column-roles.data';
import { headerKey, normaliseHeader, type NormalisedHeader } from './header-text';
import type { ColumnRole, FunderDescriptor, ImportKindName, RoleSpec, StageName, ValueExpectation } from './types';

export interface RoleMatch {
  role: ColumnRole;
  expects: ValueExpectation;
  /** Does not count when scoring header rows. */
  weak: boolean;
  repeatable: boolean;
  year?: number;
  funder?: FunderDescriptor;
  index?: number;
  territory?: string;
  stage?: StageName;
}

interface PrefixEntry {
  key: string;
  spec: RoleSpec;
}

interface KindMatcher {
  exact: Map<string, RoleMatch | 'AS_WRITTEN_FUNDER'>;
  prefixes: PrefixEntry[];
  funderPrefixes: string[];
  yearWords: Set<string> | null;
  yearExpects: ValueExpectation;
  /** Synonyms that two different roles claim: a data error (see the data tests). */
  conflicts: string[];
}

export const YEAR_MIN = 1990;
export const YEAR_MAX = 2100;

const MATCHERS = new Map<ImportKindName, KindMatcher>();

/** Normalised stage word → stage. */
const STAGE_BY_WORD: Map<string, StageName> = (() => {
  const map = new Map<string, StageName>();
  for (const [stage, words] of Object.entries(STAGE_WORDS) as Array<[StageName, readonly string[]]>) {
    for (const w of words) map.set(normaliseText(w), stage);
  }
  return map;
})();

/** The stage a text states as a whole word ('Montants attribués (k€)' → GRANTED), if any. */
export function stageIn(normalised: string): StageName | undefined {
  if (!normalised) return undefined;
  for (const token of normalised.split(' ')) {
    const s = STAGE_BY_WORD.get(token);
    if (s) return s;
  }
  return undefined;
}

function roleMatch(spec: RoleSpec): RoleMatch {
  return { role: spec.role, expects: spec.expects, weak: !!spec.weak, repeatable: !!spec.repeatable };
}

/**
 * Builds a kind's header index ahead of its first file (a few hundred synonyms normalised): a caller that
 * waits for a worker to read the file does it meanwhile.
 */
export function prepareMatcher(kind: ImportKindName): void {
  matcherFor(kind);
}

function matcherFor(kind: ImportKindName): KindMatcher {
  let m = MATCHERS.get(kind);
  if (m) return m;
  const data = COLUMN_ROLES[kind];
  const exact: KindMatcher['exact'] = new Map();
  const owner = new Map<string, string>();
  const conflicts: string[] = [];
  const put = (synonym: string, value: RoleMatch | 'AS_WRITTEN_FUNDER', who: string) => {
    const key = headerKey(synonym);
    if (!key) return;
    const previous = owner.get(key);
    if (previous !== undefined) {
      if (previous !== who) conflicts.push(`${synonym} → ${previous} / ${who}`);
      return;
    }
    owner.set(key, who);
    exact.set(key, value);
  };
  for (const spec of data.roles) for (const s of spec.synonyms) put(s, roleMatch(spec), spec.role);
  for (const f of data.funderColumns ?? []) {
    for (const s of f.synonyms) {
      if (f.descriptor === 'AS_WRITTEN') put(s, 'AS_WRITTEN_FUNDER', 'funderColumn:as-written');
      else
        put(
          s,
          { role: 'funderColumn', expects: f.descriptor.other ? 'text' : 'number', weak: false, repeatable: !!f.descriptor.other, funder: f.descriptor },
          `funderColumn:${JSON.stringify(f.descriptor)}`,
        );
    }
  }
  for (const s of data.ignored ?? []) put(s, { role: 'ignored', expects: 'any', weak: true, repeatable: true }, 'ignored');

  const prefixes: PrefixEntry[] = [];
  for (const spec of data.roles) for (const p of spec.prefixes ?? []) prefixes.push({ key: normaliseText(p), spec });
  prefixes.sort((a, b) => b.key.length - a.key.length);
  const funderPrefixes = (data.funderPrefixes ?? []).map((p) => normaliseText(p)).sort((a, b) => b.length - a.length);

  m = {
    exact,
    prefixes,
    funderPrefixes,
    yearWords: data.yearColumns ? new Set(data.yearColumns.words.map((w) => normaliseText(w))) : null,
    yearExpects: data.yearColumns?.expects ?? 'number',
    conflicts,
  };
  MATCHERS.set(kind, m);
  return m;
}

/** Synonyms claimed by two roles of one kind (should be none). */
export function synonymConflicts(kind: ImportKindName): string[] {
  return matcherFor(kind).conflicts;
}

/**
 * The text of `display` after the words whose normalised form is `prefixKey`, as written:
 * ('Territoire de la CCCO', 'territoire de la') → 'CCCO'.
 */
function rawRemainder(display: string, prefixKey: string): string {
  for (let i = 1; i <= display.length; i++) {
    if (i < display.length && /[\p{L}\p{N}]/u.test(display[i]) && /[\p{L}\p{N}]/u.test(display[i - 1])) continue;
    if (normaliseText(display.slice(0, i)) === prefixKey) {
      return display
        .slice(i)
        .replace(/^[\s'’:\-–—.,;]+/, '')
        .trim();
    }
  }
  return display;
}

function matchYear(label: string, m: KindMatcher): RoleMatch | null {
  if (!m.yearWords || !label) return null;
  let year: number | undefined;
  let stage: StageName | undefined;
  for (const token of label.split(' ')) {
    if (/^\d{4}$/.test(token)) {
      const y = Number(token);
      if (y < YEAR_MIN || y > YEAR_MAX || year !== undefined) return null;
      year = y;
    } else if (m.yearWords.has(token)) {
      continue;
    } else {
      const s = STAGE_BY_WORD.get(token);
      if (!s || (stage && stage !== s)) return null;
      stage = s;
    }
  }
  if (year === undefined) return null;
  const match: RoleMatch = { role: 'yearColumn', expects: m.yearExpects, weak: false, repeatable: true, year };
  if (stage) match.stage = stage;
  return match;
}

/** What a header means for this kind of file; null when nothing in the data knows it. */
export function matchHeader(text: string, kind: ImportKindName, normalised: NormalisedHeader = normaliseHeader(text)): RoleMatch | null {
  const m = matcherFor(kind);
  const h = normalised;
  const asWritten = (): RoleMatch => ({ role: 'funderColumn', expects: 'number', weak: false, repeatable: false, funder: { funder: h.display || text.trim() } });

  for (const key of h.label ? [h.label, h.full] : [h.full]) {
    const hit = m.exact.get(key);
    if (hit === 'AS_WRITTEN_FUNDER') return asWritten();
    if (hit) return { ...hit };
  }
  const year = matchYear(h.label, m);
  if (year) return year;
  const label = h.label;
  if (!label) return null;
  for (const { key, spec } of m.prefixes) {
    if (label !== key && !label.startsWith(`${key} `)) continue;
    const rest = label.slice(key.length).trim();
    if (spec.capture === 'index') {
      if (!/^\d{1,2}$/.test(rest) || Number(rest) < 1) continue;
      return { ...roleMatch(spec), index: Number(rest) };
    }
    if (spec.capture === 'territory') {
      if (!rest) continue;
      return { ...roleMatch(spec), territory: rawRemainder(h.display, key) };
    }
    return roleMatch(spec);
  }
  for (const key of m.funderPrefixes) {
    if (label.startsWith(`${key} `)) return asWritten();
  }
  return null;
}
