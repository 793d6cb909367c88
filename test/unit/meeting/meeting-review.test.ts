import { encodeWinAnsi, PdfDocument, textWidth, wrapText } from '../../../src/kernel/pdf-writer';
import { frenchPercent, pdfEuros, writeReviewPdf } from '../../../src/meeting/meeting-review-pdf';
import { DecisionKind } from '../../../src/kernel/decision-kind.enum';
import { MeetingBody } from '../../../src/kernel/meeting-body.enum';
import { euroBytes, parsePdf } from '../../support/pdf';
import { figuresChange, FrozenFigures, reviewAsOf, reviewChanges, ReviewSnapshot } from '../../../src/meeting/meeting-review';

const figures = (planned: string, paid: string, realisationRate: string | null, actions = 1): FrozenFigures => ({
  actions,
  byStatus: [],
  planned,
  requested: '0.00',
  granted: '0.00',
  paid,
  grantedRate: null,
  paidRate: null,
  realisationRate,
});

describe('a meeting’s frozen review', () => {
  it('stands at the last second of the meeting’s day in Paris, winter and summer', () => {
    const later = new Date('2027-01-10T10:00:00.000Z');
    expect(reviewAsOf('2025-11-20', later).toISOString()).toBe('2025-11-20T22:59:59.000Z');
    expect(reviewAsOf('2026-06-15', later).toISOString()).toBe('2026-06-15T21:59:59.000Z');
    // The night the clocks go back (25 October 2026): midnight after it is UTC+1.
    expect(reviewAsOf('2026-10-25', later).toISOString()).toBe('2026-10-25T22:59:59.000Z');
  });

  it('stands a whole second before the recording when the meeting is recorded on its day or ahead of it', () => {
    const now = new Date('2026-12-07T14:32:10.750Z');
    expect(reviewAsOf('2026-12-07', now).toISOString()).toBe('2026-12-07T14:32:09.000Z');
    expect(reviewAsOf('2026-12-20', now).toISOString()).toBe('2026-12-07T14:32:09.000Z');
  });

  it('gives the changes per stage exactly, negative ones included, and the rate’s change in points', () => {
    const change = figuresChange(figures('20100000.00', '83200.00', '0.0041'), figures('20000000.10', '95545.67', '0.0048', 3));
    expect(change).toMatchObject({ actions: 2, planned: '-99999.90', paid: '12345.67', requested: '0.00', realisationRate: '0.0007' });
    expect(figuresChange(figures('10.00', '5.00', '0.5000'), figures('10.00', '1.00', '0.1000')).realisationRate).toBe('-0.4000');
    expect(figuresChange(figures('0.00', '0.00', null), figures('10.00', '1.00', '0.1000')).realisationRate).toBeNull();
  });

  it('matches axes and orientations by code; one created since is compared with nothing', () => {
    const snapshot = (orientations: Array<[string, string]>): ReviewSnapshot => ({
      format: 1,
      asOf: '2026-06-15T21:59:59.000Z',
      year: null,
      overall: figures('100.00', '10.00', '0.1000'),
      unclassified: figures('0.00', '0.00', null, 0),
      axes: [{ code: '1', title: 'Axe 1', figures: figures('100.00', '10.00', '0.1000'), orientations: orientations.map(([code, paid]) => ({ code, title: code, figures: figures('50.00', paid, null) })) }],
    });
    const changes = reviewChanges(snapshot([['1.1', '10.00']]), snapshot([['1.1', '12.50'], ['1.2', '3.00']]));
    expect(changes.since.toISOString()).toBe('2026-06-15T21:59:59.000Z');
    expect(changes.axes[0].orientations.map((o) => [o.code, o.change.paid])).toEqual([
      ['1.1', '2.50'],
      ['1.2', '3.00'],
    ]);
    const removed = reviewChanges(snapshot([['1.1', '10.00'], ['1.9', '4.00']]), snapshot([['1.1', '10.00']]));
    expect(removed.axes[0].orientations.map((o) => [o.code, o.change.paid])).toEqual([
      ['1.1', '0.00'],
      ['1.9', '-4.00'],
    ]);
  });
});

