import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';
const DOUAISIS_AGGLO = '200044618';
const CCCO = '245901152';
const TABLES = ['action', 'action_commune', 'indicator', 'indicator_value'] as const;

const CREATE_ACTION = `mutation ($input: CreateActionInput!) { createAction(input: $input) { id code title status totalCost costBase startDate endDate
  orientation { code } lead { siren } communes { inseeCode } } }`;
const UPDATE_ACTION = `mutation ($code: String!, $input: UpdateActionInput!, $contract: String! = "${CONTRACT}") {
  updateAction(contract: $contract, code: $code, input: $input) { code title status totalCost startDate endDate description orientation { code } lead { siren } communes { inseeCode } } }`;
const CREATE_INDICATOR = `mutation ($input: CreateIndicatorInput!) { createIndicator(input: $input) { code name unit baseline target targetYear action { code } orientation { code } } }`;
const UPDATE_INDICATOR = `mutation ($code: String!, $input: UpdateIndicatorInput!) { updateIndicator(contract: "${CONTRACT}", code: $code, input: $input) {
  code name unit baseline target targetYear action { code } orientation { code } } }`;
const SET_VALUE = `mutation ($input: SetIndicatorValueInput!) { setIndicatorValue(input: $input) { code values { year value stage } } }`;
const DELETE_VALUE = `mutation ($input: DeleteIndicatorValueInput!) { deleteIndicatorValue(input: $input) }`;
const READ_ACTION = `query ($code: String!) { action(contract: "${CONTRACT}", code: $code) {
  code title description status totalCost costBase startDate endDate createdAt updatedAt
  orientation { code } lead { siren } communes { inseeCode }
  indicators { code name unit baseline target targetYear values { year value stage } latestActual { year value } } } }`;

