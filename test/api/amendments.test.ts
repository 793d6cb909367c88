import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { ANNEX3_SHEET, LINES_SHEET } from '../../src/export/annex3-export';
import { FUNDING_EXPORT_COLUMNS } from '../../src/export/fundings-export';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { previewImport } from '../../src/import-batch/import-preview.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { Role } from '../../src/kernel/role.enum';
import { DOUAISIS_DATASET } from '../../src/seed/douaisis.seed-data';
import { seedReferenceData } from '../../src/seed/seed.service';
import { parseCsv } from '../support/csv';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { ADEME_FILE, cellCents, centsDecimal } from '../support/fixture-figures';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';
/** Etalab's EPCI list, read on its own: a member commune of Cœur d'Ostrevent (in the Douaisis perimeter). */
const ETALAB_EPCIS: { code: string; nom: string; membres: { code: string; nom: string }[] }[] = require('@etalab/decoupage-administratif/data/epci.json');
const CCCO = '245901152';
const DOUAISIS_AGGLO = '200044618';
/** An EPCI neither the seed nor the fixtures bring: its communes come from Etalab when an amendment adds it. */
const PORTE_DU_HAINAUT = '200042190';
const LEAVING = ETALAB_EPCIS.find((epci) => epci.code === CCCO)!.membres[0];
/** The INSEE codes of an EPCI's member communes, from Etalab's list. */
const membersOf = (siren: string) => ETALAB_EPCIS.find((epci) => epci.code === siren)!.membres.map((member) => member.code);

/** The seed's own title of an orientation (src/seed/douaisis.seed-data.ts). */
const seedTitle = (code: string) => DOUAISIS_DATASET.contract.axes.flatMap((axis) => axis.orientations).find((o) => o.code === code)!.title;

/** The ADEME annex 3's granted amounts (montant_attribue), read from the file: the whole file, and one action's. */
function ademeGranted(): { all: bigint; byAction: Map<string, bigint>; orientations: Set<string> } {
  const [header, ...rows] = parseCsv(readFileSync(fixturePath(ADEME_FILE), 'utf8').replace(/^\uFEFF/, ''), ';').filter((row) => row.length > 1);
  const col = (name: string) => header.indexOf(name);
  const byAction = new Map<string, bigint>();
  for (const row of rows) byAction.set(row[col('numero')], (byAction.get(row[col('numero')]) ?? 0n) + cellCents(row[col('montant_attribue')]));
  return { all: [...byAction.values()].reduce((a, b) => a + b, 0n), byAction, orientations: new Set(rows.map((row) => row[col('orientation')])) };
}

const D1 = '2024-03-15';
const D2 = '2024-09-01';
const BEFORE = '2024-01-01T12:00:00Z';
const BETWEEN = '2024-06-01T12:00:00Z';
const AFTER = '2025-01-01T12:00:00Z';
const NEW_TITLE = 'Étendre les mobilités durables, décarbonées et partagées';
const LATER_TITLE = 'Mobilités durables et partagées';

const AMEND = `mutation ($input: AmendmentInput!) { amendContract(input: $input) { number signedOn title recordedBy changes { kind code title from to } } }`;
const STRUCTURE = `query ($asOf: DateTimeISO) { contract(code: "${CONTRACT}") {
  axes(asOf: $asOf) { code title validFrom closedOn orientations { code title closedOn actions { code } } }
  communes(asOf: $asOf) { inseeCode } } }`;
const TOTALS = `query ($asOf: DateTimeISO, $groupBy: [FundingDimension!]!) {
  fundingTotals(groupBy: $groupBy, filter: { contract: "${CONTRACT}", stage: [GRANTED] }, asOf: $asOf) { amount orientation { code } axis { code } } }`;
const HISTORY_TABLES = ['amendment', 'axis', 'orientation', 'action', 'amendment_change', 'audit_event', 'contract_data_version'];

