/**
 * A meeting's review as the PDF the sous-préfecture sends: the same content as the workbook
 * (meeting-review-export.ts) on A4 pages — the meeting, its members present, its agenda, the relevé de
 * décisions, the review frozen with the meeting (each stage's amount, never added, and the taux de
 * réalisation) and what moved since the previous COPIL's frozen review. Amounts are written in French
 * from the exact decimal strings (« 1 046 000,50 € »), right-aligned; tables continue on the next page
 * with their header repeated; every page says the document and its page number.
 */
import { formatEuros } from '../kernel/format-euros';
import { DECISION_KIND_LABELS, MEETING_BODY_LABELS } from '../kernel/french-labels';
import { parseCents } from '../kernel/money';
import { PdfDocument, PdfFont, textWidth, wrapText } from '../kernel/pdf-writer';
import { FiguresChangeData } from './meeting-review';
import { FrozenFigures } from './meeting-review';
import { frenchDate, frenchMoment, ReviewExportData, reviewTitle } from './meeting-review-export';

const MARGIN = 36;
const TOP = 50;
const BOTTOM = 790;
const SIZE = 9;
const SMALL = 8;
const LEADING = 1.25;

/** « 1 046 000,50 € », the groups and the unit held by no-break spaces (the PDF's WinAnsi has no narrow one: the writer maps it). */
export function pdfEuros(decimal: string): string {
  return formatEuros(parseCents(decimal), { separator: '\u202f' }).replace(/ €$/, '\u00a0€');
}

function signedEuros(decimal: string): string {
  const cents = parseCents(decimal);
  return `${cents > 0n ? '+' : ''}${pdfEuros(decimal)}`;
}

/** A 4-place rate (« 0.0041 ») as a French percentage (« 0,41 % »), exactly: its ten-thousandths are hundredths of a percent. */
export function frenchPercent(rate: string, signed = false): string {
  const negative = rate.startsWith('-');
  const [whole, fraction = ''] = rate.replace('-', '').split('.');
  const units = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4));
  const sign = negative && units !== 0n ? '-' : signed && units !== 0n ? '+' : '';
  return `${sign}${(units / 100n).toString()},${(units % 100n).toString().padStart(2, '0')}\u00a0%`;
}

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
  /** Amounts stay on one line (their width is planned for the largest). */
  nowrap?: boolean;
}

interface Cell {
  text: string;
  font?: PdfFont;
  indent?: number;
}

/** Writes top to bottom, opening a new page when the next block does not fit. */
class Flow {
  page: number;
  y = TOP;
  readonly width: number;

  constructor(readonly pdf: PdfDocument) {
    this.page = pdf.addPage();
    this.width = pdf.width - 2 * MARGIN;
  }

  newPage(): void {
    this.page = this.pdf.addPage();
    this.y = TOP;
  }

  ensure(height: number): void {
    if (this.y + height > BOTTOM && this.y > TOP) this.newPage();
  }

  paragraph(text: string, options: { font?: PdfFont; size?: number; gray?: number; indent?: number; after?: number } = {}): void {
    const font = options.font ?? 'regular';
    const size = options.size ?? SIZE;
    const indent = options.indent ?? 0;
    for (const line of wrapText(text, font, size, this.width - indent)) {
      this.ensure(size * LEADING);
      this.y += size * LEADING;
      this.pdf.text(this.page, MARGIN + indent, this.y - size * 0.25, line, { font, size, gray: options.gray });
    }
    this.y += options.after ?? 0;
  }

  heading(text: string): void {
    // A heading is never the last line of a page.
    this.ensure(11 * LEADING + 6 + 3 * SIZE * LEADING);
    this.y += 6;
    this.paragraph(text, { font: 'bold', size: 11, after: 2 });
    this.pdf.line(this.page, MARGIN, this.y, MARGIN + this.width, this.y, 0.6, 0.3);
    this.y += 4;
  }

