/**
 * Header text → comparison key + units. "Coût total de l'opération\n(en euros HT)" gives
 * { label: 'cout total de l operation', multiplier: 1, costBase: 'HT', unitStated: true }.
 */
import { normaliseText } from '../../src/kernel/normalise-text';
import type { CostBaseName, Multiplier } from './types';

export interface NormalisedHeader {
  /** Comparison key without units nor parentheses: 'cout total de l operation'. */
  label: string;
  /** Comparison key of the whole text, units and parentheses included: 'cout total de l operation en euros ht'. */
  full: string;
  /** The text as written without units nor parentheses, spaces collapsed: "Coût total de l'opération". */
  display: string;
  /** From k€ / en milliers d'euros (1000), M€ / en millions (1 000 000); 1 otherwise. */
  multiplier: Multiplier;
  /** A money unit was stated (€, euros, k€, M€…), so `multiplier` is meant, not a default. */
  unitStated: boolean;
  /** HT or TTC; absent when neither or both ('HT/TTC') are stated. */
  costBase?: CostBaseName;
  /** Normalised content of parentheses that held no unit: ['x x'] for 'Sous-axe (x.x)'. */
  parenthetical: string[];
}

interface UnitPattern {
  re: RegExp;
  multiplier?: Multiplier;
  costBase?: CostBaseName;
}

/** Unit patterns, longest first, on text whose spaces and apostrophes were made plain. */
const L = '(?<![\\p{L}\\p{N}])'; // no letter or digit before
const R = '(?![\\p{L}\\p{N}])'; // no letter or digit after
const UNIT_PATTERNS: UnitPattern[] = [
  { re: new RegExp(`${L}(?:en\\s+)?milliers?\\s+d\\s*'?\\s*(?:euros?|€)${R}`, 'giu'), multiplier: 1000 },
  { re: new RegExp(`${L}(?:en\\s+)?millions?\\s+d\\s*'?\\s*(?:euros?|€)${R}`, 'giu'), multiplier: 1000000 },
  { re: new RegExp(`${L}(?:en\\s+)?milliers?\\s*(?:€|${R})`, 'giu'), multiplier: 1000 },
  { re: new RegExp(`${L}(?:en\\s+)?millions?\\s*(?:€|${R})`, 'giu'), multiplier: 1000000 },
  { re: new RegExp(`${L}(?:en\\s+)?k\\s?(?:€|eur(?:os?)?${R})`, 'giu'), multiplier: 1000 },
  { re: new RegExp(`${L}(?:en\\s+)?m\\s?(?:€|eur(?:os?)?${R})`, 'giu'), multiplier: 1000000 },
  { re: new RegExp(`${L}(?:en\\s+)?(?:euros?|eur)${R}`, 'giu'), multiplier: 1 },
  { re: /(?:en\s+)?€/giu, multiplier: 1 },
  { re: new RegExp(`${L}hors\\s+taxes?${R}`, 'giu'), costBase: 'HT' },
  { re: new RegExp(`${L}toutes\\s+taxes\\s+comprises${R}`, 'giu'), costBase: 'TTC' },
  { re: new RegExp(`${L}h\\.?t\\.?(?![\\p{L}\\p{N}])`, 'giu'), costBase: 'HT' },
  { re: new RegExp(`${L}t\\.?t\\.?c\\.?(?![\\p{L}\\p{N}])`, 'giu'), costBase: 'TTC' },
];

interface UnitScan {
  rest: string;
  multiplier?: Multiplier;
  ht: boolean;
  ttc: boolean;
}

function scanUnits(text: string): UnitScan {
  let rest = text;
  let multiplier: Multiplier | undefined;
  let ht = false;
  let ttc = false;
  for (const p of UNIT_PATTERNS) {
    p.re.lastIndex = 0;
    if (!p.re.test(rest)) continue;
    p.re.lastIndex = 0;
    rest = rest.replace(p.re, ' ');
    if (p.multiplier !== undefined && (multiplier === undefined || multiplier === 1)) multiplier = p.multiplier;
    if (p.costBase === 'HT') ht = true;
    if (p.costBase === 'TTC') ttc = true;
  }
  return { rest, multiplier, ht, ttc };
}

/** Line breaks, tabs, NBSP and narrow NBSP → space; typographic apostrophes → "'". */
function plain(text: string): string {
  return text.replace(/[\s\u00a0\u202f\u2007]+/g, ' ').replace(/[’‘`´ʼ]/g, "'");
}

export function normaliseHeader(text: string): NormalisedHeader {
  const p = plain(text);
  let multiplier: Multiplier | undefined;
  let ht = false;
  let ttc = false;
  const parenthetical: string[] = [];
  const take = (scan: UnitScan) => {
    if (scan.multiplier !== undefined && (multiplier === undefined || multiplier === 1)) multiplier = scan.multiplier;
    ht ||= scan.ht;
    ttc ||= scan.ttc;
  };

  // Parentheses and brackets: their units count, the rest of their content leaves the label.
  const outside = p.replace(/[([]([^()[\]]*)[)\]]/g, (_m, inner: string) => {
    const scan = scanUnits(inner);
    take(scan);
    const left = normaliseText(scan.rest);
    if (left && !/^(en|de|d)$/.test(left)) parenthetical.push(left);
    return ' ';
  });
  const scan = scanUnits(outside);
  take(scan);

  const display = scan.rest
    .replace(/\s+/g, ' ')
    .trim()
    // what the units leave behind: "Montant en", "Coût total -", "Budget :"
    .replace(/(?:\s+(?:en|de|d'|in))+$/i, '')
    .replace(/^[\s:;,/\-–—.]+|[\s:;,/\-–—]+$/g, '')
    .trim();
  const result: NormalisedHeader = {
    label: normaliseText(display),
    full: normaliseText(p),
    display,
    multiplier: multiplier ?? 1,
    unitStated: multiplier !== undefined,
    parenthetical,
  };
  if (ht !== ttc) result.costBase = ht ? 'HT' : 'TTC';
  return result;
}

/** The key a synonym or header is compared by: its label, or the whole text when that is only units ('HT/TTC'). */
export function headerKey(text: string): string {
  const h = normaliseHeader(text);
  return h.label || h.full;
}
