/**
 * Governance (issue 17, point 3): a contract's COTECH and COPIL with their members, agenda and decisions;
 * the review frozen with the meeting (progress at asOf), which later writes do not move; what changed since
 * the last COPIL, to the cent; the relevé de décisions as an xlsx workbook read back here.
 * Figures from the fixtures: the Banque des Territoires annex 3 plans 20 100 000 € (fixtures README), the
 * ADEME file's requested, granted and paid are read from the file itself (ademeFigures).
 */
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { Role } from '../../src/kernel/role.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { ADEME_FILE, ademeFigures, centsDecimal as decimal, expectedRate } from '../support/fixture-figures';
import { fixturePath } from '../support/fixtures';
import { euroBytes, parsePdf, winAnsi } from '../support/pdf';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';
const DOUAISIS_AGGLO = '200044618';
const BDT_FILE = 'annexe3-banque-des-territoires-2023.xlsx';
const PLANNED = 20_100_000n * 100n;
/** A later payment, typed by hand after the COPIL: the difference since the COPIL must be exactly it. */
const LATER_PAID = '12345.67';

const FIGURES = 'actions planned requested granted paid grantedRate paidRate realisationRate byStatus { status count }';
const REVIEW = `review { asOf year overall { ${FIGURES} } unclassified { ${FIGURES} } axes { code title figures { ${FIGURES} } orientations { code title figures { ${FIGURES} } } } }`;
const MEETING = `id body heldOn title place createdByName members { name organisation { siren } } agenda { position action { code } } reviewExportUrl reviewPdfUrl ${REVIEW}`;
const CREATE = `mutation ($input: CreateMeetingInput!) { createMeeting(input: $input) { ${MEETING} } }`;
const DECIDE = `mutation ($input: AddDecisionInput!) { addDecision(input: $input) { id kind kindLabel text dueOn action { code } meeting { id body } } }`;
const PROGRESS = `query ($asOf: DateTimeISO) { progress(contract: "${CONTRACT}", asOf: $asOf) { year overall { ${FIGURES} } unclassified { ${FIGURES} }
  axes { axis { code title } figures { ${FIGURES} } orientations { orientation { code title } figures { ${FIGURES} } } } } }`;

const pause = (ms: number) => new Promise((resume) => setTimeout(resume, ms));
/** Today in Paris, where the meeting is held (AAAA-MM-JJ). */
const parisToday = () => new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const cents = (amount: string) => BigInt(amount.replace('.', ''));

