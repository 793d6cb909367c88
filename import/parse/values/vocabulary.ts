/**
 * Closed vocabularies typed by hand: action status, funding stage, funding instrument, cost base, credit nature.
 *
 * Matching: the cell text goes through `normaliseText` (lower case, no accents, punctuation → spaces,
 * trimmed), then each word loses a final "s" and up to two final "e" (so gender and number do not
 * matter: "réalisées" = "réalisé"). The key must then equal one of the words of
 * `vocabulary.data.ts`, compared the same way — no prefix or fuzzy matching, so "en cours de
 * validation" is unknown rather than silently UNDERWAY. For stages only, when the whole text is unknown,
 * filler words ("montant", "subvention"…) are dropped and the rest is tried again ("Montant demandé").
 *
 * Empty cells and "-" give { status: 'empty' }; an unknown word gives an error whose message quotes the
 * value and lists the accepted words.
 */
import { ActionStatus } from '../../../src/kernel/action-status.enum';
import { CostBase, FundingInstrument, FundingStage } from '../../../src/kernel/funding.enum';
import { CreditNature } from '../../../src/kernel/credit-nature.enum';
import { normaliseText } from '../../../src/kernel/normalise-text';
import {
  ACTION_STATUS_WORDS,
  COST_BASE_WORDS,
  CREDIT_NATURE_WORDS,
  FUNDING_INSTRUMENT_WORDS,
  FUNDING_STAGE_IGNORED_WORDS,
  FUNDING_STAGE_WORDS,
} from './vocabulary.data';
import { ValueInput, formulaErrorMessage, quote, trimBlank, viewInput } from './shared';

export type VocabularyErrorCode =
  | 'STATUS_UNKNOWN'
  | 'STAGE_UNKNOWN'
  | 'INSTRUMENT_UNKNOWN'
  | 'COST_BASE_UNKNOWN'
  | 'CREDIT_NATURE_UNKNOWN'
  | 'FORMULA_ERROR';

export type VocabularyResult<T> =
  | { status: 'empty' }
  | { status: 'ok'; value: T }
  | { status: 'error'; code: VocabularyErrorCode; message: string };

const MAX_VOCABULARY_TEXT = 120;
const MAX_SEEN = 1000;

/** A word without its final "s" and up to two final "e" (kept at three letters at least). */
function stemWord(word: string): string {
  let w = word;
  if (w.length > 3 && w.endsWith('s')) w = w.slice(0, -1);
  for (let k = 0; k < 2 && w.length > 3 && w.endsWith('e'); k++) w = w.slice(0, -1);
  return w;
}

/** The comparison key of a spelling: normalised, each word stemmed. */
export function vocabularyKey(text: string, ignored?: ReadonlySet<string>): string {
  const words = normaliseText(text).split(' ');
  const kept: string[] = [];
  for (const word of words) {
    if (word === '') continue;
    if (ignored && ignored.has(word)) continue;
    kept.push(stemWord(word));
  }
  return kept.join(' ');
}

export interface VocabularyDefinition<T extends string> {
  /** For messages: "n'est pas <what>". */
  what: string;
  code: Exclude<VocabularyErrorCode, 'FORMULA_ERROR'>;
  words: Record<T, readonly string[]>;
  ignoredWords?: readonly string[];
  /** Overrides the default "écrivez l'un de ces mots : …". */
  hint?: string;
}

export class Vocabulary<T extends string> {
  private readonly keys = new Map<string, T>();
  private readonly ignored: ReadonlySet<string> | undefined;
  /** The first word of each value, in order: what messages show. */
  readonly accepted: string[];

  constructor(private readonly definition: VocabularyDefinition<T>) {
    this.ignored = definition.ignoredWords ? new Set(definition.ignoredWords.map((w) => normaliseText(w))) : undefined;
    this.accepted = [];
    for (const value of Object.keys(definition.words) as T[]) {
      const spellings = definition.words[value];
      if (spellings.length > 0) this.accepted.push(spellings[0]);
      for (const spelling of spellings) {
        const key = vocabularyKey(spelling);
        if (key === '') throw new Error(`vocabulary ${definition.code}: "${spelling}" is empty once normalised`);
        const existing = this.keys.get(key);
        if (existing !== undefined && existing !== value) {
          throw new Error(`vocabulary ${definition.code}: "${spelling}" means both ${existing} and ${value}`);
        }
        this.keys.set(key, value);
      }
    }
  }

