/**
 * A meeting's review as the workbook the sous-préfecture sends to the signatories, from plain data (no
 * database): sheet « Relevé de décisions » (the meeting, the members present, the agenda, then one row per
 * decision) and sheet « Tableau de bord » (the review frozen with the meeting: per contract, axis and
 * orientation, the actions and the funding of each stage, never added, and the taux de réalisation).
 * Amounts are numbers written from the exact decimal strings, with the euro format of the annex 3; the rate
 * a number with a percentage format. Both sheets state the moment the figures stand at. A third sheet, « Depuis
 * le COPIL précédent », is this review minus the frozen review of the COPIL held before (as the PDF shows it).
 */
import type * as Sheets from 'xlsx';
import { xlsxLibrary } from '../kernel/xlsx-library';
import { EURO_FORMAT } from '../export/annex3-export';
import { DecisionKind } from '../kernel/decision-kind.enum';
import { DECISION_KIND_LABELS, MEETING_BODY_LABELS } from '../kernel/french-labels';
import { MeetingBody } from '../kernel/meeting-body.enum';
import { FiguresChangeData, FrozenFigures, ReviewChangesData, ReviewSnapshot } from './meeting-review';

export const DECISIONS_SHEET = 'Relevé de décisions';
export const DASHBOARD_SHEET = 'Tableau de bord';
export const CHANGES_SHEET = 'Depuis le COPIL précédent';
export const RATE_FORMAT = '0.00 %';


export const DECISION_HEADERS = ['Action', 'Intitulé de l’action', 'Décision', 'Texte', 'Échéance'];
export const DASHBOARD_HEADERS = ['Niveau', 'Code', 'Intitulé', 'Actions', 'Prévu', 'Demandé', 'Attribué', 'Payé', 'Taux de réalisation'];

export interface ReviewExportData {
  contract: { code: string; name: string };
  meeting: { id: number; body: MeetingBody; heldOn: string; title: string | null; place: string | null };
  members: Array<{ organisation: string | null; name: string | null }>;
  agenda: Array<{ code: string; title: string }>;
  decisions: Array<{ actionCode: string | null; actionTitle: string | null; kind: DecisionKind; text: string; dueOn: string | null }>;
  review: ReviewSnapshot;
  /** The COPIL held before this meeting and this review minus its frozen one; null when there is none. */
  previousCopil: { heldOn: string; title: string | null; changes: ReviewChangesData } | null;
}