describe('the PDF writer', () => {
  it('writes French text in WinAnsi bytes: é, €, œ, ’, « », and the narrow no-break space as a no-break space', () => {
    expect(encodeWinAnsi('é € œ Œ ’ « » – —')).toBe('\xe9 \x80 \x9c \x8c \x92 \xab \xbb \x96 \x97');
    expect(encodeWinAnsi('1\u202f046\u202f000,50\u00a0€')).toBe('1\xa0046\xa0000,50\xa0\x80');
    // A letter WinAnsi lacks keeps its base letter; a sign it lacks becomes « ? »; decomposed accents are composed.
    expect(encodeWinAnsi('Łō→e\u0301')).toBe('?o?\xe9');
  });

  it('measures with Helvetica’s AFM widths and wraps at spaces, never inside an amount', () => {
    // H 722, e 556, l 222, l 222, o 556 = 2 278 thousandths.
    expect(textWidth('Hello', 'regular', 10)).toBeCloseTo(22.78, 5);
    // Bold: H 722, e 556, l 278, l 278, o 611.
    expect(textWidth('Hello', 'bold', 10)).toBeCloseTo(24.45, 5);
    // € is 556 as a digit; the no-break space 278 like a space.
    expect(textWidth('1\u202f0\u00a0€', 'regular', 1000)).toBe(556 + 278 + 556 + 278 + 556);
    const amount = '1\u202f046\u202f000,50\u00a0€';
    const lines = wrapText(`Montant attribué ${amount} par l’ADEME`, 'regular', 10, textWidth('Montant attribué 1', 'regular', 10));
    expect(lines).toEqual(['Montant attribué', amount, 'par l’ADEME']);
    expect(wrapText('aaaa', 'regular', 10, textWidth('aa', 'regular', 10))).toEqual(['aa', 'aa']);
    expect(wrapText('un\ndeux', 'regular', 10, 500)).toEqual(['un', 'deux']);
  });

  it('wraps ordinary text into the same lines as the former wrapper, which re-measured each growing line', () => {
    // The former wrapText, as it was: the reference for every ordinary text below.
    const former = (text: string, font: 'regular' | 'bold', size: number, maxWidth: number): string[] => {
      const lines: string[] = [];
      for (const paragraph of text.split(/\r?\n/)) {
        let line = '';
        for (const word of paragraph.split(/[ \t]+/).filter(Boolean)) {
          const candidate = line ? `${line} ${word}` : word;
          if (textWidth(candidate, font, size) <= maxWidth) {
            line = candidate;
            continue;
          }
          if (line) lines.push(line);
          line = '';
          let rest = word;
          while (textWidth(rest, font, size) > maxWidth) {
            let cut = 1;
            const chars = [...rest];
            while (cut < chars.length && textWidth(chars.slice(0, cut + 1).join(''), font, size) <= maxWidth) cut++;
            lines.push(chars.slice(0, cut).join(''));
            rest = chars.slice(cut).join('');
          }
          line = rest;
        }
        lines.push(line);
      }
      return lines;
    };
    const words = ['Le', 'comité', 'de', 'pilotage', 'a', 'validé', 'l’avenant', 'n°\u00a03', '«\u00a0Mobilités\u00a0»', '1\u202f046\u202f000,50\u00a0€',
      'œuvre', 'Écoles', '—', 'réhabilitation-énergétique-des-bâtiments-communaux', 'ADEME', '(DSIL)', 'x', 'ﬁ', 'Łódź', '→', 'Ω'];
    // A fixed pseudo-random sequence: the same texts at every run.
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let t = 0; t < 200; t++) {
      const separators = [' ', ' ', ' ', '  ', '\t', '\n', '\r\n'];
      let text = '';
      for (let w = next(40); w >= 0; w--) text += words[next(words.length)] + separators[next(separators.length)];
      const font = next(2) ? 'bold' : 'regular';
      const size = [7, 8, 9.5, 10, 12][next(5)];
      const maxWidth = [5, 30, 83.7, 150, 250, 515.28][next(6)];
      expect(wrapText(text, font, size, maxWidth)).toEqual(former(text, font, size, maxWidth));
    }
  });

  it('wraps a word of 200 000 characters, and a text as long, in one pass (the former wrapper took two minutes)', () => {
    const started = Date.now();
    const maxWidth = 300;
    const word = 'abcdéfghij'.repeat(20_000);
    const lines = wrapText(word, 'regular', 10, maxWidth);
    // Cut as before: each piece as long as fits, the next character would not.
    expect(lines.join('')).toBe(word);
    for (const [i, line] of lines.entries()) {
      expect(textWidth(line, 'regular', 10)).toBeLessThanOrEqual(maxWidth);
      if (i < lines.length - 1) expect(textWidth(line + lines[i + 1][0], 'regular', 10)).toBeGreaterThan(maxWidth);
    }
    const text = 'une action de 40 000 € '.repeat(8_700);
    const textLines = wrapText(text, 'bold', 9, maxWidth);
    expect(textLines.join(' ')).toBe(text.trim());
    expect(textLines.every((line) => textWidth(line, 'bold', 9) <= maxWidth)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('writes a PDF 1.4 whose cross-reference offsets are exact, one page object per page', () => {
    const pdf = new PdfDocument({ title: 'Relevé — COPIL', createdAt: new Date('2026-12-07T06:00:00Z') });
    pdf.text(pdf.addPage(), 40, 60, 'Première page (avec parenthèses) \\ et €', { font: 'bold' });
    pdf.text(pdf.addPage(), 555, 60, '20 100 000,00 €', { align: 'right' });
    const parsed = parsePdf(pdf.toBuffer());
    expect(parsed).toMatchObject({ version: '1.4', pageCount: 2, objectCount: 10 });
    expect(parsed.pageTexts).toEqual([['Premi\xe8re page (avec parenth\xe8ses) \\ et \x80'], ['20 100 000,00 \x80']]);
    // The title is UTF-16BE in the document's information: « é » is 00E9.
    expect(pdf.toBuffer().toString('latin1')).toContain('/Title <FEFF00520065006C0065007600E9');
  });

  it('writes a percentage and an amount in French, exactly', () => {
    expect(frenchPercent('0.0041')).toBe('0,41\u00a0%');
    expect(frenchPercent('1.2345')).toBe('123,45\u00a0%');
    expect(frenchPercent('-0.0003', true)).toBe('-0,03\u00a0%');
    expect(frenchPercent('0.0003', true)).toBe('+0,03\u00a0%');
    expect(encodeWinAnsi(pdfEuros('1046000.50'))).toBe(euroBytes('1046000.50'));
  });

  it('cuts a decision longer than a page between its lines, header repeated, nothing below the page’s bottom', () => {
    const words = Array.from({ length: 900 }, (_, i) => `mot${i}`);
    const empty = figures('0.00', '0.00', null, 0);
    const { buffer, fileName } = writeReviewPdf({
      contract: { code: 'CRTE-TEST', name: 'Contrat d’essai' },
      meeting: { id: 1, body: MeetingBody.COPIL, heldOn: '2026-12-07', title: null, place: null },
      members: [],
      agenda: [],
      decisions: [{ actionCode: null, actionTitle: null, kind: DecisionKind.AMENDMENT_REQUEST, text: words.join(' '), dueOn: null }],
      review: { format: 1, asOf: '2026-12-07T10:00:00.000Z', year: null, overall: empty, unclassified: empty, axes: [] },
      previousCopil: null,
    });
    expect(fileName).toBe('releve-CRTE-TEST-COPIL-2026-12-07.pdf');
    const parsed = parsePdf(buffer);
    expect(parsed.pageCount).toBeGreaterThanOrEqual(2);
    const text = parsed.pageTexts.flat();
    expect(text.filter((t) => /^mot\d+/.test(t)).join(' ')).toBe(words.join(' '));
    // The table's header on each page the decision runs over.
    expect(parsed.pageTexts.filter((page) => page.includes('Texte')).length).toBeGreaterThanOrEqual(2);
    const baselines = [...buffer.toString('latin1').matchAll(/1 0 0 1 [\d.]+ ([\d.]+) Tm/g)].map((m) => Number(m[1]));
    expect(Math.min(...baselines)).toBeGreaterThan(20);
    expect(parsed.pageTexts[0]).toContain('Aucun membre indiqué.');
  });
});
