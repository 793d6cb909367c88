/**
 * Territoires en Transitions action plans (ADEME's national template): what the annex 3 parser needs
 * beyond the pairs — the fiche's place in the plan (« Axe (x) », « Sous-axe (x.x) », « Sous-sous axe
 * (x.x.x) »), a code for fiches without a number, and the cells that are not one amount of one funder.
 *
 * Rules (docs/importing.md):
 * - a level cell reads « 1. Titre », « 1.1 Sous-titre », « Axe 1 : Titre », « Sous-axe 1.2 – Titre »:
 *   its number is the level's code; the orientation is the sub-axis's code (« 1.2 »), or the axis's and
 *   the sub-axis's numbers joined (« Axe 1 » then « Sous-axe 2 » → 1.2);
 * - a funder cell naming several names (« Métropole, Région », « Caisse des Dépôts / Banque des
 *   Territoires », « Banque des Territoires (Caisse des Dépôts) »): whether they are one funder or several
 *   is known only from the organisations and their aliases, so the names go to the resolve stage (one
 *   organisation: that funder; two: an error at the funder cell, the amount never split);
 * - a funder written with its scheme (« Etat / DSIL », « Etat - DETR 2024 », « Europe (FEDER) »), or the
 *   scheme alone (« Fonds vert »), is one funder: the named one (else the scheme's operator), the line
 *   keeping the scheme as its programme; two schemes (« DETR / DSIL ») are two funders;
 * - a range (« Entre 200 et 500 », « 200 à 500 k€ ») is not an amount: an error at its cell.
 */
import { createHash } from 'node:crypto';
import { formatEuros } from '../../src/kernel/format-euros';
import { normaliseText } from '../../src/kernel/normalise-text';
import { FUNDER_COLUMNS } from '../detect/column-roles.data';
import { programmeCode } from './grants-programme';
import type { ActionPlanLevel, ActionPlanPlace, SourceRef } from './parsed.types';

/** « Axe 1 : », « Sous-axe 1.2 – », « 1. », « 1.1 », « 1.1.1 » — the number, then the title. */
const LEVEL_RE = /^(?:(?:sous[\s-]*)*axe\s*(?:n\s*[°o]\s*)?)?(\d{1,2}(?:\s*[.,]\s*\d{1,2})*)(?!\d)\s*[.)]?\s*(?:[:\-–—]\s*)?(.*)$/isu;

/** One level of the plan from its cell's text (already tidied); null for an empty cell. */
export function planLevel(text: string | null, source: SourceRef): ActionPlanLevel | null {
  if (text === null) return null;
  const match = LEVEL_RE.exec(text);
  if (!match) return { code: null, title: text, source };
  const code = match[1].replace(/\s+/g, '').replace(/,/g, '.');
  return { code, title: match[2].trim() || text, source };
}

/** The orientation code the plan gives (« 1.2 »), or null when it gives none. */
export function planOrientationCode(place: ActionPlanPlace): string | null {
  const sub = place.subAxis?.code?.split('.');
  if (sub?.length === 2) return sub.join('.');
  const axis = place.axis?.code?.split('.');
  if (sub?.length === 1 && axis?.length === 1) return `${axis[0]}.${sub[0]}`;
  return null;
}

/** First words of a funder's name, to tell « Région et Département » (two) from « Caisse des dépôts et consignations » (one). */
const FUNDER_HEADS = new Set(
  [
    'région', 'département', 'état', 'etat', 'ademe', 'europe', 'ue', 'feder', 'feader', 'leader', 'commune', 'communes', 'ville',
    'epci', 'métropole', 'agglo', 'agglomération', 'communauté', 'cc', 'ca', 'cd', 'cr', 'banque', 'bdt', 'caisse', 'cdc', 'agence',
    'detr', 'dsil', 'dsid', 'fnadt', 'fonds', 'anah', 'anru', 'anct', 'caf', 'syndicat', 'sdis', 'drac', 'dreal', 'ars', 'ofb',
    'bpifrance', 'conseil', 'autofinancement', 'mécénat', 'privé', 'privés',
  ].map(normaliseText),
);

/**
 * The funders a funder cell names when it names several (« Métropole, Région », « Région / Département »,
 * « Région et Département »); null when it names one. Text in parentheses is an aside, not a funder.
 */
export function fundersInOneCell(text: string): string[] | null {
  const outside = text.replace(/\([^)]*\)/g, ' ');
  const parts = outside
    .split(/\s*[,;+&/\n]\s*/)
    .flatMap((part) => splitOnAnd(part))
    .map((part) => part.trim())
    .filter((part) => /[\p{L}\p{N}]/u.test(part));
  return parts.length >= 2 ? parts : null;
}

/** The programme a part of a funder cell names (« DSIL », « DETR 2024 », « Fonds vert »), else null. */
function schemeOf(part: string): string | null {
  return programmeCode(part);
}

/**
 * Who gives an action plan's amount, from its « Financeur n » cell: one funder (its name as written, or
 * null for the operator of the scheme named alone) with the scheme named beside it, or several funders.
 */
export type PlanFunder =
  | { kind: 'one'; name: string | null; programme: string | null }
  /** Two schemes, or a scheme listed beside a funder: several funders whatever the organisations are. */
  | { kind: 'several'; names: string[] }
  /**
   * Names of organisations only, in one cell: one funder if they all name one organisation (decided by
   * the resolve stage, which knows the aliases). `listed`: written as a list (« , », « / », « et »), not
   * as a name with another in parentheses — a parenthesis that names no other organisation is an aside.
   */
  | { kind: 'names'; names: string[]; listed: boolean };

