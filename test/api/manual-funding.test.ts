import { readFileSync } from 'node:fs';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { Role } from '../../src/kernel/role.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { editWorkbook } from '../support/workbook-edit';

const CONTRACT = 'CRTE-DOUAISIS';
const DOUAISIS_AGGLO = '200044618';
const CCCO = '245901152';

const LINE = 'id amount year stage instrument funder { shortName } action { code } source { sheet rawValue declaredBy { siren } batch { id kind status fileName uploadedBy uploadedAt } }';
const CREATE = `mutation ($input: CreateFundingInput!) { createFunding(input: $input) { ${LINE} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateFundingInput!) { updateFunding(id: $id, input: $input) { ${LINE} } }`;
const END = `mutation ($id: ID!, $note: String) { endFunding(id: $id, note: $note) { id kind status lineCount fileName uploadedBy } }`;
const ROLLBACK = `mutation ($id: ID!) { rollbackImport(id: $id) { id status } }`;
const TOTALS = `query ($asOf: DateTimeISO) { fundingTotals(groupBy: [STAGE], filter: { contract: "${CONTRACT}" }, asOf: $asOf) { stage amount lines } }`;
const LINES = `query ($asOf: DateTimeISO) { fundings(filter: { contract: "${CONTRACT}", action: "DA-50" }, asOf: $asOf, first: 500) { nodes { ${LINE} } } }`;

const pause = (ms: number) => new Promise((resume) => setTimeout(resume, ms));
/** Cents of a decimal string, for exact sums in the test (the amounts are the test's own inputs). */
function cents(amount: string | undefined): bigint {
  if (!amount) return 0n;
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
}