  /** Texts already looked up: a file repeats the same few words on every row. Bounded. */
  private readonly seen = new Map<string, T | undefined>();

  /** The value a text names, or undefined. */
  lookup(text: string): T | undefined {
    if (text.length > MAX_VOCABULARY_TEXT) return undefined;
    if (this.seen.has(text)) return this.seen.get(text);
    const value = this.lookupUncached(text);
    if (this.seen.size >= MAX_SEEN) this.seen.clear();
    this.seen.set(text, value);
    return value;
  }

  private lookupUncached(text: string): T | undefined {
    const found = this.keys.get(vocabularyKey(text));
    if (found !== undefined || !this.ignored) return found;
    const shorter = vocabularyKey(text, this.ignored);
    return shorter === '' ? undefined : this.keys.get(shorter);
  }

  parse(input: ValueInput): VocabularyResult<T> {
    const view = viewInput(input);
    if (view.kind === 'empty') return { status: 'empty' };
    if (view.kind === 'error') return { status: 'error', code: 'FORMULA_ERROR', message: formulaErrorMessage(view.value) };
    const text = view.kind === 'string' ? trimBlank(view.value) : view.display;
    if (text === '' || text === '-' || text === '–' || text === '—') return { status: 'empty' };
    const value = this.lookup(text);
    if (value !== undefined) return { status: 'ok', value };
    return { status: 'error', code: this.definition.code, message: this.message(text) };
  }

  message(text: string): string {
    const hint = this.definition.hint ?? `écrivez l'un de ces mots : ${this.accepted.join(', ')}`;
    return `${quote(text)} n'est pas ${this.definition.what} : ${hint}.`;
  }
}

export const ACTION_STATUS_VOCABULARY = new Vocabulary<ActionStatus>({
  what: "un état d'avancement connu",
  code: 'STATUS_UNKNOWN',
  words: ACTION_STATUS_WORDS,
});

const FUNDING_STAGE_VOCABULARY = new Vocabulary<FundingStage>({
  what: 'une étape de financement connue',
  code: 'STAGE_UNKNOWN',
  words: FUNDING_STAGE_WORDS,
  ignoredWords: FUNDING_STAGE_IGNORED_WORDS,
});

const FUNDING_INSTRUMENT_VOCABULARY = new Vocabulary<FundingInstrument>({
  what: 'une nature de financement connue',
  code: 'INSTRUMENT_UNKNOWN',
  words: FUNDING_INSTRUMENT_WORDS,
});

const COST_BASE_VOCABULARY = new Vocabulary<CostBase>({
  what: 'une base de coût connue',
  code: 'COST_BASE_UNKNOWN',
  words: COST_BASE_WORDS,
  hint: 'écrivez HT (hors taxes) ou TTC (toutes taxes comprises)',
});

const CREDIT_NATURE_VOCABULARY = new Vocabulary<CreditNature>({
  what: 'une nature de crédits connue',
  code: 'CREDIT_NATURE_UNKNOWN',
  words: CREDIT_NATURE_WORDS,
  hint: 'écrivez « Relance » (plan France Relance), « Crédits contractualisés » (nouveaux engagements) ou « Crédits valorisés » (engagements antérieurs), ou laissez la cellule vide',
});

/** 'en cours ', 'A venir', 'Réalisé'… → ActionStatus. */
export function parseStatus(input: ValueInput): VocabularyResult<ActionStatus> {
  return ACTION_STATUS_VOCABULARY.parse(input);
}

/** 'prévu', 'Montant demandé', 'attribué', 'perçues'… → FundingStage. */
export function parseStage(input: ValueInput): VocabularyResult<FundingStage> {
  return FUNDING_STAGE_VOCABULARY.parse(input);
}

/** 'Prêt', 'Subvention', 'Ingénierie', 'Fonds propres'… → FundingInstrument. */
export function parseInstrument(input: ValueInput): VocabularyResult<FundingInstrument> {
  return FUNDING_INSTRUMENT_VOCABULARY.parse(input);
}

/** 'HT', 'H.T.', 'TTC', 'toutes taxes comprises' → CostBase. */
export function parseCostBase(input: ValueInput): VocabularyResult<CostBase> {
  return COST_BASE_VOCABULARY.parse(input);
}

/** 'France Relance', 'Crédits contractualisés', 'Nouveaux engagements', 'Valorisé', 'Engagement antérieur' → CreditNature. */
export function parseCreditNature(input: ValueInput): VocabularyResult<CreditNature> {
  return CREDIT_NATURE_VOCABULARY.parse(input);
}