export function planFunderOf(text: string): PlanFunder {
  const asides = [...text.matchAll(/\(([^)]*)\)/g)].map((match) => match[1]);
  const outside = text.replace(/\([^)]*\)/g, ' ');
  const named = (part: string) => /[\p{L}\p{N}]/u.test(part);
  // A list (« Région, FEDER », « Etat + Région », « Région et Département ») names several funders whatever they are.
  const listed = outside.split(/\s*[,;+&\n]\s*/).flatMap((part) => splitOnAnd(part)).map((part) => part.trim()).filter(named);
  if (listed.length >= 2) return listed.some((part) => schemeOf(part)) ? { kind: 'several', names: listed } : { kind: 'names', names: listed, listed: true };
  // One item: « Etat / DSIL », « Etat - DSIL » (a dash between spaces, never « Hauts-de-France »), « Europe (FEDER) ».
  const parts = outside.split(/\s*\/\s*|\s+[-–—]\s+/).map((part) => part.trim()).filter(named);
  const schemes = new Set<string>();
  const names: string[] = [];
  const mentioned = [...parts];
  for (const part of parts) {
    const scheme = schemeOf(part);
    if (scheme) schemes.add(scheme);
    else names.push(part);
  }
  for (const aside of asides) {
    for (const part of aside.split(/\s*[,;/]\s*/)) {
      const scheme = schemeOf(part);
      if (scheme) {
        schemes.add(scheme);
        mentioned.push(part.trim());
      }
    }
  }
  if (schemes.size === 0) {
    const several = fundersInOneCell(text);
    if (several) return { kind: 'names', names: several, listed: true };
    const others = asides.map((aside) => aside.trim()).filter(named);
    return others.length ? { kind: 'names', names: [outside.trim(), ...others], listed: false } : { kind: 'one', name: text, programme: null };
  }
  if (schemes.size > 1 || names.length > 1) return { kind: 'several', names: mentioned };
  return { kind: 'one', name: names[0] ?? null, programme: [...schemes][0] };
}

/**
 * FUNDERS_IN_ONE_CELL's message, at the funder cell. `organisations`, when the resolve stage gives them:
 * what each name is in the database (null: no organisation of that name).
 */
export function fundersInOneCellMessage(names: string[], amountCell: string, cents: bigint, organisations?: Array<string | null>): string {
  const said = names.map((name, i) => {
    if (!organisations) return `« ${name} »`;
    const organisation = organisations[i];
    return organisation === null ? `« ${name} » (organisation inconnue)` : normaliseText(organisation) === normaliseText(name) ? `« ${name} »` : `« ${name} » (${organisation})`;
  });
  const distinct = organisations && organisations.every((organisation) => organisation !== null);
  return (
    `Cette cellule nomme ${names.length} financeurs (${said.join(', ')}) pour un seul montant (${amountCell} : ${formatEuros(cents)}) : ` +
    "le montant n'est pas partagé entre eux, faute de savoir la part de chacun. Donnez une paire « Financeur » / « Montant » par financeur" +
    (organisations && !distinct ? ", ou, si c'est un seul financeur sous deux noms, un seul de ses noms." : '.')
  );
}

/** « Région et Département » → two names when both sides start like a funder's name. */
function splitOnAnd(part: string): string[] {
  const pieces = part.split(/\s+(?:et|ou)\s+/i);
  if (pieces.length < 2) return [part];
  const head = (piece: string) => normaliseText(piece).split(' ')[0] ?? '';
  return pieces.every((piece) => FUNDER_HEADS.has(head(piece))) ? pieces : [part];
}

/** « Entre 200 et 500 », « de 200 000 à 300 000 € », « 200 à 500 k€ », « 200 000 - 500 000 € »: a range, not an amount. */
const RANGE_RE = /^(?:entre|de)?\s*\d[\d\s.,]*(?:k|m)?\s*(?:€|euros?|k€|m€)?\s*(?:et|à|a|-|–|—)\s*\d[\d\s.,]*\s*(?:k|m)?\s*(?:€|euros?|k€|m€)?\s*(?:ht|ttc)?\s*$/iu;

export function isAmountRange(text: string): boolean {
  return RANGE_RE.test(text.trim());
}

/** The message of a range at its cell. */
export function amountRangeMessage(text: string): string {
  return `« ${text.trim()} » est une fourchette, pas un montant : il n'est pas lu (aucun montant n'est choisi à votre place). Indiquez un seul montant, par exemple le montant prévu, et la fourchette en commentaire si besoin.`;
}

/**
 * The code of a fiche without a number: « PA- » and 8 hex digits of the SHA-256 of its title folded for
 * comparison, so that the same plan imported twice (or with other accents or case) gives the same code.
 */
export function planCode(title: string): string {
  return `PA-${createHash('sha256').update(normaliseText(title)).digest('hex').slice(0, 8).toUpperCase()}`;
}

/** « Autofinancement », « Fonds propres », « Part du maître d'ouvrage »… as the by-funder columns know them. */
const OWN_FUNDS = new Set(FUNDER_COLUMNS.flatMap((spec) => (spec.descriptor !== 'AS_WRITTEN' && spec.descriptor.ownFunds ? spec.synonyms.map(normaliseText) : [])));

/** A funder cell that names the fiche's own money (its lead's), not an organisation. */
export function isOwnFunds(text: string): boolean {
  return OWN_FUNDS.has(normaliseText(text));
}