describe(`amendments (avenants) with history on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;
  let admin: string;
  let editor: string;
  const granted = ademeGranted();

  const sql = <T = Record<string, unknown>>(query: string, parameters: unknown[] = []): Promise<T[]> => db.dataSource.query(query, parameters);
  async function snapshot(): Promise<unknown> {
    const rows: Record<string, unknown[]> = {};
    for (const table of HISTORY_TABLES) rows[table] = await sql(`SELECT * FROM ${table} ORDER BY ${table === 'contract_data_version' ? 'contract_id' : 'id'}`);
    return JSON.parse(JSON.stringify(rows));
  }
  async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, token = admin): Promise<T> {
    const { body } = await api.graphql<T>(query, variables, token);
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }
  /** Refused naming `field` (code `code`), the message in French as given, nothing written. */
  async function refused(input: Record<string, unknown>, field: string | null, message: string | RegExp, token = admin, code = 'BAD_USER_INPUT') {
    const before = await snapshot();
    const { body } = await api.graphql(AMEND, { input }, token);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toMatchObject(field ? { code, field } : { code });
    if (typeof message === 'string') expect(body.errors![0].message).toContain(message);
    else expect(body.errors![0].message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  }
  const structure = async (asOf?: string) => (await ok(STRUCTURE, { asOf })).contract;
  const orientation = (axes: any[], code: string) => axes.flatMap((axis) => axis.orientations).find((o: any) => o.code === code);
  const totals = async (groupBy: string[], asOf?: string): Promise<Map<string, string>> => {
    const rows = (await ok(TOTALS, { asOf, groupBy })).fundingTotals as any[];
    return new Map(rows.map((row) => [row.orientation?.code ?? row.axis?.code ?? '∅', row.amount]));
  };
  const amendmentOne = (fields: Record<string, unknown> = {}) => ({
    contract: CONTRACT,
    number: '1',
    signedOn: D1,
    title: 'Avenant n° 1 : axe numérique, mobilités',
    changes: {
      renameOrientations: [{ code: '1.2', title: NEW_TITLE }],
      addAxes: [{ code: '5', title: 'Transition numérique et résilience' }],
      addOrientations: [{ code: '5.1', title: 'Hydrogène et énergies nouvelles', axisCode: '5' }],
      moveActions: [{ action: 'DA-41', toOrientation: '5.1' }],
      removeCommunes: [LEAVING.code],
    },
    ...fields,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    const result = await importFile(db.dataSource, { buffer: readFileSync(fixturePath(ADEME_FILE)), fileName: ADEME_FILE, kind: ImportKind.ANNEX3, source: 'ADEME', contract: CONTRACT });
    expect(result.status).toBe('APPLIED');
    // The file as recorded in 2022, before the amendments: asOf a date of 2024 then counts its lines.
    await sql("UPDATE funding SET created_at = '2022-01-01 00:00:00'");
    admin = (await createToken(db.dataSource, { name: 'équipe nationale', role: Role.ADMIN, organisationId: null })).secret;
    const douaisisAgglo = (await sql<{ id: number }>("SELECT id FROM organisation WHERE siren = '200044618'"))[0];
    editor = (await createToken(db.dataSource, { name: 'DA', role: Role.EDITOR, organisationId: Number(douaisisAgglo.id) })).secret;
    api = await startTestServer({ db });
  }, 60000);
  afterAll(async () => api?.close());

  it('records amendment n° 1 in one write: renamed, added, moved, a commune out — the earlier state still answered asOf', async () => {
    expect(granted.orientations).toEqual(new Set(['1.3'])); // the whole file is under 1.3
    const before = await structure();
    expect(orientation(before.axes, '1.3').actions.map((a: any) => a.code)).toContain('DA-41');
    expect(before.communes.map((c: any) => c.inseeCode)).toContain(LEAVING.code);

    const { amendContract } = await ok(AMEND, { input: amendmentOne() });
    expect(amendContract).toMatchObject({ number: '1', signedOn: D1, recordedBy: 'équipe nationale' });
    expect(amendContract.changes).toEqual([
      { kind: 'ADD_AXIS', code: '5', title: 'Transition numérique et résilience', from: null, to: null },
      { kind: 'ADD_ORIENTATION', code: '5.1', title: 'Hydrogène et énergies nouvelles', from: null, to: '5' },
      { kind: 'RENAME_ORIENTATION', code: '1.2', title: NEW_TITLE, from: seedTitle('1.2'), to: null },
      { kind: 'MOVE_ACTION', code: 'DA-41', title: expect.any(String), from: '1.3', to: '5.1' },
      { kind: 'REMOVE_COMMUNE', code: LEAVING.code, title: expect.any(String), from: null, to: null },
    ]);

    // Before D1: the old title, no axis 5, DA-41 under 1.3, the commune in the perimeter — and asOf given once, on axes, reaches the actions.
    const then = await structure(BEFORE);
    expect(then.axes.map((a: any) => a.code)).toEqual(['1', '2', '3', '4']);
    expect(orientation(then.axes, '1.2').title).toBe(seedTitle('1.2'));
    expect(orientation(then.axes, '1.3').actions.map((a: any) => a.code)).toContain('DA-41');
    expect(then.communes.map((c: any) => c.inseeCode)).toContain(LEAVING.code);
    expect(then.communes).toHaveLength(before.communes.length);

    // From D1 (and today, without asOf): the new state.
    for (const now of [await structure(AFTER), await structure(D1 + 'T00:00:00Z'), await structure()]) {
      expect(now.axes.map((a: any) => a.code)).toEqual(['1', '2', '3', '4', '5']);
      expect(now.axes[4]).toMatchObject({ title: 'Transition numérique et résilience', validFrom: D1, closedOn: null });
      expect(orientation(now.axes, '1.2').title).toBe(NEW_TITLE);
      expect(orientation(now.axes, '5.1').actions).toEqual([{ code: 'DA-41' }]);
      expect(orientation(now.axes, '1.3').actions.map((a: any) => a.code)).not.toContain('DA-41');
      expect(now.communes.map((c: any) => c.inseeCode)).not.toContain(LEAVING.code);
      expect(now.communes).toHaveLength(before.communes.length - 1);
    }
  });

  it('puts the moved action’s money under the orientation and axis it belonged to at each date; the contract’s total is the same', async () => {
    const da41 = granted.byAction.get('DA-41')!;
    expect(centsDecimal(da41)).toBe('950000.50');
    const then = await totals(['ORIENTATION'], BEFORE);
    expect(Object.fromEntries(then)).toEqual({ '1.3': centsDecimal(granted.all) });
    const now = await totals(['ORIENTATION'], AFTER);
    expect(Object.fromEntries(now)).toEqual({ '1.3': centsDecimal(granted.all - da41), '5.1': centsDecimal(da41) });
    expect(Object.fromEntries(await totals(['AXIS'], BEFORE))).toEqual({ '1': centsDecimal(granted.all) });
    expect(Object.fromEntries(await totals(['AXIS'], AFTER))).toEqual({ '1': centsDecimal(granted.all - da41), '5': centsDecimal(da41) });
    // Without asOf, today's placement (the current lines).
    expect(Object.fromEntries(await totals(['ORIENTATION']))).toEqual(Object.fromEntries(now));
    // The contract's total is the same on both sides of the amendment.
    const sum = (map: Map<string, string>) => [...map.values()].reduce((total, amount) => total + cellCents(amount), 0n);
    expect(sum(now)).toBe(sum(then));
    // Filtered by orientation at a date: the action where it was then.
    const filtered = async (asOf: string) =>
      (await ok(`query ($asOf: DateTimeISO) { fundingTotals(groupBy: [STAGE], filter: { contract: "${CONTRACT}", orientation: "1.3", stage: [GRANTED] }, asOf: $asOf) { amount } }`, { asOf }))
        .fundingTotals[0].amount;
    expect([await filtered(BEFORE), await filtered(AFTER)]).toEqual([centsDecimal(granted.all), centsDecimal(granted.all - da41)]);
    // The annual review at a date: the axes in force then, the money where it was.
    const review = async (asOf: string) =>
      (await ok(`query ($asOf: DateTimeISO) { progress(contract: "${CONTRACT}", asOf: $asOf) { axes { axis { code } figures { granted } } } }`, { asOf })).progress.axes.map(
        (a: any) => [a.axis.code, a.figures.granted],
      );
    expect(await review(BEFORE)).toEqual([['1', centsDecimal(granted.all)], ['2', '0.00'], ['3', '0.00'], ['4', '0.00']]);
    expect(await review(AFTER)).toEqual([['1', centsDecimal(granted.all - da41)], ['2', '0.00'], ['3', '0.00'], ['4', '0.00'], ['5', centsDecimal(da41)]]);
    // The review's actions at a date: DA-41 counted in 1.3 before, in 5.1 after.
    const actionsIn = async (asOf: string) =>
      Object.fromEntries(
        (await ok(`query ($asOf: DateTimeISO) { progress(contract: "${CONTRACT}", asOf: $asOf) { axes { orientations { orientation { code } figures { actions } } } } }`, { asOf })).progress.axes
          .flatMap((a: any) => a.orientations)
          .filter((o: any) => ['1.3', '5.1'].includes(o.orientation.code))
          .map((o: any) => [o.orientation.code, o.figures.actions]),
      );
    const [reviewBefore, reviewAfter] = [await actionsIn(BEFORE), await actionsIn(AFTER)];
    expect(reviewBefore['5.1']).toBeUndefined();
    expect(reviewAfter['5.1']).toBe(1);
    expect(reviewBefore['1.3'] - reviewAfter['1.3']).toBe(1);
  });

  it('answers Axis.fundingTotals and Orientation.fundingTotals at the date of the tree they are read in, or at their own asOf', async () => {
    const da41 = granted.byAction.get('DA-41')!;
    expect([centsDecimal(granted.all), centsDecimal(granted.all - da41)]).toEqual(['1046000.50', '96000.00']);
    const SCOPED = `{ amount }`;
    const tree = async (asOf?: string) => {
      const { contract } = await ok(
        `query ($asOf: DateTimeISO) { contract(code: "${CONTRACT}") { axes(asOf: $asOf) { code fundingTotals(groupBy: [STAGE], filter: { stage: [GRANTED] }) ${SCOPED}
          orientations { code fundingTotals(groupBy: [STAGE], filter: { stage: [GRANTED] }) ${SCOPED} } } } }`,
        { asOf },
      );
      const amount = (totals: any[]) => totals[0]?.amount ?? '0.00';
      return {
        axes: Object.fromEntries(contract.axes.map((axis: any) => [axis.code, amount(axis.fundingTotals)])),
        orientations: Object.fromEntries(contract.axes.flatMap((axis: any) => axis.orientations).map((o: any) => [o.code, amount(o.fundingTotals)])),
      };
    };
    const before = await tree(BEFORE);
    expect(before.axes).toEqual({ '1': centsDecimal(granted.all), '2': '0.00', '3': '0.00', '4': '0.00' });
    expect(before.orientations['1.3']).toBe(centsDecimal(granted.all));
    expect(before.orientations['5.1']).toBeUndefined();
    for (const now of [await tree(AFTER), await tree()]) {
      expect(now.axes).toMatchObject({ '1': centsDecimal(granted.all - da41), '5': centsDecimal(da41) });
      expect(now.orientations).toMatchObject({ '1.3': centsDecimal(granted.all - da41), '5.1': centsDecimal(da41) });
    }
    // Today's tree, the totals asked at a date: where the money was then (as fundingTotals(asOf) places it).
    const { contract } = await ok(`query ($asOf: DateTimeISO) { contract(code: "${CONTRACT}") { axes { code fundingTotals(groupBy: [STAGE], filter: { stage: [GRANTED] }, asOf: $asOf) ${SCOPED}
      orientations { code fundingTotals(groupBy: [STAGE], filter: { stage: [GRANTED] }, asOf: $asOf) ${SCOPED} } } } }`, { asOf: BEFORE });
    const axis = (code: string) => contract.axes.find((a: any) => a.code === code);
    expect(axis('1').fundingTotals).toEqual([{ amount: centsDecimal(granted.all) }]);
    expect(axis('5').fundingTotals).toEqual([]);
    expect(axis('1').orientations.find((o: any) => o.code === '1.3').fundingTotals).toEqual([{ amount: centsDecimal(granted.all) }]);
    expect(axis('5').orientations.find((o: any) => o.code === '5.1').fundingTotals).toEqual([]);
  });

  it('amendment n° 2 closes an orientation and renames again; each date answers its own titles, the amendments are listed', async () => {
    await ok(AMEND, {
      input: { contract: CONTRACT, number: '2', signedOn: D2, title: 'Avenant n° 2', changes: { closeOrientations: ['1.4'], renameOrientations: [{ code: '1.2', title: LATER_TITLE }] } },
    });
    const titles = async (asOf?: string) => {
      const { axes } = await structure(asOf);
      return { '1.2': orientation(axes, '1.2').title, '1.4': orientation(axes, '1.4')?.title ?? null };
    };
    expect(await titles(BEFORE)).toEqual({ '1.2': seedTitle('1.2'), '1.4': seedTitle('1.4') });
    expect(await titles(BETWEEN)).toEqual({ '1.2': NEW_TITLE, '1.4': seedTitle('1.4') });
    expect(await titles(AFTER)).toEqual({ '1.2': LATER_TITLE, '1.4': null });
    expect(await titles()).toEqual({ '1.2': LATER_TITLE, '1.4': null });
    // The annual review at a date: the titles of that day, and the tree under it read at that date too.
    const reviewTitles = async (asOf: string) => {
      const { progress } = await ok(
        `query ($asOf: DateTimeISO) { progress(contract: "${CONTRACT}", asOf: $asOf) { axes { axis { code orientations { code title } } orientations { orientation { code title } } } } }`,
        { asOf },
      );
      const listed = progress.axes.flatMap((a: any) => a.orientations.map((o: any) => o.orientation));
      const underAxis = progress.axes.flatMap((a: any) => a.axis.orientations);
      expect(underAxis).toEqual(listed.filter((o: any) => !o.code.split('.')[2]));
      return { '1.2': listed.find((o: any) => o.code === '1.2').title, '1.4': listed.find((o: any) => o.code === '1.4')?.title ?? null };
    };
    expect(await reviewTitles(BEFORE)).toEqual({ '1.2': seedTitle('1.2'), '1.4': seedTitle('1.4') });
    expect(await reviewTitles(BETWEEN)).toEqual({ '1.2': NEW_TITLE, '1.4': seedTitle('1.4') });
    expect(await reviewTitles(AFTER)).toEqual({ '1.2': LATER_TITLE, '1.4': null });
    const { contract } = await ok(`{ contract(code: "${CONTRACT}") { amendments { number signedOn changes { kind code } } } }`);
    expect(contract.amendments).toEqual([
      { number: '1', signedOn: D1, changes: expect.any(Array) },
      { number: '2', signedOn: D2, changes: [{ kind: 'RENAME_ORIENTATION', code: '1.2' }, { kind: 'CLOSE_ORIENTATION', code: '1.4' }] },
    ]);
    expect(Number((await sql<{ n: unknown }>("SELECT COUNT(*) AS n FROM audit_event WHERE action = 'AMENDMENT_RECORD'"))[0].n)).toBe(2);
  });

  it('answers, in a tree read asOf, each action’s orientation and its own totals at that date', async () => {
    const da41 = centsDecimal(granted.byAction.get('DA-41')!);
    const tree = async (asOf?: string) => {
      const { contract } = await ok(
        `query ($asOf: DateTimeISO) { contract(code: "${CONTRACT}") { axes(asOf: $asOf) { orientations { code actions {
          code fundingTotal(stage: GRANTED) orientation { code title axis { code } actions { code } } } } } } }`,
        { asOf },
      );
      const actions = contract.axes.flatMap((axis: any) => axis.orientations).flatMap((o: any) => o.actions.map((action: any) => ({ ...action, listedUnder: o.code })));
      return actions.find((action: any) => action.code === 'DA-41');
    };
    // Before amendment n° 1: DA-41 in 1.3 (axis 1), as the orientation it is listed under says; its granted lines then.
    const before = await tree(BEFORE);
    expect(before).toMatchObject({ listedUnder: '1.3', fundingTotal: da41, orientation: { code: '1.3', title: seedTitle('1.3'), axis: { code: '1' } } });
    expect(before.orientation.actions.map((a: any) => a.code)).toContain('DA-41');
    // Before the ADEME file was recorded (2022): no line counted yet, wherever the action stood.
    expect(await tree('2021-06-01T12:00:00Z')).toMatchObject({ listedUnder: '1.3', fundingTotal: '0.00', orientation: { code: '1.3' } });
    // After it, and today: in 5.1 (axis 5), which holds only it.
    for (const now of [await tree(AFTER), await tree()]) {
      expect(now).toMatchObject({ listedUnder: '5.1', fundingTotal: da41, orientation: { code: '5.1', title: 'Hydrogène et énergies nouvelles', axis: { code: '5' }, actions: [{ code: 'DA-41' }] } });
    }
  });

  it('shows and filters each line of fundings(asOf), and of its export, under the orientation and axis of that date', async () => {
    const da41 = centsDecimal(granted.byAction.get('DA-41')!);
    const PAGE = `query ($asOf: DateTimeISO, $filter: FundingFilter) { fundings(filter: $filter, asOf: $asOf, first: 500) {
      totalCount nodes { amount action { code orientation { code axis { code } } } } } }`;
    const page = async (filter: Record<string, unknown>, asOf?: string) => (await ok(PAGE, { asOf, filter: { contract: CONTRACT, stage: ['GRANTED'], ...filter } })).fundings;
    const sum = (nodes: any[]) => centsDecimal(nodes.reduce((total: bigint, node: any) => total + cellCents(node.amount), 0n));
    const placed = (nodes: any[]) => new Set(nodes.map((node: any) => `${node.action.code} ${node.action.orientation.code} ${node.action.orientation.axis.code}`));

    const before = await page({ action: 'DA-41' }, BEFORE);
    expect([sum(before.nodes), placed(before.nodes)]).toEqual([da41, new Set(['DA-41 1.3 1'])]);
    for (const after of [await page({ action: 'DA-41' }, AFTER), await page({ action: 'DA-41' })]) {
      expect([sum(after.nodes), placed(after.nodes)]).toEqual([da41, new Set(['DA-41 5.1 5'])]);
    }
    // Filtered by orientation or axis at a date: the lines of the actions that were there then.
    expect(sum((await page({ orientation: '1.3' }, BEFORE)).nodes)).toBe(centsDecimal(granted.all));
    expect(sum((await page({ orientation: '1.3' }, AFTER)).nodes)).toBe(centsDecimal(granted.all - granted.byAction.get('DA-41')!));
    expect((await page({ axis: 5 }, BEFORE)).totalCount).toBe(0);
    const axis5 = await page({ axis: 5 }, AFTER);
    expect([sum(axis5.nodes), placed(axis5.nodes)]).toEqual([da41, new Set(['DA-41 5.1 5'])]);

    // The export: the same lines, the orientation and axis of that date beside each.
    const base = `http://localhost:${api.server.port}/api/export/fundings.csv?contract=${CONTRACT}&stage=GRANTED`;
    const exported = async (query: string) => {
      const response = await fetch(`${base}&${query}`);
      expect(response.status).toBe(200);
      const [header, ...rows] = parseCsv(await response.text(), ',');
      const column = (key: string) => header.indexOf(FUNDING_EXPORT_COLUMNS.find((c) => c.key === key)!.label);
      return rows.map((row) => `${row[column('actionCode')]} ${row[column('orientationCode')]} ${row[column('axisNumber')]} ${row[column('axisTitle')]}`);
    };
    const axisTitle = (code: string) => (code === '5' ? 'Transition numérique et résilience' : DOUAISIS_DATASET.contract.axes.find((axis) => String(axis.number) === code)!.title);
    expect(new Set(await exported(`action=DA-41&asOf=${BEFORE}`))).toEqual(new Set([`DA-41 1.3 1 ${axisTitle('1')}`]));
    expect(new Set(await exported(`action=DA-41&asOf=${AFTER}`))).toEqual(new Set([`DA-41 5.1 5 ${axisTitle('5')}`]));
    expect(new Set(await exported('action=DA-41'))).toEqual(new Set([`DA-41 5.1 5 ${axisTitle('5')}`]));
    expect((await exported(`orientation=1.3&asOf=${BEFORE}`)).filter((row) => row.startsWith('DA-41 '))).toHaveLength(before.totalCount);
    expect(await exported(`axis=5&asOf=${BEFORE}`)).toEqual([]);
  });

  it('exports the annex 3 as it stood on a date (asOf=AAAA-MM-JJ): the orientations in force, their titles then, the actions where they were', async () => {
    const da41 = granted.byAction.get('DA-41')!;
    const annex = async (asOf?: string) => {
      const response = await fetch(`http://localhost:${api.server.port}/api/export/annex3.xlsx?contract=${CONTRACT}&stage=GRANTED${asOf ? `&asOf=${asOf}` : ''}`);
      expect(response.status).toBe(200);
      const workbook = XLSX.read(Buffer.from(await response.arrayBuffer()), { type: 'buffer' });
      const rows = XLSX.utils.sheet_to_json<unknown[]>(workbook.Sheets[ANNEX3_SHEET], { header: 1, raw: true, defval: null });
      const header = rows.find((row) => row[0] === 'Code')!.map((value) => String(value ?? ''));
      const total = (label: string) => {
        const row = rows.find((candidate) => candidate[0] === label);
        return row ? centsDecimal(BigInt(Math.round(Number(row[header.indexOf('Total')] ?? 0) * 100))) : null;
      };
      const lines = XLSX.utils.sheet_to_json<Record<string, unknown>>(workbook.Sheets[LINES_SHEET]);
      const texts = rows.map((row) => String(row[0] ?? ''));
      return { total, texts, placed: new Set(lines.filter((line) => line.Action === 'DA-41').map((line) => line.Orientation)) };
    };
    const before = await annex('2024-01-01');
    expect([before.total('Sous-total orientation 1.3'), before.total('Sous-total orientation 5.1'), before.total('Sous-total axe 5'), before.total('TOTAL GÉNÉRAL')]).toEqual([
      centsDecimal(granted.all),
      null,
      null,
      centsDecimal(granted.all),
    ]);
    expect(before.texts).toContain(`Orientation 1.2 – ${seedTitle('1.2')}`);
    expect(before.texts).toContain(`Orientation 1.4 – ${seedTitle('1.4')}`);
    expect(before.texts.some((text) => text.includes('état au 01/01/2024'))).toBe(true);
    expect(before.placed).toEqual(new Set(['1.3']));
    // Between the amendments: 1.2 under its first new title, 1.4 still in force; DA-41 in 5.1.
    const between = await annex('2024-06-01');
    expect(between.texts).toContain(`Orientation 1.2 – ${NEW_TITLE}`);
    expect(between.texts).toContain(`Orientation 1.4 – ${seedTitle('1.4')}`);
    expect([between.total('Sous-total orientation 1.3'), between.total('Sous-total orientation 5.1'), between.total('Sous-total axe 5')]).toEqual([
      centsDecimal(granted.all - da41),
      centsDecimal(da41),
      centsDecimal(da41),
    ]);
    expect(between.placed).toEqual(new Set(['5.1']));
    // Today (and without asOf): 1.4 closed, left out.
    for (const now of [await annex('2025-01-01'), await annex()]) {
      expect(now.texts).toContain(`Orientation 1.2 – ${LATER_TITLE}`);
      expect(now.texts.filter((text) => text.startsWith('Orientation 1.4'))).toEqual([]);
      expect(now.total('Sous-total orientation 5.1')).toBe(centsDecimal(da41));
    }
    // Before the ADEME file was recorded: the structure, no line.
    expect((await annex('2021-06-01')).total('TOTAL GÉNÉRAL')).toBe('0.00');
    const wrong = await fetch(`http://localhost:${api.server.port}/api/export/annex3.xlsx?contract=${CONTRACT}&asOf=2024-02-30`);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Le paramètre « asOf » doit être une date AAAA-MM-JJ réelle');
  });

  it('refuses, in French and naming the field, a wrong amendment — and writes nothing of it', async () => {
    const base = { contract: CONTRACT, number: '3', signedOn: '2024-10-01', title: 'Avenant n° 3' };
    await refused(amendmentOne({ signedOn: '2024-10-01' }), 'number', 'L’avenant n° 1 (number) est déjà enregistré dans le contrat CRTE-DOUAISIS');
    await refused({ ...base, changes: { closeOrientations: ['1.3'] } }, 'changes.closeOrientations[0]', /« 1\.3 » porte encore \d+ action\(s\) \(.*DA-40.*\) : déplacez-les \(moveActions\)/);
    await refused({ ...base, changes: { closeAxes: ['1'] } }, 'changes.closeAxes[0]', 'L’axe (changes.closeAxes[0]) « 1 » a des orientations en vigueur (1.1, 1.2, 1.3)');
    await refused({ ...base, signedOn: '2099-01-01', changes: { closeOrientations: ['1.1'] } }, 'signedOn', 'est postérieure à aujourd’hui');
    // Bounded before the contract's lock: 1 000 changes per list, 2 000 in all.
    const codes = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
    await refused({ ...base, changes: { closeOrientations: codes(1001, 'X.') } }, 'changes.closeOrientations', '1001 modifications dans changes.closeOrientations : un avenant en compte au plus 1000 par liste');
    await refused(
      { ...base, changes: { closeOrientations: codes(1000, 'X.'), closeAxes: codes(1000, 'Y'), addCommunes: codes(1, '59') } },
      'changes',
      '2001 modifications en tout dans changes : un avenant en compte au plus 2000',
    );
    await refused({ ...base, signedOn: '2021-06-01', changes: { closeOrientations: ['1.1'] } }, 'signedOn', 'précède le début du contrat CRTE-DOUAISIS (signé le 2022-02-01)');
    await refused({ ...base, signedOn: '2024-05-01', changes: { closeOrientations: ['1.1'] } }, 'signedOn', 'précède celle du dernier avenant enregistré (n° 2, signé le 2024-09-01)');
    await refused({ ...base, changes: {} }, 'changes', 'Un avenant doit comporter au moins une modification');
    await refused({ ...base, contract: 'CRTE-INCONNU', changes: { closeOrientations: ['1.1'] } }, 'contract', 'Contrat (contract) « CRTE-INCONNU » inconnu.');
    await refused(
      { ...base, changes: { addOrientations: [{ code: '1.1', title: 'Doublon', axisCode: '9' }] } },
      'changes.addOrientations[0].code',
      'Le code de l’orientation (changes.addOrientations[0].code) « 1.1 » est déjà utilisé dans le contrat CRTE-DOUAISIS.',
    );
    // A valid rename beside a move to a closed orientation: all or nothing.
    await refused(
      { ...base, changes: { renameOrientations: [{ code: '1.1', title: 'Biodiversité et eau' }], moveActions: [{ action: 'DA-40', toOrientation: '1.4' }] } },
      'changes.moveActions[0].toOrientation',
      'L’orientation d’arrivée (changes.moveActions[0].toOrientation) « 1.4 » est fermée depuis le 2024-09-01',
    );
    await refused({ ...base, changes: { removeCommunes: [LEAVING.code] } }, 'changes.removeCommunes[0]', `n’est pas dans le périmètre du contrat ${CONTRACT}`);
  });

  it('refuses, at its cell, an imported action under an orientation an amendment closed; updateAction moves no classified action', async () => {
    const csv = `numero;intitule;orientation;financeur;annee;montant_demande;montant_attribue;montant_paye;base\nADEME-99;Halle de recyclage;1.4;ADEME;2024;1000;0;0;HT\n`;
    const preview = await previewImport(db.dataSource, { buffer: Buffer.from(csv, 'utf8'), fileName: 'annexe3-close.csv', kind: ImportKind.ANNEX3, source: 'ADEME', contract: CONTRACT });
    expect(preview.status).toBe('REJECTED');
    const closed = preview.issues.filter((issue) => issue.code === 'ORIENTATION_CLOSED');
    expect(closed).toEqual([expect.objectContaining({ severity: 'ERROR', cell: 'C2', value: '1.4' })]);
    expect(closed[0].message).toContain("L'orientation « 1.4 » est close par l'avenant n° 2 du 01/09/2024");
    const before = await snapshot();
    const { body } = await api.graphql(`mutation { updateAction(contract: "${CONTRACT}", code: "DA-41", input: { orientation: "1.3" }) { code } }`, {}, admin);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orientation' });
    expect(body.errors?.[0].message).toContain('L’action DA-41 est classée dans l’orientation 5.1 : la changer d’orientation (orientation) modifie la structure du contrat, ce qui se fait par un avenant (amendContract, moveActions)');
    expect(await snapshot()).toEqual(before);
  });

  it('changes the perimeter’s EPCIs by amendment, dated: the communes and EPCIs of each date answered; updateContract no longer changes them', async () => {
    const da = membersOf(DOUAISIS_AGGLO);
    const ccco = membersOf(CCCO);
    const perimeter = async (asOf?: string) => {
      const { contract } = await ok(`query ($asOf: DateTimeISO) { contract(code: "${CONTRACT}") { perimeter(asOf: $asOf) { siren } communes(asOf: $asOf) { inseeCode } } }`, { asOf });
      return { epcis: contract.perimeter.map((e: any) => e.siren).sort(), communes: new Set<string>(contract.communes.map((c: any) => c.inseeCode)) };
    };
    const refusedUpdate = await api.graphql(`mutation { updateContract(code: "${CONTRACT}", input: { epcis: ["${DOUAISIS_AGGLO}"] }) { code } }`, {}, admin);
    expect(refusedUpdate.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'epcis' });
    expect(refusedUpdate.body.errors?.[0].message).toContain('ses EPCI changent par un avenant daté (amendContract, changes.addEpcis / changes.removeEpcis)');

    const { amendContract: third } = await ok(AMEND, { input: { contract: CONTRACT, number: '3', signedOn: '2024-11-01', title: 'Avenant n° 3', changes: { removeEpcis: [CCCO] } } });
    expect(third.changes).toEqual([{ kind: 'REMOVE_EPCI', code: CCCO, title: expect.any(String), from: null, to: null }]);
    const all = new Set([...da, ...ccco]);
    const withoutLeaving = new Set([...all].filter((code) => code !== LEAVING.code));
    expect(await perimeter(BEFORE)).toEqual({ epcis: [DOUAISIS_AGGLO, CCCO].sort(), communes: all });
    expect(await perimeter(BETWEEN)).toEqual({ epcis: [DOUAISIS_AGGLO, CCCO].sort(), communes: withoutLeaving });
    expect(await perimeter('2024-11-15T12:00:00Z')).toEqual({ epcis: [DOUAISIS_AGGLO], communes: new Set(da) });
    expect(await perimeter()).toEqual({ epcis: [DOUAISIS_AGGLO], communes: new Set(da) });

    // Back again, without the commune that left it (amendment n° 1): an EPCI enters with its communes, the same amendment may take one out.
    await refused({ contract: CONTRACT, number: '4', signedOn: '2024-12-01', title: 'Avenant n° 4', changes: { removeEpcis: [DOUAISIS_AGGLO] } }, 'changes.removeEpcis', 'il en garde au moins un');
    await refused({ contract: CONTRACT, number: '4', signedOn: '2024-12-01', title: 'Avenant n° 4', changes: { addEpcis: ['200000000'] } }, 'changes.addEpcis[0]', 'de SIREN 200000000 est inconnu');
    await ok(AMEND, { input: { contract: CONTRACT, number: '4', signedOn: '2024-12-01', title: 'Avenant n° 4', changes: { addEpcis: [CCCO], removeCommunes: [LEAVING.code] } } });
    expect(await perimeter('2024-11-15T12:00:00Z')).toEqual({ epcis: [DOUAISIS_AGGLO], communes: new Set(da) });
    expect(await perimeter(AFTER)).toEqual({ epcis: [DOUAISIS_AGGLO, CCCO].sort(), communes: withoutLeaving });
    expect(await perimeter()).toEqual({ epcis: [DOUAISIS_AGGLO, CCCO].sort(), communes: withoutLeaving });
    expect(await perimeter(BEFORE)).toEqual({ epcis: [DOUAISIS_AGGLO, CCCO].sort(), communes: all });
  });

  it('adds by amendment an EPCI the database did not know, with its communes from Etalab, in the same write', async () => {
    const epciRows = () => sql<{ id: number }>('SELECT id FROM organisation WHERE siren = ?', [PORTE_DU_HAINAUT]);
    expect(await epciRows()).toEqual([]);
    const input = { contract: CONTRACT, number: '5', signedOn: '2025-02-01', title: 'Avenant n° 5 : la Porte du Hainaut', changes: { addEpcis: [PORTE_DU_HAINAUT] } };
    // Refused for another field: nothing of it is written, the EPCI and its communes neither.
    await refused({ ...input, number: '4' }, 'number', 'L’avenant n° 4 (number) est déjà enregistré');
    expect(await epciRows()).toEqual([]);

    const { amendContract } = await ok(AMEND, { input });
    expect(amendContract.changes).toEqual([{ kind: 'ADD_EPCI', code: PORTE_DU_HAINAUT, title: ETALAB_EPCIS.find((epci) => epci.code === PORTE_DU_HAINAUT)!.nom, from: null, to: null }]);
    const [epci] = await epciRows();
    const communes = await sql<{ insee_code: string }>('SELECT insee_code FROM organisation WHERE parent_id = ?', [epci.id]);
    expect(new Set(communes.map((c) => c.insee_code))).toEqual(new Set(membersOf(PORTE_DU_HAINAUT)));
    const perimeter = async (asOf?: string) => {
      const { contract } = await ok(`query ($asOf: DateTimeISO) { contract(code: "${CONTRACT}") { perimeter(asOf: $asOf) { siren } communes(asOf: $asOf) { inseeCode } } }`, { asOf });
      return { epcis: contract.perimeter.map((e: any) => e.siren).sort(), communes: new Set<string>(contract.communes.map((c: any) => c.inseeCode)) };
    };
    const withoutLeaving = [...membersOf(DOUAISIS_AGGLO), ...membersOf(CCCO)].filter((code) => code !== LEAVING.code);
    expect(await perimeter(AFTER)).toEqual({ epcis: [DOUAISIS_AGGLO, CCCO].sort(), communes: new Set(withoutLeaving) });
    expect(await perimeter()).toEqual({ epcis: [DOUAISIS_AGGLO, CCCO, PORTE_DU_HAINAUT].sort(), communes: new Set([...withoutLeaving, ...membersOf(PORTE_DU_HAINAUT)]) });
  });

  it('is for administrators only: an editor’s token is refused and nothing is written', async () => {
    await refused({ contract: CONTRACT, number: '3', signedOn: '2024-10-01', title: 'Avenant n° 3', changes: { closeOrientations: ['1.1'] } }, null, /administrat/i, editor, 'FORBIDDEN');
  });

  // Last: it re-imports the ADEME file, which changes today's lines that the tests above compare with the file.
  it('lists, in a tree read asOf, each action’s lines valid at that moment (those its fundingTotal counts, as fundings(asOf) lists them); today’s lines without asOf', async () => {
    // The ADEME file sent again with DA-41's granted amount corrected: it supersedes the file's lines (same source, funder and years).
    const file = readFileSync(fixturePath(ADEME_FILE), 'utf8');
    expect(file).toContain(';950000,50;');
    const corrected = Buffer.from(file.replace(';950000,50;', ';900000,00;'), 'utf8');
    const result = await importFile(db.dataSource, { buffer: corrected, fileName: 'annexe3-ademe-2021-2023-corrigee.csv', kind: ImportKind.ANNEX3, source: 'ADEME', contract: CONTRACT });
    expect(result.status).toBe('APPLIED');
    // Re-imported on 2025-06-01, as the first file is recorded in 2022 (beforeAll).
    await sql("UPDATE funding SET superseded_at = '2025-06-01 00:00:00' WHERE superseded_by_batch_id = ?", [result.batchId]);
    await sql("UPDATE funding SET created_at = '2025-06-01 00:00:00' WHERE batch_id = ?", [result.batchId]);

    const LINE = 'id stage year amount funder { shortName } action { code orientation { code } }';
    const tree = async (asOf?: string) => {
      const { contract } = await ok(
        `query ($asOf: DateTimeISO) { contract(code: "${CONTRACT}") { axes(asOf: $asOf) { orientations { actions {
          code requested: fundingTotal(stage: REQUESTED) granted: fundingTotal(stage: GRANTED) paid: fundingTotal(stage: PAID) fundings { ${LINE} } } } } } }`,
        { asOf },
      );
      return contract.axes.flatMap((axis: any) => axis.orientations).flatMap((o: any) => o.actions).find((action: any) => action.code === 'DA-41');
    };
    const page = async (asOf?: string) =>
      (await ok(`query ($asOf: DateTimeISO) { fundings(filter: { contract: "${CONTRACT}", action: "DA-41" }, asOf: $asOf, first: 500) { nodes { ${LINE} } } }`, { asOf })).fundings.nodes;
    const amounts = (lines: any[]) => lines.map((line) => `${line.stage} ${line.year} ${line.funder.shortName} ${line.amount}`).sort();
    const sumAt = (lines: any[], stage: string) => centsDecimal(lines.filter((line) => line.stage === stage).reduce((total, line) => total + cellCents(line.amount), 0n));
    const byId = (lines: any[]) => [...lines].sort((a, b) => Number(a.id) - Number(b.id));

    // The file's row for DA-41 (2023, ADEME): 1 200 000 € requested, 950 000,50 € granted, 0 paid; corrected: 900 000,00 € granted.
    const before = await tree(BEFORE);
    const between = await tree(AFTER);
    for (const [action, orientationThen] of [[before, '1.3'], [between, '5.1']] as const) {
      expect(amounts(action.fundings).filter((line) => line.startsWith('GRANTED'))).toEqual(['GRANTED 2023 ADEME 950000.50']);
      expect(amounts(action.fundings)).toContain('REQUESTED 2023 ADEME 1200000.00');
      // Its lines add up to its dated totals, stage by stage; they are fundings(asOf)'s lines, each line's action placed as it was then.
      for (const stage of ['REQUESTED', 'GRANTED', 'PAID']) expect(sumAt(action.fundings, stage)).toBe(action[stage.toLowerCase()]);
      expect(byId(action.fundings)).toEqual(byId(await page(action === before ? BEFORE : AFTER)));
      expect(new Set(action.fundings.map((line: any) => `${line.action.code} ${line.action.orientation.code}`))).toEqual(new Set([`DA-41 ${orientationThen}`]));
    }
    expect(before.granted).toBe('950000.50');

    // Today, and at a moment after the re-import: the corrected lines, none of the earlier ones.
    const today = await tree();
    const afterImport = await tree('2025-09-01T12:00:00Z');
    for (const action of [today, afterImport]) {
      expect(amounts(action.fundings).filter((line) => line.startsWith('GRANTED'))).toEqual(['GRANTED 2023 ADEME 900000.00']);
      expect(action.granted).toBe('900000.00');
      for (const stage of ['REQUESTED', 'GRANTED', 'PAID']) expect(sumAt(action.fundings, stage)).toBe(action[stage.toLowerCase()]);
      expect(new Set(action.fundings.map((line: any) => line.action.orientation.code))).toEqual(new Set(['5.1']));
    }
    expect(byId(today.fundings)).toEqual(byId(await page()));
    expect(byId(afterImport.fundings)).toEqual(byId(today.fundings));
    const earlier = new Set(between.fundings.map((line: any) => line.id));
    expect(today.fundings.filter((line: any) => earlier.has(line.id))).toEqual([]);

    // Before the file was recorded (2022): no line, and totals of nothing.
    const beforeFile = await tree('2021-06-01T12:00:00Z');
    expect(beforeFile).toMatchObject({ fundings: [], requested: '0.00', granted: '0.00', paid: '0.00' });
  });
});
