/**
 * Reduces a spelling to a comparison key, so that names and headers typed by hand match whatever their
 * accents, case, apostrophes, hyphens, punctuation or (non-breaking) spaces:
 * "Cœur d’Ostrevent" and "COEUR-D'OSTREVENT " both give "coeur d ostrevent".
 */
export function normaliseText(s: string): string {
  return (
    s
      .toLowerCase()
      // Ligatures NFKD leaves alone.
      .replace(/œ/g, 'oe')
      .replace(/æ/g, 'ae')
      .replace(/ß/g, 'ss')
      // Ordinal indicators would become letters under NFKD ("Nº" → "no"); keep "Nº" equal to "N°".
      .replace(/[ºª]/g, ' ')
      // NFKD splits accented letters and turns NBSP / narrow NBSP / ligatures like "ﬁ" into plain forms.
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/[^a-z0-9]+/g, ' ')
      .trim()
  );
}