/** « 2026-12-07 » → « 07/12/2026 ». */
export function frenchDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${day}/${month}/${year}`;
}

export function frenchMoment(iso: string): string {
  return new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

type Row = Array<Sheets.CellObject | string | number | null>;

const euros = (decimal: string): Sheets.CellObject => ({ t: 'n', v: Number(decimal), z: EURO_FORMAT });

function sheetOf(rows: Row[], widths: number[]): Sheets.WorkSheet {
  const sheet: Sheets.WorkSheet = {};
  let lastColumn = 0;
  rows.forEach((row, r) =>
    row.forEach((value, c) => {
      if (value === null || value === '') return;
      sheet[xlsxLibrary().utils.encode_cell({ r, c })] = typeof value === 'object' ? value : typeof value === 'number' ? { t: 'n', v: value } : { t: 's', v: value };
      lastColumn = Math.max(lastColumn, c);
    }),
  );
  sheet['!ref'] = xlsxLibrary().utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(rows.length - 1, 0), c: lastColumn } });
  sheet['!cols'] = widths.map((wch) => ({ wch }));
  return sheet;
}

export function reviewTitle(data: ReviewExportData): string {
  return `${data.meeting.body} du ${frenchDate(data.meeting.heldOn)}${data.meeting.title ? ` — ${data.meeting.title}` : ''}`;
}

function decisionsSheet(data: ReviewExportData): Sheets.WorkSheet {
  const rows: Row[] = [
    [`Relevé de décisions — ${reviewTitle(data)}`],
    ['Contrat', `${data.contract.name} (${data.contract.code})`],
    ['Instance', MEETING_BODY_LABELS[data.meeting.body]],
    ['Date', frenchDate(data.meeting.heldOn)],
  ];
  if (data.meeting.title) rows.push(['Intitulé', data.meeting.title]);
  if (data.meeting.place) rows.push(['Lieu', data.meeting.place]);
  rows.push(['Chiffres', `Revue figée au ${frenchMoment(data.review.asOf)} (heure de Paris) : feuille « ${DASHBOARD_SHEET} »`]);
  rows.push([]);
  rows.push(['Membres présents']);
  for (const member of data.members) rows.push([member.organisation ?? '', member.name ?? '']);
  if (!data.members.length) rows.push(['Aucun membre indiqué']);
  rows.push([]);
  rows.push(['Ordre du jour']);
  for (const item of data.agenda) rows.push([item.code, item.title]);
  if (!data.agenda.length) rows.push(['Aucune fiche action inscrite']);
  rows.push([]);
  rows.push(['Décisions']);
  rows.push(DECISION_HEADERS);
  for (const decision of data.decisions) {
    rows.push([decision.actionCode ?? 'Contrat', decision.actionTitle ?? '', DECISION_KIND_LABELS[decision.kind], decision.text, decision.dueOn ? frenchDate(decision.dueOn) : '']);
  }
  if (!data.decisions.length) rows.push(['Aucune décision enregistrée']);
  return sheetOf(rows, [18, 50, 20, 70, 12]);
}

function figuresRow(level: string, code: string, label: string, figures: FrozenFigures): Row {
  return [
    level,
    code,
    label,
    figures.actions,
    euros(figures.planned),
    euros(figures.requested),
    euros(figures.granted),
    euros(figures.paid),
    figures.realisationRate === null ? 'non calculable' : { t: 'n', v: Number(figures.realisationRate), z: RATE_FORMAT },
  ];
}

function dashboardSheet(data: ReviewExportData): Sheets.WorkSheet {
  const { review } = data;
  const rows: Row[] = [
    [`Tableau de bord — ${reviewTitle(data)}`],
    ['Contrat', `${data.contract.name} (${data.contract.code})`],
    ['Chiffres au', `${frenchMoment(review.asOf)} (heure de Paris)${review.year === null ? '' : ` ; financements jusqu’à ${review.year} inclus`}`],
    ['Lecture', 'Montants en euros. Prévu, demandé, attribué et payé sont des étapes : elles ne s’additionnent pas. Taux de réalisation : payé / prévu.'],
    [],
    DASHBOARD_HEADERS,
    figuresRow('Contrat', data.contract.code, data.contract.name, review.overall),
  ];
  for (const axis of review.axes) {
    rows.push(figuresRow('Axe', axis.code, axis.title, axis.figures));
    for (const orientation of axis.orientations) rows.push(figuresRow('Orientation', orientation.code, orientation.title, orientation.figures));
  }
  if (review.unclassified.actions > 0) rows.push(figuresRow('Actions à classer', '', 'Actions sans orientation', review.unclassified));
  return sheetOf(rows, [18, 10, 60, 9, 18, 18, 18, 18, 12]);
}

function changeRow(level: string, code: string, label: string, change: FiguresChangeData): Row {
  return [
    level,
    code,
    label,
    change.actions,
    euros(change.planned),
    euros(change.requested),
    euros(change.granted),
    euros(change.paid),
    change.realisationRate === null ? 'non calculable' : { t: 'n', v: Number(change.realisationRate), z: RATE_FORMAT },
  ];
}

function changesSheet(data: ReviewExportData): Sheets.WorkSheet {
  const previous = data.previousCopil;
  const rows: Row[] = [[`Évolution depuis le COPIL précédent — ${reviewTitle(data)}`], ['Contrat', `${data.contract.name} (${data.contract.code})`]];
  if (!previous) {
    rows.push(['Référence', 'Premier COPIL enregistré pour ce contrat : pas de revue antérieure à comparer.']);
    return sheetOf(rows, [18, 10, 60]);
  }
  rows.push(['Référence', `COPIL du ${frenchDate(previous.heldOn)}${previous.title ? ` — ${previous.title}` : ''}, revue figée au ${frenchMoment(previous.changes.since.toISOString())} (heure de Paris)`]);
  rows.push(['Lecture', 'Revue de cette réunion moins celle du COPIL précédent, étape par étape (jamais additionnées), exact au centime ; taux de réalisation en points.']);
  rows.push([]);
  rows.push(DASHBOARD_HEADERS);
  const { changes } = previous;
  rows.push(changeRow('Contrat', data.contract.code, data.contract.name, changes.overall));
  for (const axis of changes.axes) {
    rows.push(changeRow('Axe', axis.code, axis.title, axis.change));
    for (const orientation of axis.orientations) rows.push(changeRow('Orientation', orientation.code, orientation.title, orientation.change));
  }
  return sheetOf(rows, [18, 10, 60, 9, 18, 18, 18, 18, 12]);
}

export function writeReviewWorkbook(data: ReviewExportData): { buffer: Buffer; fileName: string } {
  const workbook = xlsxLibrary().utils.book_new();
  xlsxLibrary().utils.book_append_sheet(workbook, decisionsSheet(data), DECISIONS_SHEET);
  xlsxLibrary().utils.book_append_sheet(workbook, dashboardSheet(data), DASHBOARD_SHEET);
  xlsxLibrary().utils.book_append_sheet(workbook, changesSheet(data), CHANGES_SHEET);
  workbook.Props = { Title: `Relevé de décisions — ${reviewTitle(data)}`, Subject: `${data.contract.name} (${data.contract.code})`, Author: 'Suivi CRTE' };
  const buffer = xlsxLibrary().write(workbook, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
  const safe = data.contract.code.replace(/[^A-Za-z0-9_-]+/g, '_');
  return { buffer, fileName: `releve-${safe}-${data.meeting.body}-${data.meeting.heldOn}.xlsx` };
}
