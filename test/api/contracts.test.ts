import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { runCrte } from '../support/cli';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

/** Etalab's EPCI list, read here on its own (not through src/seed/perimeter.ts) to count communes. */
const ETALAB_EPCIS: { code: string; nom: string; membres: { code: string }[] }[] = require('@etalab/decoupage-administratif/data/epci.json');
const communesOf = (...sirens: string[]): Set<string> => new Set(sirens.flatMap((siren) => ETALAB_EPCIS.find((epci) => epci.code === siren)!.membres.map((m) => m.code)));

const PORTE_DU_HAINAUT = '200042190';
const VALENCIENNES = '245901160';
const COEUR_D_OSTREVENT = '245901152'; // in the Douaisis perimeter (src/seed/douaisis.seed-data.ts)
const DOUAISIS_AGGLO = '200044618';
const REGION_HDF = '200053742'; // a signatory of Douaisis, also one of this contract

const CREATE = `mutation ($input: ContractInput!) { createContract(input: $input) { code name startYear endYear signedOn
  perimeter { siren name } communes { inseeCode } signatories { siren } } }`;
const UPDATE = `mutation ($code: String!, $input: ContractUpdateInput!) { updateContract(code: $code, input: $input) { code name startYear endYear
  perimeter { siren } communes { inseeCode } signatories { siren } } }`;
const DOUAISIS_VIEW = `{ contract(code: "CRTE-DOUAISIS") { name startYear endYear perimeter { id siren } communes { id inseeCode } signatories { id } partners { id }
  axes { number orientations { code } } }
  fundingTotals(groupBy: [YEAR, FUNDER, TERRITORY], filter: { contract: "CRTE-DOUAISIS" }) { amount lines year funder { name } territory { siren } } }`;
const TABLES = ['contract', 'contract_party', 'organisation', 'organisation_alias', 'axis', 'orientation', 'audit_event'] as const;

