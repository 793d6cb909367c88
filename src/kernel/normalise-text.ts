/**
 * The one accent folder. Two entry points share it: foldAccents for a word the import parsers compare
 * with their vocabulary (a hot path: ASCII words skip the Unicode work), normaliseText for the
 * comparison keys of names and headers.
 */

const NON_ASCII = /[^\x00-\x7f]/;
const MARKS = /\p{M}/gu;

/**
 * Lower case, ligatures spelled out, accents removed. With `compatibility`, also "ß" → "ss", ordinal
 * indicators dropped, and compatibility forms unfolded by NFKD (NBSP and narrow NBSP become spaces,
 * "ﬁ" becomes "fi"); without it, NFD: a word keeps any other character as it is.
 */
function fold(s: string, compatibility: boolean): string {
  let lower = s.toLowerCase();
  // Every replacement below is of a non-ASCII character.
  if (!NON_ASCII.test(lower)) return lower;
  // Ligatures NFKD leaves alone.
  lower = lower.replace(/œ/g, 'oe').replace(/æ/g, 'ae');
  if (compatibility) {
    // Ordinal indicators would become letters under NFKD ("Nº" → "no"); keep "Nº" equal to "N°".
    lower = lower.replace(/ß/g, 'ss').replace(/[ºª]/g, ' ');
  }
  return lower.normalize(compatibility ? 'NFKD' : 'NFD').replace(MARKS, '');
}

/** One word to a comparison form: "Prêts" → "prets", "Œuvre" → "oeuvre". Bounded input only. */
export function foldAccents(word: string): string {
  return fold(word, false);
}

/**
 * Reduces a spelling to a comparison key, so that names and headers typed by hand match whatever their
 * accents, case, apostrophes, hyphens, punctuation or (non-breaking) spaces:
 * "Cœur d’Ostrevent" and "COEUR-D'OSTREVENT " both give "coeur d ostrevent".
 */
export function normaliseText(s: string): string {
  return fold(s, true)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