describe(`meetings, decisions and the frozen review on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let base: string;
  const tokens = { admin: '', editor: '' };
  const ademe = ademeFigures();
  let copil: any;
  let cotech: any;
  /** A COPIL of the year before, recorded for the exports' « since the previous COPIL »: its review has nothing yet. */
  let earlierCopil: any;

  async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, token = tokens.admin): Promise<T> {
    const { status, body } = await api.graphql<T>(query, variables, token);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data as T;
  }

  const count = async (table: string) => Number((await api.db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  /** The live progress in the frozen review's shape. */
  async function progressAsReview(asOf: string | null) {
    const { progress } = await ok(PROGRESS, { asOf });
    return {
      year: progress.year,
      overall: progress.overall,
      unclassified: progress.unclassified,
      axes: progress.axes.map((axis: any) => ({
        code: axis.axis.code,
        title: axis.axis.title,
        figures: axis.figures,
        orientations: axis.orientations.map((o: any) => ({ code: o.orientation.code, title: o.orientation.title, figures: o.figures })),
      })),
    };
  }

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        const [da] = await dataSource.query('SELECT id FROM organisation WHERE siren = ?', [DOUAISIS_AGGLO]);
        tokens.admin = (await createToken(dataSource, { name: 'Équipe CRTE (sous-préfecture)', role: Role.ADMIN, organisationId: null })).secret;
        tokens.editor = (await createToken(dataSource, { name: 'Service finances DA', role: Role.EDITOR, organisationId: Number(da.id) })).secret;
        for (const [file, source] of [
          [BDT_FILE, 'Banque des Territoires'],
          [ADEME_FILE, 'ADEME'],
        ]) {
          const result = await importFile(dataSource, { buffer: readFileSync(fixturePath(file)), fileName: file, kind: ImportKind.ANNEX3, source, contract: CONTRACT });
          expect({ file, status: result.status }).toEqual({ file, status: 'APPLIED' });
        }
      },
    });
    base = `http://localhost:${api.server.port}`;
    // Timestamps are whole seconds on MariaDB, and a review stands a second before its recording: the
    // imports are a second behind us.
    await pause(2100);
  }, 60_000);
  afterAll(async () => api?.close());

  it('records a COPIL with its members and agenda, and freezes the review as the progress stood', async () => {
    const heldOn = parisToday();
    const input = {
      contract: CONTRACT,
      body: 'COPIL',
      heldOn,
      title: 'COPIL annuel 2026',
      place: 'Sous-préfecture de Douai',
      members: [{ name: 'M. le Sous-préfet de Douai' }, { organisation: DOUAISIS_AGGLO, name: 'Vice-président aux finances' }, { organisation: 'CCCO' }],
      agenda: ['DA-01', 'DA-41', 'CCCO-03'],
    };
    copil = (await ok(CREATE, { input })).createMeeting;
    expect(copil).toMatchObject({ body: 'COPIL', heldOn, title: 'COPIL annuel 2026', place: 'Sous-préfecture de Douai', createdByName: 'Équipe CRTE (sous-préfecture)' });
    expect(copil.members).toEqual([
      { name: 'M. le Sous-préfet de Douai', organisation: null },
      { name: 'Vice-président aux finances', organisation: { siren: DOUAISIS_AGGLO } },
      { name: null, organisation: { siren: '245901152' } },
    ]);
    expect(copil.agenda).toEqual([
      { position: 1, action: { code: 'DA-01' } },
      { position: 2, action: { code: 'DA-41' } },
      { position: 3, action: { code: 'CCCO-03' } },
    ]);
    expect(copil.reviewExportUrl).toBe(`/api/contracts/${CONTRACT}/meetings/${copil.id}/review.xlsx`);
    expect(copil.reviewPdfUrl).toBe(`/api/contracts/${CONTRACT}/meetings/${copil.id}/review.pdf`);

    // The figures of the two files, to the cent; stages never added.
    expect(copil.review.overall).toMatchObject({
      planned: decimal(PLANNED),
      requested: decimal(ademe.requested),
      granted: decimal(ademe.granted),
      paid: decimal(ademe.paid),
      realisationRate: expectedRate(ademe.paid, PLANNED),
    });
    expect(copil.review.overall.planned).toBe('20100000.00');
    expect(decimal(ademe.granted)).toBe('1046000.50');
    expect(copil.review.overall.realisationRate).toBe('0.0041'); // 83 200 / 20 100 000 = 0.004139…
    expect(copil.review.year).toBeNull();
    // The review is the progress at its asOf: a second before the recording, after the imports.
    const asOf = new Date(copil.review.asOf);
    expect(asOf.getTime() % 1000).toBe(0);
    expect(Date.now() - asOf.getTime()).toBeLessThan(10_000);
    const { year, ...frozen } = copil.review;
    expect(year).toBeNull();
    delete (frozen as any).asOf;
    expect(await progressAsReview(copil.review.asOf)).toEqual({ year: null, ...frozen });
    expect(frozen.axes.find((axis: any) => axis.code === '1').orientations.find((o: any) => o.code === '1.3').figures.paid).toBe(decimal(ademe.paid));
  });

  it('records an earlier COTECH, whose review stands at the end of its day: before the files were imported', async () => {
    cotech = (await ok(CREATE, { input: { contract: CONTRACT, body: 'COTECH', heldOn: '2025-11-20', agenda: ['DA-41'] } })).createMeeting;
    // The last second of 20 November 2025 in Paris (UTC+1 in winter).
    expect(cotech.review.asOf).toBe('2025-11-20T22:59:59.000Z');
    expect(cotech.review.overall).toMatchObject({ planned: '0.00', requested: '0.00', granted: '0.00', paid: '0.00', realisationRate: null });
    const { meetings } = await ok(`{ meetings(contract: "${CONTRACT}") { id body heldOn } }`);
    expect(meetings).toEqual([
      { id: cotech.id, body: 'COTECH', heldOn: '2025-11-20' },
      { id: copil.id, body: 'COPIL', heldOn: copil.heldOn },
    ]);
  });

  it('adds decisions, each with its meeting and its action; an action shows its decisions', async () => {
    const decide = async (input: Record<string, unknown>) => (await ok(DECIDE, { input })).addDecision;
    await decide({ meeting: cotech.id, action: 'DA-41', kind: 'CHANGED', text: 'Plan de financement à revoir avec l’ADEME.' });
    const validated = await decide({ meeting: copil.id, action: 'DA-01', kind: 'VALIDATED', text: 'Fiche validée : lancement des travaux en 2026.' });
    expect(validated).toMatchObject({ kind: 'VALIDATED', kindLabel: 'Validée', action: { code: 'DA-01' }, meeting: { id: copil.id, body: 'COPIL' }, dueOn: null });
    await decide({ meeting: copil.id, action: 'DA-41', kind: 'POSTPONED', text: 'Reportée après l’attribution du solde.', dueOn: '2027-06-30' });
    await decide({ meeting: copil.id, action: 'CCCO-03', kind: 'CORRECTIVE_MEASURE', text: 'Relancer la Banque des Territoires.' });
    const amendment = await decide({ meeting: copil.id, kind: 'AMENDMENT_REQUEST', text: 'Avenant pour intégrer la piste cyclable Douai – Sin-le-Noble.' });
    expect(amendment).toMatchObject({ kindLabel: 'Demande d’avenant', action: null });

    const { action, meeting } = await ok(`{
      action(contract: "${CONTRACT}", code: "DA-41") { decisions { kind kindLabel text dueOn meeting { body heldOn } } }
      meeting(id: "${copil.id}") { decisions { kind action { code } } }
    }`);
    expect(action.decisions).toEqual([
      { kind: 'CHANGED', kindLabel: 'Modifiée', text: 'Plan de financement à revoir avec l’ADEME.', dueOn: null, meeting: { body: 'COTECH', heldOn: '2025-11-20' } },
      { kind: 'POSTPONED', kindLabel: 'Reportée', text: 'Reportée après l’attribution du solde.', dueOn: '2027-06-30', meeting: { body: 'COPIL', heldOn: copil.heldOn } },
    ]);
    expect(meeting.decisions).toEqual([
      { kind: 'VALIDATED', action: { code: 'DA-01' } },
      { kind: 'POSTPONED', action: { code: 'DA-41' } },
      { kind: 'CORRECTIVE_MEASURE', action: { code: 'CCCO-03' } },
      { kind: 'AMENDMENT_REQUEST', action: null },
    ]);
    const audit = await api.db.dataSource.query(`SELECT action, COUNT(*) AS n FROM audit_event WHERE action IN ('MEETING_CREATE', 'DECISION_CREATE') GROUP BY action ORDER BY action`);
    expect(audit.map((row: any) => [row.action, Number(row.n)])).toEqual([
      ['DECISION_CREATE', 5],
      ['MEETING_CREATE', 2],
    ]);
  });

  it('refuses other writers, unknown actions and actions of another contract, in French, writing nothing', async () => {
    const before = [await count('meeting'), await count('decision'), await count('meeting_agenda_item'), await count('audit_event')];
    const editor = await api.graphql(CREATE, { input: { contract: CONTRACT, body: 'COTECH', heldOn: '2026-03-01' } }, tokens.editor);
    expect(editor.body.errors?.[0]).toMatchObject({ message: 'Réservé aux administrateurs : tenir les instances de pilotage d’un contrat (réunions et décisions).', extensions: { code: 'FORBIDDEN' } });
    const anonymous = await api.graphql(DECIDE, { input: { meeting: copil.id, action: 'DA-01', kind: 'VALIDATED', text: 'x' } });
    expect(anonymous.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');

    const unknown = await api.graphql(CREATE, { input: { contract: CONTRACT, body: 'COPIL', heldOn: '2026-03-01', agenda: ['DA-01', 'XX-99'] } }, tokens.admin);
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: 'L’action « XX-99 » n’existe pas dans le contrat CRTE-DOUAISIS : elle ne peut pas être inscrite à l’ordre du jour.',
      extensions: { code: 'BAD_USER_INPUT', field: 'agenda' },
    });

    // An action of another contract: a second contract with an action of its own code.
    await ok(`mutation { createContract(input: { code: "CRTE-HAINAUT", name: "CRTE du Hainaut", fromYear: 2021, toYear: 2026, epcis: ["200042190"] }) { code } }`);
    await ok(`mutation ($input: CreateActionInput!) { createAction(input: $input) { code } }`, { input: { contract: 'CRTE-HAINAUT', code: 'HA-01', title: 'Réseau de chaleur de Valenciennes' } });
    const elsewhere = await api.graphql(DECIDE, { input: { meeting: copil.id, action: 'HA-01', kind: 'VALIDATED', text: 'Validée' } }, tokens.admin);
    expect(elsewhere.body.errors?.[0]).toMatchObject({
      message: 'L’action « HA-01 » n’est pas une action du contrat CRTE-DOUAISIS de cette réunion : la décision est refusée.',
      extensions: { code: 'BAD_USER_INPUT', field: 'action' },
    });
    const withoutAction = await api.graphql(DECIDE, { input: { meeting: copil.id, kind: 'ABANDONED', text: 'Abandon' } }, tokens.admin);
    expect(withoutAction.body.errors?.[0].extensions.field).toBe('action');
    const audits = await count('audit_event');
    // Only the second contract and its action were written (their own audit rows).
    expect([await count('meeting'), await count('decision'), await count('meeting_agenda_item'), audits]).toEqual([before[0], before[1], before[2], before[3] + 2]);
  });

  it('keeps the frozen review when a payment comes after the COPIL; the difference since the COPIL is that payment, to the cent', async () => {
    const frozenBefore = (await ok(`{ meeting(id: "${copil.id}") { ${REVIEW} } }`)).meeting.review;
    await ok(`mutation ($input: CreateFundingInput!) { createFunding(input: $input) { id } }`, {
      input: { contract: CONTRACT, action: 'DA-41', funder: 'ADEME', year: 2024, stage: 'PAID', instrument: 'SUBSIDY', amount: LATER_PAID, note: 'mandat du solde' },
    });
    const { meeting, changesSinceLastCopil, progress } = await ok(`{
      meeting(id: "${copil.id}") { ${REVIEW} }
      progress(contract: "${CONTRACT}") { overall { paid realisationRate } }
      changesSinceLastCopil(contract: "${CONTRACT}") {
        meeting { id body } since
        overall { actions planned requested granted paid realisationRate before { paid realisationRate } now { paid realisationRate } }
        axes { code change { paid planned } orientations { code change { paid } } }
      }
    }`);
    expect(meeting.review).toEqual(frozenBefore);
    const livePaid = ademe.paid + cents(LATER_PAID);
    expect(progress.overall).toEqual({ paid: decimal(livePaid), realisationRate: expectedRate(livePaid, PLANNED) });
    // The same figures at the review's asOf, still.
    const { year, asOf, ...frozen } = frozenBefore;
    expect(await progressAsReview(asOf)).toEqual({ year, ...frozen });

    expect(changesSinceLastCopil.meeting).toEqual({ id: copil.id, body: 'COPIL' });
    expect(changesSinceLastCopil.since).toBe(asOf);
    const before = expectedRate(ademe.paid, PLANNED);
    const now = expectedRate(livePaid, PLANNED);
    expect(changesSinceLastCopil.overall).toEqual({
      actions: 0,
      planned: '0.00',
      requested: '0.00',
      granted: '0.00',
      paid: LATER_PAID,
      realisationRate: `0.${String(Number(now.replace('.', '')) - Number(before.replace('.', ''))).padStart(4, '0')}`,
      before: { paid: decimal(ademe.paid), realisationRate: before },
      now: { paid: decimal(livePaid), realisationRate: now },
    });
    const axis1 = changesSinceLastCopil.axes.find((axis: any) => axis.code === '1');
    expect(axis1.change).toEqual({ paid: LATER_PAID, planned: '0.00' });
    expect(axis1.orientations.find((o: any) => o.code === '1.3').change.paid).toBe(LATER_PAID);
    expect(changesSinceLastCopil.axes.filter((axis: any) => axis.code !== '1').every((axis: any) => axis.change.paid === '0.00')).toBe(true);
  });

  it('exports the COPIL’s relevé de décisions and frozen review as a workbook, exact to the cent', async () => {
    earlierCopil = (await ok(CREATE, { input: { contract: CONTRACT, body: 'COPIL', heldOn: '2025-06-30', title: 'COPIL 2025' } })).createMeeting;
    expect(earlierCopil.review.overall.planned).toBe('0.00');
    const response = await fetch(`${base}${copil.reviewExportUrl}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('spreadsheetml');
    expect(response.headers.get('content-disposition')).toContain(`releve-CRTE-DOUAISIS-COPIL-${copil.heldOn}.xlsx`);
    const workbook = XLSX.read(Buffer.from(await response.arrayBuffer()), { cellNF: true });
    expect(workbook.SheetNames).toEqual(['Relevé de décisions', 'Tableau de bord', 'Depuis le COPIL précédent']);

    const [year, month, day] = copil.heldOn.split('-');
    const decisions = XLSX.utils.sheet_to_json<any[]>(workbook.Sheets['Relevé de décisions'], { header: 1, defval: '' });
    expect(decisions[0][0]).toBe(`Relevé de décisions — COPIL du ${day}/${month}/${year} — COPIL annuel 2026`);
    const labelled = (label: string) => decisions.find((row) => row[0] === label);
    expect(labelled('Instance')![1]).toBe('Comité de pilotage (COPIL)');
    expect(labelled('Date')![1]).toBe(`${day}/${month}/${year}`);
    expect(labelled('Lieu')![1]).toBe('Sous-préfecture de Douai');
    const membersAt = decisions.findIndex((row) => row[0] === 'Membres présents');
    const nameOf = async (siren: string) => (await api.db.dataSource.query('SELECT name FROM organisation WHERE siren = ?', [siren]))[0].name;
    expect(decisions.slice(membersAt + 1, membersAt + 4).map((row) => [row[0], row[1]])).toEqual([
      ['', 'M. le Sous-préfet de Douai'],
      [await nameOf(DOUAISIS_AGGLO), 'Vice-président aux finances'],
      [await nameOf('245901152'), ''],
    ]);
    const headerAt = decisions.findIndex((row) => row[0] === 'Action' && row[2] === 'Décision');
    expect(decisions.slice(headerAt + 1).map((row) => [row[0], row[2], row[3], row[4]])).toEqual([
      ['DA-01', 'Validée', 'Fiche validée : lancement des travaux en 2026.', ''],
      ['DA-41', 'Reportée', 'Reportée après l’attribution du solde.', '30/06/2027'],
      ['CCCO-03', 'Mesure corrective', 'Relancer la Banque des Territoires.', ''],
      ['Contrat', 'Demande d’avenant', 'Avenant pour intégrer la piste cyclable Douai – Sin-le-Noble.', ''],
    ]);
    expect(decisions[headerAt + 2][1]).toBe('Station hydrogène de Lauwin Park');

    // The dashboard: the frozen figures, before the later payment, as numbers in euros.
    const sheet = workbook.Sheets['Tableau de bord'];
    const rows = XLSX.utils.sheet_to_json<any[]>(sheet, { header: 1, defval: '' });
    const headerRow = rows.findIndex((row) => row[0] === 'Niveau');
    expect(rows[headerRow]).toEqual(['Niveau', 'Code', 'Intitulé', 'Actions', 'Prévu', 'Demandé', 'Attribué', 'Payé', 'Taux de réalisation']);
    const overall = rows[headerRow + 1];
    expect(overall.slice(0, 2)).toEqual(['Contrat', CONTRACT]);
    expect(overall.slice(4, 8).map((value: number) => value.toFixed(2))).toEqual([decimal(PLANNED), decimal(ademe.requested), decimal(ademe.granted), decimal(ademe.paid)]);
    expect(overall[8]).toBe(Number(expectedRate(ademe.paid, PLANNED)));
    const plannedCell = sheet[XLSX.utils.encode_cell({ r: headerRow + 1, c: 4 })];
    expect(plannedCell).toMatchObject({ t: 'n', v: 20_100_000 });
    expect(plannedCell.z).toContain('€');
    expect(sheet[XLSX.utils.encode_cell({ r: headerRow + 1, c: 8 })].z).toBe('0.00 %');
    const orientation13 = rows.find((row) => row[0] === 'Orientation' && row[1] === '1.3')!;
    expect(orientation13[7].toFixed(2)).toBe(decimal(ademe.paid));
    expect(orientation13[8]).toBe('non calculable');
    // Every axis's row is its frozen figures.
    for (const axis of copil.review.axes) {
      const row = rows.find((r) => r[0] === 'Axe' && r[1] === axis.code)!;
      expect(row.slice(4, 8).map((value: number) => value.toFixed(2))).toEqual([axis.figures.planned, axis.figures.requested, axis.figures.granted, axis.figures.paid]);
    }

    // Since the COPIL of 30 June 2025, whose review had nothing: the whole of this one.
    const changes = XLSX.utils.sheet_to_json<any[]>(workbook.Sheets['Depuis le COPIL précédent'], { header: 1, defval: '' });
    expect(changes.find((row) => row[0] === 'Référence')![1]).toContain('COPIL du 30/06/2025 — COPIL 2025');
    const changed = changes.find((row) => row[0] === 'Contrat' && row[1] === CONTRACT)!;
    expect(changed.slice(4, 8).map((value: number) => value.toFixed(2))).toEqual([decimal(PLANNED), decimal(ademe.requested), decimal(ademe.granted), decimal(ademe.paid)]);

    const missing = await fetch(`${base}/api/contracts/${CONTRACT}/meetings/999999/review.xlsx`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'La réunion n° 999999 n’existe pas dans le contrat CRTE-DOUAISIS.' });
    const otherContract = await fetch(`${base}/api/contracts/CRTE-HAINAUT/meetings/${copil.id}/review.xlsx`);
    expect(otherContract.status).toBe(404);
  });

  it('exports the same relevé as an A4 PDF: exact structure, the frozen amounts in French, the members, the change since the previous COPIL', async () => {
    const response = await fetch(`${base}${copil.reviewPdfUrl}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toContain(`releve-CRTE-DOUAISIS-COPIL-${copil.heldOn}.pdf`);
    const pdf = parsePdf(Buffer.from(await response.arrayBuffer()));
    expect(pdf.version).toBe('1.4');
    expect(pdf.pageCount).toBeGreaterThanOrEqual(1);
    pdf.pageTexts.forEach((texts, i) => expect(texts).toContain(`Page ${i + 1} / ${pdf.pageCount}`));
    const text = pdf.pageTexts.flat();
    const [year, month, day] = copil.heldOn.split('-');
    expect(text.slice(0, 2)).toEqual([winAnsi('Relevé de décisions'), `COPIL du ${day}/${month}/${year} ${winAnsi('—')} COPIL annuel 2026`]);
    const nameOf = async (siren: string) => (await api.db.dataSource.query('SELECT name FROM organisation WHERE siren = ?', [siren]))[0].name;
    expect(text).toEqual(expect.arrayContaining([
      winAnsi('Sous-préfecture de Douai'),
      winAnsi('•\u00a0M. le Sous-préfet de Douai').replace('•', '\x95'),
      winAnsi(`•\u00a0${await nameOf(DOUAISIS_AGGLO)} — Vice-président aux finances`).replace('•', '\x95'),
      winAnsi('Reportée'),
      '30/06/2027',
    ]));
    // The frozen review's amounts (before the later payment), each in its cell, in French.
    const reviewAt = text.indexOf(winAnsi('Tableau de bord (revue figée)'));
    const runAt = (run: string[], from: number) => text.findIndex((_, i) => i >= from && run.every((cell, j) => text[i + j] === cell));
    const rate = expectedRate(ademe.paid, PLANNED);
    const frenchRate = `${Number(rate.slice(0, -2).replace('.', ''))},${rate.slice(-2)}\xa0%`;
    expect(frenchRate).toBe('0,41\xa0%');
    const overallRow = [String(copil.review.overall.actions), ...[PLANNED, ademe.requested, ademe.granted, ademe.paid].map((c) => euroBytes(decimal(c))), frenchRate];
    expect(euroBytes(decimal(ademe.granted))).toBe('1\xa0046\xa0000,50\xa0\x80');
    // The contract's row comes first in the table, right after the header.
    const overallAt = runAt(overallRow, reviewAt);
    expect(overallAt).toBeGreaterThan(reviewAt);
    expect(text.slice(reviewAt, overallAt).filter((cell) => cell.includes('\x80'))).toEqual([]);
    // Every axis's row: its frozen figures.
    for (const axis of copil.review.axes) {
      const figures = [axis.figures.planned, axis.figures.requested, axis.figures.granted, axis.figures.paid].map(euroBytes);
      expect({ axis: axis.code, at: runAt(figures, reviewAt) > reviewAt }).toEqual({ axis: axis.code, at: true });
    }
    // Since the COPIL of 30 June 2025 (nothing then): each stage's whole amount, signed.
    expect(text).toEqual(expect.arrayContaining([winAnsi('Évolution depuis le COPIL précédent'), `+${euroBytes(decimal(PLANNED))}`, `+${euroBytes(decimal(ademe.paid))}`]));
    expect(text.join(' ')).not.toContain(euroBytes(decimal(ademe.paid + cents(LATER_PAID))));

    const other = await fetch(`${base}/api/contracts/CRTE-HAINAUT/meetings/${copil.id}/review.pdf`);
    expect(other.status).toBe(404);
  });

  it('corrects a meeting: members, agenda, title without touching its review; a new date freezes it again and moves « the last COPIL »; deleting one takes its decisions', async () => {
    const EDIT = `mutation ($input: UpdateMeetingInput!) { updateMeeting(input: $input) { ${MEETING} } }`;
    const edited = (await ok(EDIT, { input: { id: cotech.id, title: 'COTECH de préparation', place: 'Douai', members: [{ organisation: 'CCCO', name: 'DGS' }], agenda: ['DA-01', 'DA-41'] } })).updateMeeting;
    expect(edited).toMatchObject({
      heldOn: '2025-11-20',
      title: 'COTECH de préparation',
      place: 'Douai',
      members: [{ name: 'DGS', organisation: { siren: '245901152' } }],
      agenda: [
        { position: 1, action: { code: 'DA-01' } },
        { position: 2, action: { code: 'DA-41' } },
      ],
    });
    expect(edited.review).toEqual(cotech.review);
    expect((await ok(EDIT, { input: { id: cotech.id, title: null } })).updateMeeting.title).toBeNull();

    // Refused, by field, in French; nothing written.
    const refused = async (input: Record<string, unknown>, token = tokens.admin) => (await api.graphql(EDIT, { input }, token)).body.errors?.[0];
    expect(await refused({ id: cotech.id, heldOn: '2026-02-30' })).toMatchObject({ message: 'La date de la réunion (heldOn) « 2026-02-30 » n’est pas une date AAAA-MM-JJ.', extensions: { field: 'heldOn' } });
    expect(await refused({ id: cotech.id, agenda: ['DA-01', 'XX-99'] })).toMatchObject({ extensions: { field: 'agenda' } });
    expect(await refused({ id: cotech.id, members: [{ organisation: 'Inconnue SARL' }] })).toMatchObject({ extensions: { field: 'members[0].organisation' } });
    expect(await refused({ id: '999999', title: 'x' })).toMatchObject({ message: 'La réunion (id) n° 999999 n’existe pas.', extensions: { field: 'id' } });
    expect((await refused({ id: cotech.id, title: 'x' }, tokens.editor)).extensions.code).toBe('FORBIDDEN');
    const kept = (await ok(`{ meeting(id: "${cotech.id}") { title members { name } agenda { action { code } } } }`)).meeting;
    expect(kept).toEqual({ title: null, members: [{ name: 'DGS' }], agenda: [{ action: { code: 'DA-01' } }, { action: { code: 'DA-41' } }] });

    // The COPIL of 30 June 2025 was held today in fact: its review is frozen again, exactly the progress at its
    // new asOf, and, held the same day as the other and recorded after it, it is now « the last COPIL ».
    const moved = (await ok(EDIT, { input: { id: earlierCopil.id, heldOn: copil.heldOn } })).updateMeeting;
    expect(moved.heldOn).toBe(copil.heldOn);
    expect(Date.now() - new Date(moved.review.asOf).getTime()).toBeLessThan(10_000);
    const { year, asOf, ...refrozen } = moved.review;
    expect(refrozen.overall.planned).toBe(decimal(PLANNED));
    expect(await progressAsReview(asOf)).toEqual({ year, ...refrozen });
    expect((await ok(`{ changesSinceLastCopil(contract: "${CONTRACT}") { meeting { id } } }`)).changesSinceLastCopil.meeting.id).toBe(earlierCopil.id);
    const [audit] = await api.db.dataSource.query(`SELECT detail FROM audit_event WHERE action = 'MEETING_UPDATE' AND target_id = ? ORDER BY id DESC`, [String(earlierCopil.id)]);
    expect(JSON.parse(audit.detail)).toMatchObject({ contract: CONTRACT, changed: ['heldOn', 'reviewAsOf'], heldOnBefore: '2025-06-30', reviewAsOfBefore: earlierCopil.review.asOf });

    // Deleted, with its decision: the other COPIL is the last one again; its own review has not moved.
    await ok(DECIDE, { input: { meeting: earlierCopil.id, action: 'DA-01', kind: 'VALIDATED', text: 'Saisie dans la mauvaise réunion.' } });
    const decisions = await count('decision');
    expect((await ok(`mutation { deleteMeeting(id: "${earlierCopil.id}") }`)).deleteMeeting).toBe(true);
    expect(await count('decision')).toBe(decisions - 1);
    const after = await ok(`{
      gone: meeting(id: "${earlierCopil.id}") { id }
      changesSinceLastCopil(contract: "${CONTRACT}") { meeting { id } }
      copil: meeting(id: "${copil.id}") { ${REVIEW} }
      action(contract: "${CONTRACT}", code: "DA-01") { decisions { text } }
    }`);
    expect(after.gone).toBeNull();
    expect(after.changesSinceLastCopil.meeting.id).toBe(copil.id);
    expect(after.copil.review).toEqual(copil.review);
    expect(after.action.decisions.map((d: any) => d.text)).not.toContain('Saisie dans la mauvaise réunion.');
    const [deleted] = await api.db.dataSource.query(`SELECT detail FROM audit_event WHERE action = 'MEETING_DELETE'`);
    expect(JSON.parse(deleted.detail)).toMatchObject({ contract: CONTRACT, body: 'COPIL', heldOn: copil.heldOn, decisions: 1 });
    const again = await api.graphql(`mutation { deleteMeeting(id: "${earlierCopil.id}") }`, {}, tokens.admin);
    expect(again.body.errors?.[0]).toMatchObject({ message: `La réunion (id) n° ${earlierCopil.id} n’existe pas.`, extensions: { field: 'id' } });
  });

  it('corrects and removes a decision, with the rules of adding one', async () => {
    const UPDATE = `mutation ($input: UpdateDecisionInput!) { updateDecision(input: $input) { id kind kindLabel text dueOn action { code } } }`;
    const { meeting } = await ok(`{ meeting(id: "${copil.id}") { decisions { id kind } } }`);
    const postponed = meeting.decisions.find((d: any) => d.kind === 'POSTPONED');
    const amendment = meeting.decisions.find((d: any) => d.kind === 'AMENDMENT_REQUEST');
    expect((await ok(UPDATE, { input: { id: postponed.id, text: 'Reportée à la fin des travaux.', dueOn: '2027-12-31' } })).updateDecision).toEqual({
      id: postponed.id, kind: 'POSTPONED', kindLabel: 'Reportée', text: 'Reportée à la fin des travaux.', dueOn: '2027-12-31', action: { code: 'DA-41' },
    });
    expect((await ok(UPDATE, { input: { id: postponed.id, dueOn: null } })).updateDecision.dueOn).toBeNull();

    const refused = async (input: Record<string, unknown>) => (await api.graphql(UPDATE, { input }, tokens.admin)).body.errors?.[0];
    expect(await refused({ id: amendment.id, kind: 'ABANDONED' })).toMatchObject({ extensions: { field: 'action' } });
    expect(await refused({ id: amendment.id, kind: 'ABANDONED', action: 'HA-01' })).toMatchObject({
      message: 'L’action « HA-01 » n’est pas une action du contrat CRTE-DOUAISIS de cette réunion : la décision est refusée.',
      extensions: { field: 'action' },
    });
    expect(await refused({ id: amendment.id, text: '  ' })).toMatchObject({ extensions: { field: 'text' } });
    expect(await refused({ id: amendment.id, dueOn: '31/12/2027' })).toMatchObject({ extensions: { field: 'dueOn' } });
    expect(await refused({ id: '999999', text: 'x' })).toMatchObject({ message: 'La décision (id) n° 999999 n’existe pas.', extensions: { field: 'id' } });
    expect((await ok(UPDATE, { input: { id: amendment.id, kind: 'ABANDONED', action: 'DA-01' } })).updateDecision).toMatchObject({ kind: 'ABANDONED', action: { code: 'DA-01' } });

    expect((await ok(`mutation { removeDecision(id: "${amendment.id}") }`)).removeDecision).toBe(true);
    const decisions = (await ok(`{ meeting(id: "${copil.id}") { decisions { id } } }`)).meeting.decisions;
    expect(decisions.map((d: any) => d.id)).not.toContain(amendment.id);
    expect(decisions).toHaveLength(meeting.decisions.length - 1);
    const again = await api.graphql(`mutation { removeDecision(id: "${amendment.id}") }`, {}, tokens.admin);
    expect(again.body.errors?.[0].extensions.field).toBe('id');
    const audit = await api.db.dataSource.query(`SELECT action, COUNT(*) AS n FROM audit_event WHERE action IN ('DECISION_UPDATE', 'DECISION_DELETE') GROUP BY action ORDER BY action`);
    expect(audit.map((row: any) => [row.action, Number(row.n)])).toEqual([
      ['DECISION_DELETE', 1],
      ['DECISION_UPDATE', 3],
    ]);
  });

  it('keeps an action a meeting names when the import that created it is rolled back; the frozen review does not move', async () => {
    const [batch] = await api.db.dataSource.query('SELECT id FROM import_batch WHERE file_name = ?', [ADEME_FILE]);
    const created = await api.db.dataSource.query('SELECT code FROM action WHERE created_by_batch_id = ? ORDER BY code', [batch.id]);
    expect(created.map((row: any) => row.code)).toEqual(expect.arrayContaining(['DA-40', 'DA-42']));
    const meeting = (await ok(CREATE, { input: { contract: CONTRACT, body: 'COTECH', heldOn: '2026-01-10', agenda: ['DA-42'] } })).createMeeting;
    const frozen = (await ok(`{ meeting(id: "${copil.id}") { ${REVIEW} } }`)).meeting.review;
    expect((await ok(`mutation { rollbackImport(id: "${batch.id}") { status } }`)).rollbackImport.status).toBe('ROLLED_BACK');
    const data = await ok(`{
      kept: action(contract: "${CONTRACT}", code: "DA-42") { code }
      gone: action(contract: "${CONTRACT}", code: "DA-40") { code }
      meeting(id: "${meeting.id}") { agenda { action { code } } }
      copil: meeting(id: "${copil.id}") { ${REVIEW} }
      progress(contract: "${CONTRACT}") { overall { requested } }
    }`);
    expect(data).toMatchObject({ kept: { code: 'DA-42' }, gone: null, meeting: { agenda: [{ action: { code: 'DA-42' } }] } });
    expect(data.copil.review).toEqual(frozen);
    // The ADEME file's requested amounts are gone from today's figures, not from the COPIL's.
    expect(data.progress.overall.requested).toBe('0.00');
    expect(frozen.overall.requested).toBe(decimal(ademe.requested));
  });
});