  /** Label: value lines, the value wrapped beside its label. */
  field(label: string, value: string): void {
    const labelWidth = 78;
    const lines = wrapText(value, 'regular', SIZE, this.width - labelWidth);
    this.ensure(lines.length * SIZE * LEADING);
    lines.forEach((line, i) => {
      this.y += SIZE * LEADING;
      if (i === 0) this.pdf.text(this.page, MARGIN, this.y - SIZE * 0.25, label, { font: 'bold', size: SIZE });
      this.pdf.text(this.page, MARGIN + labelWidth, this.y - SIZE * 0.25, line, { size: SIZE });
    });
  }

  /**
   * A table whose header is repeated on each page it runs over. A row goes whole to the next page when it
   * does not fit; one taller than a third of a page (a long decision) is cut between its lines instead.
   */
  table(columns: Column[], rows: Array<{ cells: Cell[]; shaded?: boolean }>, size = SMALL): void {
    const pad = 3;
    const lineHeight = size * LEADING;
    const wrap = (cells: Cell[], font: PdfFont | null) =>
      cells.map((cell, c) => (columns[c].nowrap && font === null ? [cell.text] : wrapText(cell.text, font ?? cell.font ?? 'regular', size, columns[c].width - 2 * pad - (cell.indent ?? 0))));
    const heightOf = (wrapped: string[][]) => Math.max(1, ...wrapped.map((lines) => lines.length)) * lineHeight + 2 * pad;
    const draw = (cells: Cell[], wrapped: string[][], font: PdfFont | null, shade: number | null) => {
      const height = heightOf(wrapped);
      if (shade !== null) this.pdf.box(this.page, MARGIN, this.y, this.width, height, shade);
      let x = MARGIN;
      wrapped.forEach((lines, c) => {
        const column = columns[c];
        const cellFont = font ?? cells[c].font ?? 'regular';
        lines.forEach((line, l) => {
          const baseline = this.y + pad + (l + 1) * lineHeight - size * 0.25;
          if (column.align === 'right') this.pdf.text(this.page, x + column.width - pad, baseline, line, { font: cellFont, size, align: 'right' });
          else this.pdf.text(this.page, x + pad + (cells[c].indent ?? 0), baseline, line, { font: cellFont, size });
        });
        x += column.width;
      });
      this.y += height;
      this.pdf.line(this.page, MARGIN, this.y, MARGIN + this.width, this.y, 0.4, 0.7);
    };
    const headerCells = columns.map((column) => ({ text: column.header }));
    const headerLines = wrap(headerCells, 'bold');
    const header = () => draw(headerCells, headerLines, 'bold', 0.88);
    const firstRow = rows.length ? heightOf(wrap(rows[0].cells, null)) : 0;
    this.ensure(heightOf(headerLines) + Math.min(firstRow, (BOTTOM - TOP) / 3));
    header();
    for (const row of rows) {
      const shade = row.shaded ? 0.95 : null;
      let wrapped = wrap(row.cells, null);
      while (this.y + heightOf(wrapped) > BOTTOM) {
        const fit = Math.floor((BOTTOM - this.y - 2 * pad) / lineHeight);
        if (heightOf(wrapped) > (BOTTOM - TOP) / 3 && fit >= 2) {
          draw(row.cells, wrapped.map((lines) => lines.slice(0, fit)), null, shade);
          wrapped = wrapped.map((lines) => lines.slice(fit));
        }
        this.newPage();
        header();
      }
      draw(row.cells, wrapped, null, shade);
    }
  }
}

/** « +999 999 999,99 € » in bold 8 pt is 70 pt wide. */
const AMOUNT_WIDTH = 72;