describe(`contracts created and changed on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;
  let admin: string;
  let editor: string;

  const sql = <T = Record<string, unknown>>(query: string, parameters: unknown[] = []): Promise<T[]> => db.dataSource.query(query, parameters);
  const count = async (table: string, where = '1 = 1', parameters: unknown[] = []): Promise<number> =>
    Number((await sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, parameters))[0].n);

  async function snapshot(): Promise<unknown> {
    const rows: Record<string, unknown[]> = {};
    for (const table of TABLES) rows[table] = await sql(`SELECT * FROM ${table} ORDER BY id`);
    rows.version = await sql('SELECT * FROM contract_data_version ORDER BY contract_id');
    return JSON.parse(JSON.stringify(rows));
  }

  async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, token = admin): Promise<T> {
    const { status, body } = await api.graphql<T>(query, variables, token);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data as T;
  }

  /** Refused with BAD_USER_INPUT naming `field`, the message as given, nothing written. */
  async function refused(query: string, variables: Record<string, unknown>, field: string, message: string | RegExp, token = admin) {
    const before = await snapshot();
    const { body } = await api.graphql(query, variables, token);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    if (typeof message === 'string') expect(body.errors![0].message).toContain(message);
    else expect(body.errors![0].message).toMatch(message);
    expect(await snapshot()).toEqual(before);
    return body.errors![0];
  }

  const hainaut = (fields: Record<string, unknown> = {}) => ({
    code: 'CRTE-HAINAUT',
    name: 'CRTE de la Porte du Hainaut et de Valenciennes Métropole',
    fromYear: 2021,
    toYear: 2026,
    epcis: [PORTE_DU_HAINAUT, VALENCIENNES],
    ...fields,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    // Fundings in the Douaisis contract, whose totals the other contract must leave alone.
    const imported = await runCrte(['import', fixturePath('annexe3-ademe-2021-2023.csv'), '--kind', 'annex3', '--source', 'ADEME', '--json'], db.url);
    expect(imported.json.status).toBe('APPLIED');
    admin = (await createToken(db.dataSource, { name: 'équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
    const douaisisAgglo = (await sql<{ id: number }>('SELECT id FROM organisation WHERE siren = ?', [DOUAISIS_AGGLO]))[0];
    editor = (await createToken(db.dataSource, { name: 'DA', role: Role.EDITOR, organisationId: Number(douaisisAgglo.id) })).secret;
    api = await startTestServer({ db });
  }, 60000);
  afterAll(async () => api?.close());

  it('refuses a non-admin, writing nothing', async () => {
    const before = await snapshot();
    const { body } = await api.graphql(CREATE, { input: hainaut() }, editor);
    expect(body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(body.errors![0].message).toContain('Réservé aux administrateurs');
    const anonymous = await api.graphql(UPDATE, { code: 'CRTE-DOUAISIS', input: { name: 'X' } });
    expect(anonymous.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a bad SIREN, a bad period, a duplicate code, each named in French, writing nothing', async () => {
    await refused(CREATE, { input: hainaut({ epcis: [PORTE_DU_HAINAUT, '123456789'] }) }, 'epcis', 'Périmètre (epcis) : SIREN 123456789 : aucun EPCI de ce numéro dans les données Etalab.');
    await refused(CREATE, { input: hainaut({ epcis: ['12AB'] }) }, 'epcis', '« 12AB » n’est pas un SIREN (9 chiffres)');
    await refused(CREATE, { input: hainaut({ epcis: [] }) }, 'epcis', 'indiquez au moins un EPCI');
    await refused(CREATE, { input: hainaut({ fromYear: 2026, toYear: 2021 }) }, 'toYear', "La période doit aller d'une année à une année égale ou postérieure");
    await refused(CREATE, { input: hainaut({ code: 'CRTE-DOUAISIS' }) }, 'code', 'Le code du contrat (code) « CRTE-DOUAISIS » existe déjà.');
    await refused(CREATE, { input: hainaut({ code: 'CRTE HAINAUT' }) }, 'code', 'ne peut contenir que');
    await refused(CREATE, { input: hainaut({ signatories: ['999999999'] }) }, 'signatories', 'Signataires (signatories) : organisation inconnue « 999999999 »');
    // Every mistake of one input is listed.
    const error = await refused(CREATE, { input: hainaut({ code: 'CRTE-DOUAISIS', toYear: 2019, epcis: ['000000000'] }) }, 'code', /existe déjà/);
    expect(error.extensions.fields.map((f: { field: string }) => f.field)).toEqual(['code', 'toYear', 'epcis']);
    await refused(UPDATE, { code: 'CRTE-DOUAISIS', input: { toYear: 2020 } }, 'toYear', "La période doit aller d'une année à une année égale ou postérieure");
    await refused(UPDATE, { code: 'CRTE-DOUAISIS', input: { epcis: [DOUAISIS_AGGLO, '200000000'] } }, 'epcis', 'SIREN 200000000 : aucun EPCI');
    await refused(UPDATE, { code: 'CRTE-NULLE-PART', input: { name: 'X' } }, 'code', 'Contrat (code) « CRTE-NULLE-PART » inconnu.');
  });

  it('creates a contract on two EPCIs with their Etalab communes; shared organisations stay one row; Douaisis unchanged', async () => {
    const douaisisBefore = await ok(DOUAISIS_VIEW);
    expect(douaisisBefore.fundingTotals.length).toBeGreaterThan(0);
    const expected = communesOf(PORTE_DU_HAINAUT, VALENCIENNES);
    expect(expected.size).toBe(82); // 47 + 35, counted by hand from epci.json 6.0.0
    const organisationsBefore = await count('organisation');

    const { createContract: created } = await ok(CREATE, { input: hainaut({ signedOn: '2022-03-15', signatories: [REGION_HDF, 'Département du Nord'] }) });
    expect(created).toMatchObject({ code: 'CRTE-HAINAUT', startYear: 2021, endYear: 2026, signedOn: '2022-03-15' });
    expect(created.perimeter.map((e: { siren: string }) => e.siren).sort()).toEqual([PORTE_DU_HAINAUT, VALENCIENNES]);
    expect(new Set(created.communes.map((c: { inseeCode: string }) => c.inseeCode))).toEqual(expected);
    expect(created.communes).toHaveLength(82);
    expect(created.signatories.map((o: { siren: string }) => o.siren).sort()).toEqual(['200053742', '225900018']);
    expect(await count('organisation')).toBe(organisationsBefore + 82 + 2);
    expect(await count('audit_event', "action = 'CONTRACT_CREATE'")).toBe(1);

    // Coeur d'Ostrevent (in Douaisis's perimeter) added: its row and its communes' rows are the same ones.
    const ostrevent = communesOf(COEUR_D_OSTREVENT);
    const { updateContract: updated } = await ok(UPDATE, { code: 'CRTE-HAINAUT', input: { epcis: [PORTE_DU_HAINAUT, VALENCIENNES, COEUR_D_OSTREVENT], name: 'CRTE élargi' } });
    expect(updated.name).toBe('CRTE élargi');
    expect(updated.communes).toHaveLength(82 + ostrevent.size);
    expect(await count('organisation')).toBe(organisationsBefore + 82 + 2);
    expect(await count('organisation', 'siren = ?', [COEUR_D_OSTREVENT])).toBe(1);
    const shared = (await sql<{ id: number }>('SELECT id FROM organisation WHERE siren = ?', [COEUR_D_OSTREVENT]))[0].id;
    expect(await count('contract_party', "organisation_id = ? AND role = 'PERIMETER'", [shared])).toBe(2);

    // And removed again: the perimeter is the one given; the organisation rows stay.
    const { updateContract: shrunk } = await ok(UPDATE, { code: 'CRTE-HAINAUT', input: { epcis: [PORTE_DU_HAINAUT, VALENCIENNES] } });
    expect(shrunk.communes).toHaveLength(82);
    expect(await count('contract_party', "organisation_id = ? AND role = 'PERIMETER'", [shared])).toBe(1);
    expect(await count('organisation')).toBe(organisationsBefore + 82 + 2);

    expect(await ok(DOUAISIS_VIEW)).toEqual(douaisisBefore);
    await refused(CREATE, { input: hainaut() }, 'code', 'Le code du contrat (code) « CRTE-HAINAUT » existe déjà.');
  });

  it('crte contract create: prints what it created; usage errors exit 2, refused input exits 1, writing nothing', async () => {
    const usage = await runCrte(['contract', 'create', '--code', 'CRTE-X', '--name', 'X', '--from', '2021', '--to', '2026'], db.url);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('contract create : --epci est obligatoire.');
    const year = await runCrte(['contract', 'create', '--code', 'CRTE-X', '--name', 'X', '--epci', VALENCIENNES, '--from', 'deux', '--to', '2026'], db.url);
    expect(year.code).toBe(2);
    expect(year.stderr).toContain('--from « deux » n’est pas une année');
    const unknownOption = await runCrte(['contract', 'create', '--cod', 'X'], db.url);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('option inconnue « --cod »');

    const before = await snapshot();
    const refusedRun = await runCrte(['contract', 'create', '--code', 'CRTE-X', '--name', 'X', '--epci', '123456789', '--from', '2026', '--to', '2021'], db.url);
    expect(refusedRun.code).toBe(1);
    expect(refusedRun.stderr).toContain('SIREN 123456789 : aucun EPCI de ce numéro dans les données Etalab.');
    expect(refusedRun.stderr).toContain("La période doit aller d'une année à une année égale ou postérieure");
    expect(await snapshot()).toEqual(before);

    // Douaisis Agglo's perimeter: every organisation already known.
    const organisations = await count('organisation');
    const run = await runCrte(['contract', 'create', '--code', 'CRTE-DA-BIS', '--name', 'Douaisis bis', '--epci', DOUAISIS_AGGLO, '--from', '2021', '--to', '2026'], db.url);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const daCommunes = communesOf(DOUAISIS_AGGLO).size;
    expect(run.stdout).toContain('Contrat CRTE-DA-BIS créé : « Douaisis bis », 2021–2026.');
    expect(run.stdout).toContain(`Périmètre : 1 EPCI, ${daCommunes} communes.`);
    expect(run.stdout).toContain(`CA Douaisis Agglo (SIREN ${DOUAISIS_AGGLO}) : ${daCommunes} communes`);
    expect(run.stdout).toContain(`Organisations : 0 créée, ${daCommunes + 1} déjà connues`);
    expect(await count('organisation')).toBe(organisations);
    expect(await count('audit_event', "action = 'CONTRACT_CREATE'")).toBe(2);
  });

  it('structure at any depth and numbering: axes and orientations created, returned by the nested query', async () => {
    const AXIS = `mutation ($code: String!, $title: String!) { createAxis(contract: "CRTE-HAINAUT", code: $code, title: $title) { code number title } }`;
    const ORIENTATION = `mutation ($code: String!, $axis: String, $parent: String) {
      createOrientation(contract: "CRTE-HAINAUT", code: $code, title: "Orientation", axisCode: $axis, parentCode: $parent) { code axis { code } parent { code } } }`;
    expect((await ok(AXIS, { code: 'A', title: 'Transition écologique' })).createAxis).toEqual({ code: 'A', number: 1, title: 'Transition écologique' });
    expect((await ok(AXIS, { code: '3', title: 'Cohésion' })).createAxis).toMatchObject({ code: '3', number: 2 });
    expect((await ok(ORIENTATION, { code: 'OS-2', axis: 'A' })).createOrientation).toEqual({ code: 'OS-2', axis: { code: 'A' }, parent: null });
    await ok(ORIENTATION, { code: '3.1', axis: '3' });
    expect((await ok(ORIENTATION, { code: '3.1.2', parent: '3.1' })).createOrientation).toEqual({ code: '3.1.2', axis: { code: '3' }, parent: { code: '3.1' } });
    await ok(ORIENTATION, { code: '3.1.2.a', parent: '3.1.2', axis: '3' });
    // The same codes in another contract are other rows; Douaisis's axes keep their numbers as codes.
    await ok(`mutation { createOrientation(contract: "CRTE-DOUAISIS", code: "3.1.2", title: "Sous-orientation", parentCode: "3.1") { code } }`);

    await refused(AXIS, { code: 'A', title: 'Encore' }, 'code', 'Le code de l’axe (code) « A » est déjà utilisé dans le contrat CRTE-HAINAUT.');
    await refused(ORIENTATION, { code: '3.1.2', parent: '3.1' }, 'code', 'Le code de l’orientation (code) « 3.1.2 » est déjà utilisé dans le contrat CRTE-HAINAUT.');
    await refused(ORIENTATION, { code: '3.9', parent: '3.8' }, 'parentCode', 'L’orientation parente (parentCode) « 3.8 » n’existe pas dans le contrat CRTE-HAINAUT.');
    await refused(ORIENTATION, { code: '3.9', axis: 'Z' }, 'axisCode', 'L’axe (axisCode) « Z » n’existe pas');
    await refused(ORIENTATION, { code: '3.9', axis: 'A', parent: '3.1' }, 'axisCode', 'n’est pas celui de l’orientation parente « 3.1 » (axe « 3 »)');
    await refused(ORIENTATION, { code: '3.9' }, 'axisCode', 'Indiquez l’axe (axisCode)');
    await refused(ORIENTATION, { code: '3.1.2.3.4.5.6', parent: '3.1.2' }, 'code', 'dépasse 10 caractères');
    const before = await snapshot();
    const { body } = await api.graphql(AXIS, { code: 'B', title: 'Axe' }, editor);
    expect(body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);

    const { contract } = await ok(`{ contract(code: "CRTE-HAINAUT") { axes { code orientations { code children { code parent { code } children { code children { code } } } } } } }`);
    expect(contract.axes).toEqual([
      { code: 'A', orientations: [{ code: 'OS-2', children: [] }] },
      {
        code: '3',
        orientations: [{ code: '3.1', children: [{ code: '3.1.2', parent: { code: '3.1' }, children: [{ code: '3.1.2.a', children: [] }] }] }],
      },
    ]);
    const douaisis = await ok(`{ contract(code: "CRTE-DOUAISIS") { axes { code number orientations { code children { code } } } } }`);
    expect(douaisis.contract.axes.map((a: { code: string; number: number }) => [a.code, a.number])).toEqual([['1', 1], ['2', 2], ['3', 3], ['4', 4]]);
    expect(douaisis.contract.axes[2].orientations.find((o: { code: string }) => o.code === '3.1').children).toEqual([{ code: '3.1.2' }]);
    expect(await count('audit_event', "action IN ('AXIS_CREATE', 'ORIENTATION_CREATE')")).toBe(7);
  });

  it('crte seed refuses an unknown option (exit 2, in French)', async () => {
    const result = await runCrte(['seed', '--file', 'x.json'], db.url);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('seed : option inconnue « --file »');
  });
});