describe(`manual funding lines (createFunding, updateFunding, endFunding) on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  const tokens: Record<'admin' | 'editorDa' | 'editorCcco', string> = { admin: '', editorDa: '', editorCcco: '' };

  const sql = <T = Record<string, unknown>>(query: string, parameters: unknown[] = []): Promise<T[]> => api.db.dataSource.query(query, parameters);

  async function ok<T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const { status, body } = await api.graphql<T>(query, variables, token);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data as T;
  }

  /** Every row a manual entry may write: a refused one leaves all of it as it was. */
  async function snapshot(): Promise<unknown> {
    const rows: Record<string, unknown[]> = {};
    for (const table of ['funding', 'import_batch', 'audit_event', 'contract_data_version']) rows[table] = await sql(`SELECT * FROM ${table} ORDER BY 1`);
    return JSON.parse(JSON.stringify(rows));
  }

  async function refused(query: string, variables: Record<string, unknown>, token: string) {
    const before = await snapshot();
    const { body } = await api.graphql(query, variables, token);
    expect(body.errors).toHaveLength(1);
    expect(await snapshot()).toEqual(before);
    return body.errors![0];
  }

  /** The contract's GRANTED total, in cents, now or at `asOf`. */
  async function granted(asOf?: Date): Promise<bigint> {
    const data = await ok<{ fundingTotals: Array<{ stage: string; amount: string }> }>(TOTALS, { asOf: asOf?.toISOString() ?? null }, tokens.admin);
    return cents(data.fundingTotals.find((total) => total.stage === 'GRANTED')?.amount);
  }

  const entry = (fields: Record<string, unknown> = {}) => ({
    contract: CONTRACT,
    action: 'DA-50',
    funder: 'ADEME',
    year: 2025,
    stage: 'GRANTED',
    instrument: 'SUBSIDY',
    amount: '120000.50',
    note: 'convention signée le 3 mars',
    ...fields,
  });

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        const [da] = await dataSource.query('SELECT id FROM organisation WHERE siren = ?', [DOUAISIS_AGGLO]);
        const [ccco] = await dataSource.query('SELECT id FROM organisation WHERE siren = ?', [CCCO]);
        tokens.admin = (await createToken(dataSource, { name: 'équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
        tokens.editorDa = (await createToken(dataSource, { name: 'Service finances DA', role: Role.EDITOR, organisationId: Number(da.id) })).secret;
        tokens.editorCcco = (await createToken(dataSource, { name: 'Finances CCCO', role: Role.EDITOR, organisationId: Number(ccco.id) })).secret;
      },
    });
    await ok(
      `mutation ($input: CreateActionInput!) { createAction(input: $input) { code } }`,
      { input: { contract: CONTRACT, code: 'DA-50', title: 'Piste cyclable Douai – Sin-le-Noble', lead: DOUAISIS_AGGLO } },
      tokens.admin,
    );
  });
  afterAll(async () => api?.close());

  it('creates, corrects, ends and undoes a line by hand, with its history and lineage', async () => {
    const start = await granted();

    // Created by the action's lead: the total moves by exactly the amount typed.
    const created = (await ok(CREATE, { input: entry() }, tokens.editorDa)).createFunding;
    expect(created).toMatchObject({ amount: '120000.50', year: 2025, stage: 'GRANTED', instrument: 'SUBSIDY', funder: { shortName: 'ADEME' }, action: { code: 'DA-50' } });
    expect(created.source).toMatchObject({ sheet: 'Saisie', rawValue: '120000.50', declaredBy: { siren: DOUAISIS_AGGLO } });
    expect(created.source.batch).toMatchObject({ kind: 'MANUAL', status: 'APPLIED', fileName: 'Saisie : convention signée le 3 mars', uploadedBy: 'Service finances DA' });
    expect(await granted()).toBe(start + 12000050n);

    // Timestamps are whole seconds on MariaDB: the moment between the two entries is a second from each.
    await pause(1100);
    const between = new Date();
    await pause(1100);

    const corrected = (await ok(UPDATE, { id: created.id, input: { amount: '95000', note: 'avenant' } }, tokens.editorDa)).updateFunding;
    expect(corrected.id).not.toBe(created.id);
    expect(corrected).toMatchObject({ amount: '95000.00', year: 2025, stage: 'GRANTED', funder: { shortName: 'ADEME' } });
    expect(corrected.source).toMatchObject({ sheet: 'Saisie', rawValue: '95000' });
    expect(corrected.source.batch).toMatchObject({ kind: 'MANUAL', status: 'APPLIED', fileName: 'Saisie : avenant', uploadedBy: 'Service finances DA' });
    expect(new Date(corrected.source.batch.uploadedAt).getTime()).toBeGreaterThan(between.getTime() - 1000);
    expect(await granted()).toBe(start + 9500000n);
    // Before the correction, the history still gives the amount first typed, and its lineage.
    expect(await granted(between)).toBe(start + 12000050n);
    const past = (await ok(LINES, { asOf: between.toISOString() }, tokens.admin)).fundings.nodes;
    expect(past).toHaveLength(1);
    expect(past[0]).toMatchObject({ id: created.id, amount: '120000.50', source: { sheet: 'Saisie', batch: { kind: 'MANUAL', status: 'SUPERSEDED', uploadedBy: 'Service finances DA' } } });
    const lineage = await ok(`query ($id: ID!) { importBatch(id: $id) { supersedes { id } } }`, { id: corrected.source.batch.id }, tokens.admin);
    expect(lineage.importBatch.supersedes.map((b: { id: string }) => b.id)).toEqual([created.source.batch.id]);

    await pause(1100);
    const beforeEnd = new Date();
    await pause(1100);
    const ended = (await ok(END, { id: corrected.id, note: 'projet abandonné' }, tokens.editorDa)).endFunding;
    expect(ended).toMatchObject({ kind: 'MANUAL', status: 'APPLIED', lineCount: 0, fileName: 'Saisie : projet abandonné', uploadedBy: 'Service finances DA' });
    expect(await granted()).toBe(start);
    expect((await ok(LINES, {}, tokens.admin)).fundings.nodes).toEqual([]);
    expect((await ok(LINES, { asOf: beforeEnd.toISOString() }, tokens.admin)).fundings.nodes.map((l: { id: string; amount: string }) => [l.id, l.amount])).toEqual([[corrected.id, '95000.00']]);
    // An ended line is no longer corrected.
    const stale = await refused(UPDATE, { id: corrected.id, input: { amount: '1' } }, tokens.editorDa);
    expect(stale.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });

    // Undo: the end rests on the correction, so the correction waits for the end's undo.
    const blocked = await refused(ROLLBACK, { id: corrected.source.batch.id }, tokens.editorDa);
    expect(blocked.extensions.code).toBe('CONFLICT');
    expect(blocked.message).toContain(`n° ${ended.id}`);
    expect((await ok(ROLLBACK, { id: ended.id }, tokens.editorDa)).rollbackImport.status).toBe('ROLLED_BACK');
    expect(await granted()).toBe(start + 9500000n);
    expect((await ok(ROLLBACK, { id: corrected.source.batch.id }, tokens.editorDa)).rollbackImport.status).toBe('ROLLED_BACK');
    expect(await granted()).toBe(start + 12000050n);
    const now = (await ok(LINES, {}, tokens.admin)).fundings.nodes;
    expect(now.map((l: { amount: string }) => l.amount)).toEqual(['120000.50']);
    expect(now[0].source.batch).toMatchObject({ id: created.source.batch.id, status: 'APPLIED' });
    // The history of the whole story stays readable.
    expect(await granted(between)).toBe(start + 12000050n);
    const audit = await sql<{ action: string }>("SELECT action FROM audit_event WHERE action LIKE 'FUNDING_%' ORDER BY id");
    expect(audit.map((row) => row.action)).toEqual(['FUNDING_CREATE', 'FUNDING_UPDATE', 'FUNDING_END']);
  });

  it('refuses an editor of another organisation, and lets an admin declare anything', async () => {
    const error = await refused(CREATE, { input: entry({ amount: '5000' }) }, tokens.editorCcco);
    expect(error.extensions.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/ne peut pas déclarer ce montant \(financeur : ADEME\) sur l’action DA-50/);
    // Nor may it correct or end the lead's line.
    const [line] = (await ok(LINES, {}, tokens.admin)).fundings.nodes;
    expect((await refused(UPDATE, { id: line.id, input: { amount: '1' } }, tokens.editorCcco)).extensions.code).toBe('FORBIDDEN');
    expect((await refused(END, { id: line.id }, tokens.editorCcco)).extensions.code).toBe('FORBIDDEN');
    // The money CCCO gives itself, on another's action, it may declare (as an import lets it).
    const own = (await ok(CREATE, { input: entry({ funder: CCCO, amount: '700', stage: 'PLANNED' }) }, tokens.editorCcco)).createFunding;
    expect(own.source).toMatchObject({ declaredBy: { siren: CCCO } });
    // An admin (no organisation): the line is the funder's own declaration.
    const admin = (await ok(CREATE, { input: entry({ funder: 'ANCT', amount: '1', action: null, stage: 'PAID' }) }, tokens.admin)).createFunding;
    expect(admin).toMatchObject({ action: null, funder: { shortName: 'ANCT' } });
    expect(admin.source.batch).toMatchObject({ kind: 'MANUAL', uploadedBy: 'équipe CRTE' });
  });

  it('answers each mutation of an operation after its own write: the second createFunding sees both lines of the action', async () => {
    await ok(
      `mutation ($input: CreateActionInput!) { createAction(input: $input) { code } }`,
      { input: { contract: CONTRACT, code: 'DA-51', title: 'Parvis de la gare de Somain', lead: DOUAISIS_AGGLO } },
      tokens.admin,
    );
    const TWO = `mutation ($a: CreateFundingInput!, $b: CreateFundingInput!) {
      a: createFunding(input: $a) { action { fundings { amount year } } }
      b: createFunding(input: $b) { action { fundings { amount year } } }
    }`;
    const data = await ok(TWO, { a: entry({ action: 'DA-51', year: 2024, amount: '10.50' }), b: entry({ action: 'DA-51', year: 2026, amount: '20.25' }) }, tokens.editorDa);
    const lines = (answer: { action: { fundings: Array<{ amount: string; year: number }> } }) => answer.action.fundings.map((line) => [line.year, cents(line.amount)]);
    expect(lines(data.a)).toEqual([[2024, 1050n]]);
    // The lines read for the first answer are forgotten after the second write (each loader of the request).
    expect(lines(data.b)).toEqual([
      [2024, 1050n],
      [2026, 2025n],
    ]);
  });

  it('refuses a bad amount, year, stage or funder, naming the field, and writes nothing', async () => {
    const garbage = await refused(CREATE, { input: entry({ amount: '12,3x' }) }, tokens.editorDa);
    expect(garbage.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(garbage.message).toBe("Montant (amount) : « 12,3x » n'est pas un montant en euros.");
    // A float is not an amount: the schema takes a decimal string.
    expect((await refused(CREATE, { input: entry({ amount: 12.3 }) }, tokens.editorDa)).message).toMatch(/amount/);
    expect((await refused(CREATE, { input: entry({ amount: '12.345' }) }, tokens.editorDa)).message).toMatch(/Montant \(amount\).*deux décimales/);
    expect((await refused(CREATE, { input: entry({ amount: '-5' }) }, tokens.editorDa)).extensions.field).toBe('amount');
    const year = await refused(CREATE, { input: entry({ year: 1800 }) }, tokens.editorDa);
    expect(year.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'year' });
    expect(year.message).toMatch(/^Année \(year\) : 1800/);
    // An unknown stage is refused by the schema itself, which names the field.
    expect((await refused(CREATE, { input: entry({ stage: 'SPENT' }) }, tokens.editorDa)).message).toMatch(/stage/);
    const funder = await refused(CREATE, { input: entry({ funder: 'Banque inconnue' }) }, tokens.editorDa);
    expect(funder.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'funder' });
    const action = await refused(CREATE, { input: entry({ action: 'ZZ-99' }) }, tokens.editorDa);
    expect(action.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'action' });
    const contract = await refused(CREATE, { input: entry({ contract: 'CRTE-NULLE-PART' }) }, tokens.editorDa);
    expect(contract.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contract' });
    const [line] = (await ok(LINES, {}, tokens.admin)).fundings.nodes.filter((l: { funder: { shortName: string } }) => l.funder.shortName === 'ADEME');
    expect((await refused(UPDATE, { id: line.id, input: { amount: 'douze' } }, tokens.editorDa)).extensions.field).toBe('amount');
    expect((await refused(UPDATE, { id: line.id, input: {} }, tokens.editorDa)).extensions.field).toBe('input');
    expect((await refused(UPDATE, { id: '999999', input: { amount: '1' } }, tokens.editorDa)).extensions.field).toBe('id');
  });

  it('corrects a file’s line: the source’s next file replaces the correction, whose undo waits for the file’s', async () => {
    const BDT_FILE = 'annexe3-banque-des-territoires-2023.xlsx';
    const BDT = readFileSync(fixturePath(BDT_FILE));
    const source = 'Banque des Territoires';
    const BDT_TOTALS = `{ fundingTotals(groupBy: [STAGE], filter: { contract: "${CONTRACT}", source: "${source}" }) { amount } }`;
    // All stages summed: not a figure the ledger shows, an invariant for the test.
    const bdt = async () => (await ok(BDT_TOTALS, {}, tokens.admin)).fundingTotals.reduce((total: bigint, group: { amount: string }) => total + cents(group.amount), 0n);
    const LINES_I6 = `{ fundings(filter: { contract: "${CONTRACT}", source: "${source}" }, first: 500) { nodes { id amount source { cell batch { id kind } } } } }`;
    const i6 = async () => (await ok(LINES_I6, {}, tokens.admin)).fundings.nodes.filter((line: { source: { cell: string } }) => line.source.cell === 'I6');

    await importFile(api.db.dataSource, { buffer: BDT, fileName: BDT_FILE, kind: ImportKind.ANNEX3, source, uploadedBy: 'test' });
    const fileTotal = await bdt();
    const [line] = await i6();
    expect(line.amount).toBe('2500000.00'); // the file's cell I6

    const corrected = (await ok(UPDATE, { id: line.id, input: { amount: '2600000' } }, tokens.admin)).updateFunding;
    expect(corrected.source.batch.kind).toBe('MANUAL');
    expect(await bdt()).toBe(fileTotal + 10000000n);

    // The source's corrected file (I6 3 000 000) replaces its lines, the manual correction with them: not counted twice.
    const reimport = await importFile(api.db.dataSource, { buffer: editWorkbook(BDT, 'Programmation 2023', { I6: 3_000_000 }), fileName: 'bdt-corrige.xlsx', kind: ImportKind.ANNEX3, source, uploadedBy: 'test' });
    expect(await bdt()).toBe(fileTotal + 50000000n);
    expect((await i6()).map((l: { amount: string }) => l.amount)).toEqual(['3000000.00']);
    const status = async (id: string | number) => (await sql<{ status: string }>('SELECT status FROM import_batch WHERE id = ?', [Number(id)]))[0].status;
    expect(await status(corrected.source.batch.id)).toBe('SUPERSEDED');

    const blocked = await refused(ROLLBACK, { id: corrected.source.batch.id }, tokens.admin);
    expect(blocked.extensions.code).toBe('CONFLICT');
    expect(blocked.message).toContain(`n° ${reimport.batchId}`);
    await ok(ROLLBACK, { id: String(reimport.batchId) }, tokens.admin);
    expect(await bdt()).toBe(fileTotal + 10000000n);
    expect(await status(corrected.source.batch.id)).toBe('APPLIED');
    await ok(ROLLBACK, { id: corrected.source.batch.id }, tokens.admin);
    expect(await bdt()).toBe(fileTotal);
    expect((await i6()).map((l: { amount: string }) => l.amount)).toEqual(['2500000.00']);
  });
});