function figuresColumns(width: number, label: string): Column[] {
  const fixed = [
    { header: 'Actions', width: 38, align: 'right' as const },
    { header: 'Prévu', width: AMOUNT_WIDTH, align: 'right' as const, nowrap: true },
    { header: 'Demandé', width: AMOUNT_WIDTH, align: 'right' as const, nowrap: true },
    { header: 'Attribué', width: AMOUNT_WIDTH, align: 'right' as const, nowrap: true },
    { header: 'Payé', width: AMOUNT_WIDTH, align: 'right' as const, nowrap: true },
    { header: 'Taux de réalisation', width: 52, align: 'right' as const },
  ];
  return [{ header: label, width: width - fixed.reduce((sum, column) => sum + column.width, 0) }, ...fixed];
}

function figuresCells(label: Cell, figures: FrozenFigures): Cell[] {
  const font = label.font;
  return [
    label,
    { text: String(figures.actions), font },
    { text: pdfEuros(figures.planned), font },
    { text: pdfEuros(figures.requested), font },
    { text: pdfEuros(figures.granted), font },
    { text: pdfEuros(figures.paid), font },
    { text: figures.realisationRate === null ? 'non calculable' : frenchPercent(figures.realisationRate), font },
  ];
}

function changeCells(label: Cell, change: FiguresChangeData): Cell[] {
  const font = label.font;
  const actions = change.actions > 0 ? `+${change.actions}` : String(change.actions);
  return [
    label,
    { text: actions, font },
    { text: signedEuros(change.planned), font },
    { text: signedEuros(change.requested), font },
    { text: signedEuros(change.granted), font },
    { text: signedEuros(change.paid), font },
    { text: change.realisationRate === null ? 'non calculable' : `${frenchPercent(change.realisationRate, true).replace('\u00a0%', '')}\u00a0pt`, font },
  ];
}