describe(`CRTE team mutations on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let admin: string;

  const sql = <T = Record<string, unknown>>(query: string, parameters: unknown[] = []): Promise<T[]> => api.db.dataSource.query(query, parameters);

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of TABLES) result[table] = Number((await sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    return result;
  }

  /** Every column of every row the mutations touch: a refused mutation must leave all of it as it was. */
  async function snapshot(): Promise<unknown> {
    const rows: Record<string, unknown[]> = {};
    for (const table of TABLES) rows[table] = await sql(`SELECT * FROM ${table} ORDER BY 1, 2`);
    return JSON.parse(JSON.stringify(rows));
  }

  async function ok<T = any>(query: string, variables: Record<string, unknown>, token = admin): Promise<T> {
    const { status, body } = await api.graphql<T>(query, variables, token);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data as T;
  }

  /** The mutation is refused with BAD_USER_INPUT naming `field` (first), the others listed, nothing written. */
  async function rejected(query: string, variables: Record<string, unknown>, field: string, message?: RegExp, otherFields: string[] = []) {
    const before = await snapshot();
    const beforeCounts = await counts();
    const { body } = await api.graphql(query, variables, admin);
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toContain(`(${field})`);
    if (message) expect(error.message).toMatch(message);
    expect(error.extensions.fields.map((f: { field: string }) => f.field)).toEqual([field, ...otherFields]);
    for (const f of error.extensions.fields) expect(f.message).toContain(`(${f.field})`);
    expect(await counts()).toEqual(beforeCounts);
    expect(await snapshot()).toEqual(before);
    return error;
  }

  const actionInput = (fields: Record<string, unknown> = {}) => ({ contract: CONTRACT, code: 'DA-50', title: 'Piste cyclable Douai – Sin-le-Noble', lead: DOUAISIS_AGGLO, ...fields });

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        admin = (await createToken(dataSource, { name: 'équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
      },
    });
  });
  afterAll(async () => api?.close());

  describe('actions', () => {
    it('creates an action from the codes users know, and reads it back', async () => {
      const { createAction } = await ok(CREATE_ACTION, {
        input: actionInput({
          code: 'DA-10',
          title: '  Pôle d’échanges multimodal de la gare de Douai ',
          description: 'Phase 1',
          orientation: '1.2',
          communes: ['59178', '59569'],
          status: 'UNDERWAY',
          totalCost: '52000000.5',
          costBase: 'HT',
          startDate: '2022-01-01',
          endDate: '2025-12-31',
        }),
      });
      expect(createAction).toMatchObject({
        code: 'DA-10',
        title: 'Pôle d’échanges multimodal de la gare de Douai',
        status: 'UNDERWAY',
        totalCost: '52000000.50',
        costBase: 'HT',
        startDate: '2022-01-01',
        endDate: '2025-12-31',
        orientation: { code: '1.2' },
        lead: { siren: DOUAISIS_AGGLO },
      });
      expect(createAction.communes.map((c: { inseeCode: string }) => c.inseeCode).sort()).toEqual(['59178', '59569']);

      const { action } = await ok(READ_ACTION, { code: 'DA-10' });
      expect(action).toMatchObject({ description: 'Phase 1', totalCost: '52000000.50', indicators: [] });
      expect(action.createdAt).toBe(action.updatedAt);
      const [row] = await sql<{ normalised_title: string }>(`SELECT normalised_title FROM action WHERE code = ?`, ['DA-10']);
      expect(row.normalised_title).toBe('pole d echanges multimodal de la gare de douai');
    });

    it('defaults the status to PLANNED and accepts a lead by name, an action still to classify', async () => {
      const { createAction } = await ok(CREATE_ACTION, { input: { contract: CONTRACT, code: 'X-1', title: 'Projet à classer', lead: 'Douai' } });
      expect(createAction).toMatchObject({ status: 'PLANNED', orientation: null, lead: { siren: '215901786' }, totalCost: null, communes: [] });
    });

    it('updates only the fields given, recomputes the normalised title and sets updatedAt', async () => {
      await sql(`UPDATE action SET updated_at = ? WHERE code = ?`, ['2020-01-01 00:00:00', 'DA-10']);
      const before = Date.now() - 2000;
      const { updateAction } = await ok(UPDATE_ACTION, {
        code: 'DA-10',
        input: { title: 'PEM de la gare de Douai', totalCost: '51000000', status: 'DONE', communes: ['59178'], description: null, endDate: '2026-06-30' },
      });
      expect(updateAction).toMatchObject({
        code: 'DA-10',
        title: 'PEM de la gare de Douai',
        totalCost: '51000000.00',
        status: 'DONE',
        description: null,
        startDate: '2022-01-01',
        endDate: '2026-06-30',
        orientation: { code: '1.2' },
        lead: { siren: DOUAISIS_AGGLO },
        communes: [{ inseeCode: '59178' }],
      });
      const { action } = await ok(READ_ACTION, { code: 'DA-10' });
      expect(new Date(action.updatedAt).getTime()).toBeGreaterThanOrEqual(before);
      expect(new Date(action.createdAt).getTime()).toBeLessThan(new Date(action.updatedAt).getTime() + 1);
      const [row] = await sql<{ normalised_title: string }>(`SELECT normalised_title FROM action WHERE code = ?`, ['DA-10']);
      expect(row.normalised_title).toBe('pem de la gare de douai');
    });

    it('clears optional fields with null, classifies an action « à classer » and renames the code', async () => {
      await ok(CREATE_ACTION, { input: actionInput({ code: 'DA-11', orientation: null, totalCost: '10.00', communes: ['59178'], startDate: '2023-01-01' }) });
      const { updateAction } = await ok(UPDATE_ACTION, { code: 'DA-11', input: { code: 'DA-12', orientation: null, totalCost: null, communes: [], startDate: null } });
      expect(updateAction).toMatchObject({ code: 'DA-12', orientation: null, totalCost: null, communes: [], startDate: null });
      expect((await ok(READ_ACTION, { code: 'DA-11' })).action).toBeNull();
      await ok(UPDATE_ACTION, { code: 'DA-12', input: { orientation: '2.1', lead: CCCO } });
      expect((await ok(READ_ACTION, { code: 'DA-12' })).action).toMatchObject({ orientation: { code: '2.1' }, lead: { siren: CCCO } });
    });

    describe('refuses bad input, naming the field, and writes nothing', () => {
      it.each<[string, Record<string, unknown>, string, RegExp]>([
        ['an unknown contract', { contract: 'CRTE-NULLE-PART' }, 'contract', /« CRTE-NULLE-PART » inconnu/],
        ['an unknown orientation', { orientation: '9.9' }, 'orientation', /« 9.9 » inconnue dans le contrat CRTE-DOUAISIS/],
        ['an unknown lead', { lead: 'Mairie de Nulle-Part' }, 'lead', /organisation inconnue « Mairie de Nulle-Part »/],
        ['an unknown lead SIREN', { lead: '123456789' }, 'lead', /organisation inconnue/],
        ['an unknown commune', { communes: ['59178', '75056'] }, 'communes', /INSEE inconnu « 75056 »/],
        ['a malformed commune code', { communes: ['Douai'] }, 'communes', /« Douai » n'est pas un code INSEE/],
        ['a negative total cost', { totalCost: '-100.00' }, 'totalCost', /négatif/],
        ['a total cost that is not a decimal', { totalCost: '1 000 €' }, 'totalCost', /n'est pas un montant décimal/],
        ['a total cost with a decimal comma', { totalCost: '1000,50' }, 'totalCost', /n'est pas un montant décimal/],
        ['a total cost with three decimals', { totalCost: '1000.505' }, 'totalCost', /plus de deux décimales/],
        ['a date that does not exist', { startDate: '2023-02-30' }, 'startDate', /n'est pas une date valide/],
        ['a French-style date', { endDate: '31/12/2025' }, 'endDate', /AAAA-MM-JJ/],
        ['an implausible year', { startDate: '0202-01-01' }, 'startDate', /année entre 1900 et 2100/],
        ['an end before the start', { startDate: '2024-06-01', endDate: '2024-05-31' }, 'endDate', /précède la date de début/],
        ['a code already used in the contract', { code: 'DA-10' }, 'code', /« DA-10 » est déjà utilisé dans le contrat CRTE-DOUAISIS/],
        ['an empty code', { code: '  ' }, 'code', /obligatoire/],
        ['an empty title', { title: '' }, 'title', /obligatoire/],
        ['a code longer than 40 characters', { code: 'D'.repeat(41) }, 'code', /dépasse 40 caractères/],
        ['a title longer than 500 characters', { title: 't'.repeat(501) }, 'title', /dépasse 500 caractères/],
      ])('on create: %s', async (_label, fields, field, message) => {
        await rejected(CREATE_ACTION, { input: actionInput(fields) }, field, message);
      });

      it('reports every error of one input together', async () => {
        const error = await rejected(
          CREATE_ACTION,
          { input: actionInput({ code: '', title: '', orientation: '7.7', lead: 'Personne', communes: ['00000'], totalCost: '-1', startDate: '2024-01-01', endDate: '2023-01-01' }) },
          'code',
          /et 6 autres erreurs/,
          ['title', 'totalCost', 'endDate', 'orientation', 'lead', 'communes'],
        );
        expect(error.extensions.fields).toHaveLength(7);
      });

      it('on create: a float total cost is refused by the schema', async () => {
        const before = await counts();
        const { body } = await api.graphql(CREATE_ACTION, { input: actionInput({ totalCost: 1000.5 }) }, admin);
        expect(body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(body.errors?.[0].message).toMatch(/totalCost/);
        expect(await counts()).toEqual(before);
      });

      it.each<[string, Record<string, unknown>, string, RegExp]>([
        ['a code already used', { code: 'X-1' }, 'code', /« X-1 » est déjà utilisé/],
        ['an empty title', { title: ' ' }, 'title', /obligatoire/],
        ['a null status', { status: null }, 'status', /ne peut pas être effacé/],
        ['an end before the kept start', { endDate: '2021-12-31' }, 'endDate', /2021-12-31 précède la date de début \(startDate\) 2022-01-01/],
        ['an unknown orientation', { orientation: '1.9' }, 'orientation', /inconnue/],
        // A classified action moves by an amendment, dated (amendContract): docs/contracts.md.
        ['a move to another orientation', { orientation: '2.1' }, 'orientation', /L’action DA-10 est classée dans l’orientation 1\.2 : la changer d’orientation \(orientation\) .* avenant \(amendContract, moveActions\)/],
        ['taking it out of its orientation', { orientation: null }, 'orientation', /L’action DA-10 est classée dans l’orientation 1\.2/],
        ['an unknown commune', { communes: ['99999'] }, 'communes', /inconnu/],
        ['a total cost with three decimals', { totalCost: '0.001' }, 'totalCost', /plus de deux décimales/],
      ])('on update: %s', async (_label, input, field, message) => {
        await rejected(UPDATE_ACTION, { code: 'DA-10', input }, field, message);
      });

      it('on update: an unknown contract or action', async () => {
        await rejected(UPDATE_ACTION, { code: 'DA-10', contract: 'CRTE-AUTRE', input: { title: 'x' } }, 'contract', /inconnu/);
        await rejected(UPDATE_ACTION, { code: 'ZZ-99', input: { title: 'x' } }, 'code', /Aucune action de code \(code\) « ZZ-99 »/);
      });
    });
  });

  describe('indicators and their values', () => {
    const indicatorInput = (fields: Record<string, unknown> = {}) => ({ contract: CONTRACT, code: 'IND-50', name: 'Voyageurs par jour', unit: 'voyageurs', action: 'DA-10', ...fields });

    it('creates an action indicator, sets and replaces its values, and reads them through the action', async () => {
      const { createIndicator } = await ok(CREATE_INDICATOR, {
        input: indicatorInput({ code: 'IND-PEM', baseline: '12000', target: '15000.5', targetYear: 2026 }),
      });
      expect(createIndicator).toEqual({
        code: 'IND-PEM',
        name: 'Voyageurs par jour',
        unit: 'voyageurs',
        baseline: '12000',
        target: '15000.5',
        targetYear: 2026,
        action: { code: 'DA-10' },
        orientation: null,
      });
      const set = (year: number, stage: string, value: string) => ok(SET_VALUE, { input: { contract: CONTRACT, indicator: 'IND-PEM', year, stage, value } });
      await set(2023, 'ACTUAL', '12500');
      await set(2024, 'TARGET', '13000');
      await set(2024, 'ACTUAL', '12800.25');
      // Same (indicator, year, stage): replaced, not duplicated.
      const { setIndicatorValue } = await set(2023, 'ACTUAL', '12600.1');
      expect(setIndicatorValue.values).toEqual([
        { year: 2023, value: '12600.1', stage: 'ACTUAL' },
        { year: 2024, value: '12800.25', stage: 'ACTUAL' },
        { year: 2024, value: '13000', stage: 'TARGET' },
      ]);
      expect(await sql(`SELECT COUNT(*) AS n FROM indicator_value`).then((rows: any[]) => Number(rows[0].n))).toBe(3);

      const { action } = await ok(READ_ACTION, { code: 'DA-10' });
      expect(action.indicators).toEqual([
        {
          code: 'IND-PEM',
          name: 'Voyageurs par jour',
          unit: 'voyageurs',
          baseline: '12000',
          target: '15000.5',
          targetYear: 2026,
          values: setIndicatorValue.values,
          latestActual: { year: 2024, value: '12800.25' },
        },
      ]);
    });

    it('updates an indicator and deletes a value', async () => {
      const { updateIndicator } = await ok(UPDATE_INDICATOR, { code: 'IND-PEM', input: { name: 'Fréquentation du PEM', target: '16000', targetYear: 2027, baseline: null } });
      expect(updateIndicator).toMatchObject({ code: 'IND-PEM', name: 'Fréquentation du PEM', target: '16000', targetYear: 2027, baseline: null, action: { code: 'DA-10' } });
      const key = { contract: CONTRACT, indicator: 'IND-PEM', year: 2024, stage: 'TARGET' };
      expect((await ok(DELETE_VALUE, { input: key })).deleteIndicatorValue).toBe(true);
      expect((await ok(DELETE_VALUE, { input: key })).deleteIndicatorValue).toBe(false);
      const { action } = await ok(READ_ACTION, { code: 'DA-10' });
      expect(action.indicators[0].values.map((v: { year: number; stage: string }) => `${v.year}/${v.stage}`)).toEqual(['2023/ACTUAL', '2024/ACTUAL']);
    });

    it('creates an orientation indicator and moves an indicator between action and orientation', async () => {
      const { createIndicator } = await ok(CREATE_INDICATOR, { input: indicatorInput({ code: 'IND-O12', action: null, orientation: '1.2', unit: '%' }) });
      expect(createIndicator).toMatchObject({ action: null, orientation: { code: '1.2' } });
      const moved = await ok(UPDATE_INDICATOR, { code: 'IND-O12', input: { action: 'DA-12' } });
      expect(moved.updateIndicator).toMatchObject({ action: { code: 'DA-12' }, orientation: null });
      const back = await ok(UPDATE_INDICATOR, { code: 'IND-O12', input: { orientation: '1.3', code: 'IND-O13' } });
      expect(back.updateIndicator).toMatchObject({ code: 'IND-O13', action: null, orientation: { code: '1.3' } });
      const [row] = await sql<{ action_id: unknown; orientation_id: unknown }>(`SELECT action_id, orientation_id FROM indicator WHERE code = ?`, ['IND-O13']);
      expect(row.action_id).toBeNull();
      expect(row.orientation_id).not.toBeNull();
    });

    describe('refuses bad input, naming the field, and writes nothing', () => {
      it.each<[string, Record<string, unknown>, string, RegExp]>([
        ['an unknown contract', { contract: 'CRTE-X' }, 'contract', /inconnu/],
        ['an unknown action', { action: 'NOPE-1' }, 'action', /« NOPE-1 » inconnue/],
        ['an unknown orientation', { action: null, orientation: '5.1' }, 'orientation', /« 5.1 » inconnue/],
        ['neither action nor orientation', { action: null }, 'action', /Indiquez l’action/],
        ['both action and orientation', { orientation: '1.2' }, 'orientation', /pas les deux/],
        ['a code already used', { code: 'IND-PEM' }, 'code', /déjà utilisé/],
        ['an empty code', { code: '' }, 'code', /obligatoire/],
        ['a code too long', { code: 'I'.repeat(41) }, 'code', /dépasse 40 caractères/],
        ['an empty name', { name: ' ' }, 'name', /obligatoire/],
        ['an implausible target year', { targetYear: 2200 }, 'targetYear', /2200 n'est pas une année plausible/],
        ['a target year too early', { targetYear: 26 }, 'targetYear', /entre 1900 et 2100/],
        ['a target with five decimals', { target: '1.00001' }, 'target', /plus de 4 décimales/],
        ['a baseline that is not a number', { baseline: 'N/A' }, 'baseline', /n'est pas un nombre décimal/],
      ])('on create: %s', async (_label, fields, field, message) => {
        await rejected(CREATE_INDICATOR, { input: indicatorInput(fields) }, field, message);
      });

      it.each<[string, Record<string, unknown>, string, RegExp]>([
        ['a code already used', { code: 'IND-O13' }, 'code', /déjà utilisé/],
        ['an implausible target year', { targetYear: 1899 }, 'targetYear', /année plausible/],
        ['detaching from its action', { action: null }, 'action', /doit rester rattaché/],
        ['a target with a comma', { target: '12,5' }, 'target', /n'est pas un nombre décimal/],
      ])('on update: %s', async (_label, input, field, message) => {
        await rejected(UPDATE_INDICATOR, { code: 'IND-PEM', input }, field, message);
      });

      it.each<[string, Record<string, unknown>, string, RegExp, string[]]>([
        ['an implausible year', { year: 1850 }, 'year', /1850 n'est pas une année plausible/, []],
        ['a year far ahead', { year: 2101 }, 'year', /année plausible/, []],
        ['a value that is not a number', { value: 'douze' }, 'value', /n'est pas un nombre décimal/, []],
        ['an empty value', { value: ' ' }, 'value', /obligatoire/, []],
        ['an unknown indicator', { indicator: 'IND-NOPE' }, 'indicator', /« IND-NOPE » inconnu/, []],
        ['an unknown contract', { contract: 'CRTE-X' }, 'contract', /inconnu/, []],
        ['several mistakes at once', { year: 3000, value: '1.123456' }, 'year', /et 1 autre erreur/, ['value']],
      ])('setIndicatorValue: %s', async (_label, fields, field, message, others) => {
        await rejected(SET_VALUE, { input: { contract: CONTRACT, indicator: 'IND-PEM', year: 2025, stage: 'ACTUAL', value: '1', ...fields } }, field, message, others);
      });
    });
  });
});