export function writeReviewPdf(data: ReviewExportData, now: Date = new Date()): { buffer: Buffer; fileName: string } {
  const title = reviewTitle(data);
  const pdf = new PdfDocument({ title: `Relevé de décisions — ${title}`, subject: `${data.contract.name} (${data.contract.code})`, author: 'Suivi CRTE', createdAt: now });
  const flow = new Flow(pdf);

  flow.paragraph('Relevé de décisions', { font: 'bold', size: 16, after: 2 });
  flow.paragraph(title, { font: 'bold', size: 12, after: 6 });
  flow.field('Contrat', `${data.contract.name} (${data.contract.code})`);
  flow.field('Instance', MEETING_BODY_LABELS[data.meeting.body]);
  flow.field('Date', frenchDate(data.meeting.heldOn));
  if (data.meeting.title) flow.field('Intitulé', data.meeting.title);
  if (data.meeting.place) flow.field('Lieu', data.meeting.place);
  flow.field('Chiffres', `revue figée au ${frenchMoment(data.review.asOf)} (heure de Paris)${data.review.year === null ? '' : ` ; financements jusqu’à ${data.review.year} inclus`}`);

  flow.heading('Membres présents');
  if (!data.members.length) flow.paragraph('Aucun membre indiqué.', { gray: 0.35 });
  for (const member of data.members) flow.paragraph(`•\u00a0${[member.organisation, member.name].filter(Boolean).join(' — ')}`, { indent: 4 });

  flow.heading('Ordre du jour');
  if (!data.agenda.length) flow.paragraph('Aucune fiche action inscrite.', { gray: 0.35 });
  data.agenda.forEach((item, i) => flow.paragraph(`${i + 1}.\u00a0${item.code} — ${item.title}`, { indent: 4 }));

  flow.heading('Décisions');
  if (!data.decisions.length) flow.paragraph('Aucune décision enregistrée.', { gray: 0.35 });
  else {
    flow.table(
      [
        { header: 'Action', width: 120 },
        { header: 'Décision', width: 78 },
        { header: 'Texte', width: flow.width - 120 - 78 - 56 },
        { header: 'Échéance', width: 56 },
      ],
      data.decisions.map((decision) => ({
        cells: [
          { text: decision.actionCode ? `${decision.actionCode}${decision.actionTitle ? ` — ${decision.actionTitle}` : ''}` : 'Contrat' },
          { text: DECISION_KIND_LABELS[decision.kind] },
          { text: decision.text },
          { text: decision.dueOn ? frenchDate(decision.dueOn) : '' },
        ],
      })),
    );
  }

  const { review } = data;
  flow.heading('Tableau de bord (revue figée)');
  flow.paragraph(
    `Chiffres au ${frenchMoment(review.asOf)} (heure de Paris). Montants en euros. Prévu, demandé, attribué et payé sont des étapes : elles ne s’additionnent pas. Taux de réalisation : payé / prévu.`,
    { size: SMALL, gray: 0.3, after: 4 },
  );
  const reviewRows = [{ cells: figuresCells({ text: `${data.contract.code} — ${data.contract.name}`, font: 'bold' }, review.overall), shaded: true }];
  for (const axis of review.axes) {
    reviewRows.push({ cells: figuresCells({ text: `Axe ${axis.code} — ${axis.title}`, font: 'bold' }, axis.figures), shaded: false });
    for (const orientation of axis.orientations) reviewRows.push({ cells: figuresCells({ text: `${orientation.code} ${orientation.title}`, indent: 8 }, orientation.figures), shaded: false });
  }
  if (review.unclassified.actions > 0) reviewRows.push({ cells: figuresCells({ text: 'Actions sans orientation', font: 'bold' }, review.unclassified), shaded: false });
  flow.table(figuresColumns(flow.width, 'Contrat, axe, orientation'), reviewRows);

  flow.heading('Évolution depuis le COPIL précédent');
  const previous = data.previousCopil;
  if (!previous) flow.paragraph('Premier COPIL enregistré pour ce contrat : pas de revue antérieure à comparer.', { gray: 0.35 });
  else {
    flow.paragraph(
      `Revue de cette réunion moins celle du COPIL du ${frenchDate(previous.heldOn)}${previous.title ? ` (${previous.title})` : ''}, figée au ${frenchMoment(previous.changes.since.toISOString())} : étape par étape, exact au centime ; taux de réalisation en points.`,
      { size: SMALL, gray: 0.3, after: 4 },
    );
    const { changes } = previous;
    const rows = [{ cells: changeCells({ text: `${data.contract.code} — ${data.contract.name}`, font: 'bold' }, changes.overall), shaded: true }];
    for (const axis of changes.axes) {
      rows.push({ cells: changeCells({ text: `Axe ${axis.code} — ${axis.title}`, font: 'bold' }, axis.change), shaded: false });
      for (const orientation of axis.orientations) rows.push({ cells: changeCells({ text: `${orientation.code} ${orientation.title}`, indent: 8 }, orientation.change), shaded: false });
    }
    flow.table(figuresColumns(flow.width, 'Contrat, axe, orientation'), rows);
  }

  // Every page: what the document is, and where one is in it.
  const footer = `${data.contract.code} — ${title}`;
  for (let page = 0; page < pdf.pageCount; page++) {
    pdf.line(page, MARGIN, BOTTOM + 14, pdf.width - MARGIN, BOTTOM + 14, 0.4, 0.6);
    const pageLabel = `Page ${page + 1} / ${pdf.pageCount}`;
    const room = flow.width - textWidth(pageLabel, 'regular', 7) - 12;
    pdf.text(page, MARGIN, BOTTOM + 25, wrapText(footer, 'regular', 7, room)[0], { size: 7, gray: 0.35 });
    pdf.text(page, pdf.width - MARGIN, BOTTOM + 25, pageLabel, { size: 7, gray: 0.35, align: 'right' });
  }

  const safe = data.contract.code.replace(/[^A-Za-z0-9_-]+/g, '_');
  return { buffer: pdf.toBuffer(), fileName: `releve-${safe}-${data.meeting.body}-${data.meeting.heldOn}.pdf` };
}
