import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { formatCents } from '../../src/kernel/money';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { importFile } from '../../src/import-batch/import-apply.service';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { parseCsv } from '../support/csv';

const BDT = 'annexe3-banque-des-territoires-2023.xlsx';

const SAVE = `mutation ($name: String!, $query: String!, $variables: String) {
  saveReport(name: $name, query: $query, variables: $variables) { id name query variables urls { csv xlsx json } createdAt updatedAt } }`;
const DELETE = `mutation ($name: String!) { deleteReport(name: $name) }`;

/** The contract's tree down to its funding lines: the report a BI tool refreshes. */
const TREE = `query ($contract: String!) {
  contract(code: $contract) {
    code
    axes { number orientations { code actions { code title fundings { amount year stage funder { name } } } } }
  }
}`;
const FUNDINGS = `query ($funder: String, $year: Int) {
  fundings(filter: { contract: "CRTE-DOUAISIS", funder: $funder, yearFrom: $year, yearTo: $year }, first: 500) {
    totalCount nodes { year amount action { code } }
  }
}`;

const P = 'contract.axes.orientations.actions';
const AMOUNT = `${P}.fundings.amount`;

function csvObjects(text: string, separator = ','): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text, separator);
  return rows.map((cells) => Object.fromEntries(header.map((key, i) => [key, cells[i]])));
}

const sumCents = (amounts: string[]) => formatCents(amounts.reduce((sum, amount) => sum + BigInt(amount.replace(/[.,]/, '')), 0n));

describe(`saved reports on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let admin: string;
  /** An editor of Banque des Territoires, one of ADEME, one without an organisation. */
  let editor: string;
  let editorAdeme: string;
  let ademeName: string;
  let editorWithout: string;
  let reader: string;

  async function get(path: string, token?: string) {
    const response = await fetch(new URL(path, api.server.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return response;
  }

  async function save(name: string, query: string, variables?: Record<string, unknown> | string, token = admin) {
    const { body } = await api.graphql(SAVE, { name, query, variables: typeof variables === 'object' ? JSON.stringify(variables) : variables }, token);
    return body as any;
  }

  async function saved(name: string, query: string, variables?: Record<string, unknown>, token = admin) {
    const body = await save(name, query, variables, token);
    expect(body.errors).toBeUndefined();
    return body.data.saveReport;
  }

  /** Refused at save with BAD_USER_INPUT on `field`, and nothing stored. */
  async function refused(name: string, query: string, variables: Record<string, unknown> | string | undefined, field: string, message: RegExp) {
    const before = await api.db.dataSource.query('SELECT COUNT(*) AS n FROM saved_report');
    const body = await save(name, query, variables);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(body.errors[0].message).toMatch(message);
    expect(await api.db.dataSource.query('SELECT COUNT(*) AS n FROM saved_report')).toEqual(before);
    return body.errors[0];
  }

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        const result = await importFile(dataSource, {
          buffer: readFileSync(fixturePath(BDT)),
          fileName: BDT,
          kind: ImportKind.ANNEX3,
          source: 'Banque des Territoires',
          contract: 'CRTE-DOUAISIS',
        });
        expect(result).toMatchObject({ status: 'APPLIED', total: '20100000.00' });
        admin = (await createToken(dataSource, { name: 'équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
        const organisations = dataSource.getRepository(Organisation);
        editor = (await createToken(dataSource, { name: 'Service finances', role: Role.EDITOR, organisationId: (await organisations.findOneByOrFail({ name: 'Banque des Territoires' })).id })).secret;
        const ademe = await organisations.findOneByOrFail({ shortName: 'ADEME' });
        ademeName = ademe.name;
        editorAdeme = (await createToken(dataSource, { name: 'ADEME Hauts-de-France', role: Role.EDITOR, organisationId: ademe.id })).secret;
        editorWithout = (await createToken(dataSource, { name: 'Stagiaire', role: Role.EDITOR, organisationId: null })).secret;
        reader = (await createToken(dataSource, { name: 'Power BI', role: Role.READER, organisationId: null })).secret;
      },
    });
  });
  afterAll(async () => api?.close());

  describe('a nested report', () => {
    beforeAll(async () => {
      const report = await saved('arbre-financements', TREE, { contract: 'CRTE-DOUAISIS' });
      expect(report).toMatchObject({
        name: 'arbre-financements',
        variables: '{"contract":"CRTE-DOUAISIS"}',
        urls: { csv: '/api/reports/arbre-financements.csv', xlsx: '/api/reports/arbre-financements.xlsx', json: '/api/reports/arbre-financements.json' },
      });
    });

    it('comes out as CSV with one row per funding line, parents repeated, and the fixture’s total', async () => {
      const response = await get('/api/reports/arbre-financements.csv', reader);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(response.headers.get('content-disposition')).toContain('arbre-financements.csv');
      const text = await response.text();
      const [header] = parseCsv(text);
      expect(header).toEqual([
        'contract.code',
        'contract.axes.number',
        'contract.axes.orientations.code',
        `${P}.code`,
        `${P}.title`,
        AMOUNT,
        `${P}.fundings.year`,
        `${P}.fundings.stage`,
        `${P}.fundings.funder.name`,
      ]);
      const rows = csvObjects(text);
      const lines = rows.filter((row) => row[AMOUNT] !== '');
      expect(lines).toHaveLength(10);
      expect(sumCents(lines.map((row) => row[AMOUNT]))).toBe('20100000.00');
      for (const line of lines) {
        expect(line).toMatchObject({ 'contract.code': 'CRTE-DOUAISIS', [`${P}.fundings.funder.name`]: 'Banque des Territoires', [`${P}.fundings.stage`]: 'PLANNED' });
        expect(line[`${P}.code`]).not.toBe('');
        expect(line['contract.axes.orientations.code']).toMatch(/^\d\.\d$/);
      }
      const byAction: Record<string, string[]> = {};
      for (const line of lines) (byAction[line[`${P}.code`]] ??= []).push(line[AMOUNT]);
      expect(Object.fromEntries(Object.entries(byAction).map(([code, amounts]) => [code, sumCents(amounts)]))).toEqual({
        'DA-01': '12500000.00',
        'DA-02': '500000.00',
        'CCCO-03': '2000000.00',
        'CCCO-07': '5000000.00',
        'DA-15': '100000.00',
      });

      // LEFT JOIN: every orientation of the contract appears, with or without actions and lines.
      const { body } = await api.graphql(TREE, { contract: 'CRTE-DOUAISIS' });
      const orientations = body.data.contract.axes.flatMap((axis: any) => axis.orientations);
      expect(new Set(rows.map((row) => row['contract.axes.orientations.code']))).toEqual(new Set(orientations.map((o: any) => o.code)));
      const leaves = orientations.flatMap((o: any) => (o.actions.length ? o.actions.map((a: any) => Math.max(a.fundings.length, 1)) : [1]));
      expect(rows).toHaveLength(leaves.reduce((a: number, b: number) => a + b, 0));
      expect(rows.filter((row) => row[AMOUNT] === '').every((row) => row[`${P}.fundings.year`] === '')).toBe(true);
    });

    it('writes the French CSV with ?format=fr: semicolons, decimal commas, a BOM', async () => {
      const response = await get('/api/reports/arbre-financements.csv?format=fr');
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = csvObjects(bytes.toString('utf8').slice(1), ';');
      const amounts = rows.map((row) => row[AMOUNT]).filter(Boolean);
      expect(amounts).toHaveLength(10);
      expect(amounts.every((amount) => /^\d+,\d{2}$/.test(amount))).toBe(true);
      expect(sumCents(amounts)).toBe('20100000.00');
      // An enum is a French label in the files people open; the plain CSV (above) keeps PLANNED.
      expect(new Set(rows.filter((row) => row[AMOUNT]).map((row) => row[`${P}.fundings.stage`]))).toEqual(new Set(['Prévu']));
    });

    it('writes an xlsx whose amounts are numbers', async () => {
      const response = await get('/api/reports/arbre-financements.xlsx');
      expect(response.status).toBe(200);
      const workbook = XLSX.read(Buffer.from(await response.arrayBuffer()), { type: 'buffer' });
      const sheet = workbook.Sheets[workbook.SheetNames[0]];
      const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(sheet);
      const amounts = rows.map((row) => row[AMOUNT]).filter((amount) => amount !== undefined);
      expect(amounts).toHaveLength(10);
      expect(amounts.every((amount) => typeof amount === 'number')).toBe(true);
      expect(Math.round((amounts as number[]).reduce((a, b) => a + b, 0) * 100)).toBe(2_010_000_000);
      expect(rows.filter((row) => row[AMOUNT] !== undefined).every((row) => typeof row[`${P}.fundings.year`] === 'number')).toBe(true);
      expect(new Set(rows.filter((row) => row[AMOUNT] !== undefined).map((row) => row[`${P}.fundings.stage`]))).toEqual(new Set(['Prévu']));
    });

    it('writes JSON as the same flat rows, amounts as exact strings', async () => {
      const response = await get('/api/reports/arbre-financements.json');
      expect(response.status).toBe(200);
      const rows = (await response.json()) as Array<Record<string, unknown>>;
      const lines = rows.filter((row) => row[AMOUNT] !== null);
      expect(lines).toHaveLength(10);
      expect(lines.every((row) => typeof row[AMOUNT] === 'string' && typeof row[`${P}.fundings.year`] === 'number')).toBe(true);
      expect(sumCents(lines.map((row) => row[AMOUNT] as string))).toBe('20100000.00');
      expect(new Set(lines.map((row) => row[`${P}.fundings.stage`]))).toEqual(new Set(['PLANNED']));
    });

    it('takes variables from the URL: var.NAME overrides the saved value; a contract that does not exist is a 404 in French', async () => {
      for (const format of ['json', 'csv', 'xlsx']) {
        const other = await get(`/api/reports/arbre-financements.${format}?var.contract=CRTE-INCONNU`);
        expect(other.status).toBe(404);
        expect(other.headers.get('content-type')).toMatch(/^application\/json/);
        expect((await other.json()) as any).toEqual({
          error: expect.stringMatching(/^Le contrat « CRTE-INCONNU » n’existe pas \(rapport « arbre-financements »\) : vérifiez la variable « contract »/),
          field: 'var.contract',
        });
      }
      // Written in the query rather than given by a variable: the same 404, naming the query.
      await saved('contrat-ecrit', '{ fundings(filter: { contract: "CRTE-ABSENT" }, first: 5) { nodes { amount } } }');
      const written = await get('/api/reports/contrat-ecrit.csv');
      expect(written.status).toBe(404);
      expect(((await written.json()) as any).error).toMatch(/^Le contrat « CRTE-ABSENT » n’existe pas .*le code écrit dans la requête/);
    });

    it('answers a report that matched nothing with its header alone and X-Rows: 0, in every format', async () => {
      await saved('lignes-annee', 'query ($year: Int) { fundings(filter: { contract: "CRTE-DOUAISIS", yearFrom: $year, yearTo: $year }, first: 500) { nodes { year amount action { code } } } }', { year: 2023 });
      const header = ['fundings.year', 'fundings.amount', 'fundings.action.code'];
      // The fixture's lines are of 2023..2026 (its sheet): none in 1990.
      const some = await get('/api/reports/lignes-annee.csv');
      expect(some.headers.get('x-rows')).toBeNull();
      expect(parseCsv(await some.text()).length).toBeGreaterThan(1);

      const csv = await get('/api/reports/lignes-annee.csv?var.year=1990');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('x-rows')).toBe('0');
      expect(await csv.text()).toBe(`${header.join(',')}\r\n`);
      const french = await get('/api/reports/lignes-annee.csv?var.year=1990&format=fr');
      expect(french.headers.get('x-rows')).toBe('0');
      expect(Buffer.from(await french.arrayBuffer()).toString('utf8')).toBe(`\uFEFF${header.join(';')}\r\n`);
      const json = await get('/api/reports/lignes-annee.json?var.year=1990');
      expect(json.headers.get('x-rows')).toBe('0');
      expect(await json.json()).toEqual([]);
      const xlsx = await get('/api/reports/lignes-annee.xlsx?var.year=1990');
      expect(xlsx.headers.get('x-rows')).toBe('0');
      const sheet = XLSX.read(Buffer.from(await xlsx.arrayBuffer()));
      expect(XLSX.utils.sheet_to_json(sheet.Sheets[sheet.SheetNames[0]], { header: 1 })).toEqual([header]);
    });
  });

  describe('variables', () => {
    it('saves typed variables, and the URL overrides them by their declared type', async () => {
      await saved('lignes-par-annee', FUNDINGS, { year: 2023 });
      const rowsOf = async (path: string) => {
        const response = await get(path);
        expect(response.status).toBe(200);
        return (await response.json()) as Array<Record<string, unknown>>;
      };
      const saved2023 = await rowsOf('/api/reports/lignes-par-annee.json');
      expect(saved2023.length).toBeGreaterThan(0);
      expect(new Set(saved2023.map((row) => row['fundings.year']))).toEqual(new Set([2023]));
      // `nodes` is left out of the column names.
      expect(Object.keys(saved2023[0])).toEqual(['fundings.totalCount', 'fundings.year', 'fundings.amount', 'fundings.action.code']);

      const by2024 = await rowsOf('/api/reports/lignes-par-annee.json?var.year=2024');
      expect(by2024.length).toBeGreaterThan(0);
      expect(new Set(by2024.map((row) => row['fundings.year']))).toEqual(new Set([2024]));
      expect(by2024[0]['fundings.totalCount']).toBe(by2024.length);

      // An empty value is null: every year.
      const all = await rowsOf('/api/reports/lignes-par-annee.json?var.year=&var.funder=Banque%20des%20Territoires');
      expect(all).toHaveLength(10);
      expect(sumCents(all.map((row) => row['fundings.amount'] as string))).toBe('20100000.00');
    });

    it('reads an enum value of the URL whatever its spelling, as BI addresses written before the capitals do', async () => {
      await saved('totaux-par', 'query ($by: [FundingDimension!]!) { fundingTotals(groupBy: $by, filter: { contract: "CRTE-DOUAISIS" }) { amount lines } }', { by: ['YEAR'] });
      const totals = async (path: string) => {
        const response = await get(path);
        expect(response.status).toBe(200);
        return ((await response.json()) as Array<Record<string, unknown>>).map((row) => `${row['fundingTotals.amount']}×${row['fundingTotals.lines']}`);
      };
      const byYear = await totals('/api/reports/totaux-par.json');
      expect(await totals('/api/reports/totaux-par.json?var.by=year')).toEqual(byYear);
      expect(await totals('/api/reports/totaux-par.json?var.by=YEAR')).toEqual(byYear);
      const byKind = await totals('/api/reports/totaux-par.json?var.by=FUNDER_KIND');
      expect(byKind.length).toBeGreaterThan(0);
      expect(await totals('/api/reports/totaux-par.json?var.by=funderKind')).toEqual(byKind);
      const unknown = await get('/api/reports/totaux-par.json?var.by=annee');
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as any).error).toMatch(/annee/);
    });

    it('refuses an undeclared or mistyped URL variable, in French', async () => {
      const unknown = await get('/api/reports/lignes-par-annee.csv?var.annee=2024');
      expect(unknown.status).toBe(400);
      expect((await unknown.json()) as any).toEqual({ error: expect.stringMatching(/« var\.annee » ne correspond à aucune variable.*var\.funder, var\.year/), field: 'var.annee' });
      const mistyped = await get('/api/reports/lignes-par-annee.csv?var.year=deux-mille');
      expect(mistyped.status).toBe(400);
      expect(((await mistyped.json()) as any).error).toMatch(/attend un nombre/);
    });

    it('refuses, at save, variables that are not a JSON object or not declared', async () => {
      await refused('r-vars', FUNDINGS, '[2023]', 'variables', /objet JSON/);
      await refused('r-vars', FUNDINGS, '{year: 2023}', 'variables', /objet JSON/);
      await refused('r-vars', FUNDINGS, { annee: 2023 }, 'variables', /non déclarée.*\$annee.*déclarées : \$funder, \$year/);
      await refused('r-vars', FUNDINGS, { year: 'deux mille' }, 'variables', /ne conviennent pas/);
    });
  });

  describe('checks at save', () => {
    it('refuses a mutation, a subscription, several operations, an invalid or unreadable query and a bad name', async () => {
      await refused('r1', 'mutation { deleteReport(name: "x") }', undefined, 'query', /qu’une lecture \(query\), pas une modification \(mutation\)/);
      await refused('r1', 'subscription { contracts { code } }', undefined, 'query', /pas un abonnement/);
      await refused('r1', 'query A { contracts { code } } query B { contracts { name } }', undefined, 'query', /contient 2 opérations/);
      await refused('r1', '{ contracts { code nope } }', undefined, 'query', /ne correspond pas au schéma : Cannot query field "nope" on type "Contract".*ligne 1/);
      await refused('r1', '{ contracts { code }', undefined, 'query', /ne peut pas être lue : Syntax Error/);
      await refused('r1', '   ', undefined, 'query', /est vide/);
      await refused('rapport financements', '{ contracts { code } }', undefined, 'name', /Le nom du rapport \(name\) « rapport financements » ne convient pas/);
      await refused('é', '{ contracts { code } }', undefined, 'name', /sans accents/);
      await refused('x'.repeat(101), '{ contracts { code } }', undefined, 'name', /de 1 à 100/);
      await refused('', '{ contracts { code } }', undefined, 'name', /name/);
      // Every mistake at once.
      const both = await refused('mauvais nom', 'mutation { deleteReport(name: "x") }', undefined, 'name', /et 1 autre erreur/);
      expect(both.extensions.fields.map((f: { field: string }) => f.field)).toEqual(['name', 'query']);
    });

    it('needs a writer: a reader and an anonymous caller cannot save or delete; an editor can', async () => {
      const asReader = await save('r-lecteur', '{ contracts { code } }', undefined, reader);
      expect(asReader.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(asReader.errors[0].message).toMatch(/lecture seule/);
      const anonymous: any = await api.graphql(SAVE, { name: 'r-anonyme', query: '{ contracts { code } }' });
      expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');

      await saved('r-editeur', '{ contracts { code } }', undefined, editor);
      const deleteAsReader: any = await api.graphql(DELETE, { name: 'r-editeur' }, reader);
      expect(deleteAsReader.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const deleteAnonymous: any = await api.graphql(DELETE, { name: 'r-editeur' });
      expect(deleteAnonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect((await get('/api/reports/r-editeur.csv')).status).toBe(200);
      expect((await api.graphql(DELETE, { name: 'r-editeur' }, editor)).body.data).toEqual({ deleteReport: true });
    });
  });

  describe('owners', () => {
    const OWNED = `mutation ($name: String!, $query: String!) { saveReport(name: $name, query: $query) { name query owner { name } } }`;
    const Q1 = '{ contracts { code } }';
    const Q2 = '{ contracts { code name } }';

    async function saveAs(token: string, name: string, query: string) {
      return (await api.graphql(OWNED, { name, query }, token)).body as any;
    }
    async function deleteAs(token: string, name: string) {
      return (await api.graphql(DELETE, { name }, token)).body as any;
    }
    const stored = async (name: string) => (await api.db.dataSource.query('SELECT query FROM saved_report WHERE name = ?', [name]))[0]?.query ?? null;

    /** Refused with FORBIDDEN and `message`; the report is unchanged, and still served to a BI tool. */
    async function forbidden(body: any, name: string, query: string, message: string) {
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toEqual([expect.objectContaining({ message, extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
      expect(await stored(name)).toBe(query);
      expect((await get(`/api/reports/${name}.csv`, reader)).status).toBe(200);
    }

    it('an editor replaces or deletes neither another organisation’s report nor an admin’s; its own, yes; an admin, all', async () => {
      expect((await saveAs(admin, 'proprio-admin', Q1)).data.saveReport).toEqual({ name: 'proprio-admin', query: Q1, owner: null });
      expect((await saveAs(editor, 'proprio-bdt', Q1)).data.saveReport).toEqual({ name: 'proprio-bdt', query: Q1, owner: { name: 'Banque des Territoires' } });
      expect((await saveAs(editorAdeme, 'proprio-ademe', Q1)).data.saveReport).toEqual({ name: 'proprio-ademe', query: Q1, owner: { name: ademeName } });

      // Banque des Territoires' editor on ADEME's report and on the admin's (the name's case aside).
      const others = 'Enregistrez le vôtre sous un autre nom.';
      await forbidden(await saveAs(editor, 'PROPRIO-ADEME', Q2), 'proprio-ademe', Q1, `Un éditeur ne peut remplacer que les rapports de son organisation : le rapport « proprio-ademe » appartient à « ADEME ». ${others}`);
      await forbidden(await deleteAs(editor, 'proprio-ademe'), 'proprio-ademe', Q1, `Un éditeur ne peut supprimer que les rapports de son organisation : le rapport « proprio-ademe » appartient à « ADEME ». ${others}`);
      await forbidden(await saveAs(editor, 'proprio-admin', Q2), 'proprio-admin', Q1, `Un éditeur ne peut remplacer que les rapports de son organisation : le rapport « proprio-admin » est réservé aux administrateurs. ${others}`);
      await forbidden(await deleteAs(editor, 'proprio-admin'), 'proprio-admin', Q1, `Un éditeur ne peut supprimer que les rapports de son organisation : le rapport « proprio-admin » est réservé aux administrateurs. ${others}`);
      await forbidden(await deleteAs(editorAdeme, 'proprio-bdt'), 'proprio-bdt', Q1, `Un éditeur ne peut supprimer que les rapports de son organisation : le rapport « proprio-bdt » appartient à « Banque des Territoires ». ${others}`);
      // An editor's token without an organisation could own nothing: it saves nothing, and changes nothing.
      const stagiaire = 'Le jeton d’éditeur « Stagiaire » n’est rattaché à aucune organisation : il ne peut ni enregistrer ni modifier de rapport.';
      await forbidden(await saveAs(editorWithout, 'proprio-admin', Q2), 'proprio-admin', Q1, stagiaire);
      await forbidden(await deleteAs(editorWithout, 'proprio-admin'), 'proprio-admin', Q1, stagiaire);
      const none = await saveAs(editorWithout, 'proprio-aucun', Q1);
      expect(none.errors[0]).toMatchObject({ message: stagiaire, extensions: { code: 'FORBIDDEN' } });
      expect(await stored('proprio-aucun')).toBeNull();

      // Its own: replaced and deleted.
      expect((await saveAs(editor, 'proprio-bdt', Q2)).data.saveReport).toEqual({ name: 'proprio-bdt', query: Q2, owner: { name: 'Banque des Territoires' } });
      expect(await deleteAs(editor, 'proprio-bdt')).toEqual({ data: { deleteReport: true } });
      // An admin replaces any report (its owner stays: ADEME's editor still may), and deletes any.
      expect((await saveAs(admin, 'proprio-ademe', Q2)).data.saveReport).toEqual({ name: 'proprio-ademe', query: Q2, owner: { name: ademeName } });
      expect((await saveAs(editorAdeme, 'proprio-ademe', Q1)).data.saveReport).toEqual({ name: 'proprio-ademe', query: Q1, owner: { name: ademeName } });
      expect(await deleteAs(admin, 'proprio-ademe')).toEqual({ data: { deleteReport: true } });
      expect(await deleteAs(admin, 'proprio-admin')).toEqual({ data: { deleteReport: true } });

      // Reading is as before: everyone lists every report, with its owner.
      await saveAs(editor, 'proprio-liste', Q1);
      const listed = await api.graphql('{ reports { name owner { name } } }', {}, reader);
      expect(listed.body.data.reports).toContainEqual({ name: 'proprio-liste', owner: { name: 'Banque des Territoires' } });
    });
  });

  describe('listing, replacing and deleting', () => {
    it('replaces a report of the same name (case aside), lists it, and deletes it: then its URL is a 404', async () => {
      const first = await saved('Suivi-BdT', '{ contracts { code } }');
      const second = await saved('suivi-bdt', '{ contracts { code name } }');
      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({ name: 'suivi-bdt', query: '{ contracts { code name } }', variables: null });

      const { body } = await api.graphql('{ reports { name urls { csv } } report(name: "SUIVI-BDT") { name query } }', {}, reader);
      expect(body.data.reports.map((r: { name: string }) => r.name)).toContain('suivi-bdt');
      expect(body.data.reports.filter((r: { name: string }) => r.name.toLowerCase() === 'suivi-bdt')).toHaveLength(1);
      expect(body.data.report).toEqual({ name: 'suivi-bdt', query: '{ contracts { code name } }' });

      const csv = await get('/api/reports/suivi-bdt.csv');
      expect(csv.status).toBe(200);
      expect(parseCsv(await csv.text())).toEqual([['contracts.code', 'contracts.name'], ['CRTE-DOUAISIS', expect.any(String)]]);

      expect((await api.graphql(DELETE, { name: 'suivi-bdt' }, admin)).body.data).toEqual({ deleteReport: true });
      const gone = await get('/api/reports/suivi-bdt.csv');
      expect(gone.status).toBe(404);
      expect((await gone.json()) as any).toEqual({ error: 'Le rapport « suivi-bdt » n’existe pas (voir la requête GraphQL « reports »).', field: 'name' });
      expect((await api.graphql(DELETE, { name: 'suivi-bdt' }, admin)).body.data).toEqual({ deleteReport: false });
    });

    it('answers an unknown format with a 404 and an unknown option with a 400, in French', async () => {
      await saved('formats', '{ contracts { code } }');
      const pdf = await get('/api/reports/formats.pdf');
      expect(pdf.status).toBe(404);
      expect(((await pdf.json()) as any).error).toMatch(/NOM\.csv, NOM\.xlsx ou NOM\.json/);
      const option = await get('/api/reports/formats.csv?format=en');
      expect(option.status).toBe(400);
      expect(((await option.json()) as any).error).toMatch(/seul « format=fr »/);
    });
  });

  describe('at run time', () => {
    it('applies the limits of any GraphQL request: an error is a 400 with its French message, and no partial table', async () => {
      await saved('trop-grand', '{ fundings(first: 100000) { nodes { amount } } }');
      const response = await get('/api/reports/trop-grand.csv');
      expect(response.status).toBe(400);
      const body = (await response.json()) as any;
      expect(body.error).toMatch(/^Le rapport « trop-grand » n’a pas pu être exécuté : .*500/);
    });

    it('with READ_REQUIRES_TOKEN, needs a token to read a report (401, even for an unknown name), and a reader may', async () => {
      const closed = await startTestServer({ db: api.db, config: { readRequiresToken: true } });
      try {
        const get2 = (path: string, token?: string) => fetch(new URL(path, closed.server.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
        const anonymous = await get2('/api/reports/formats.csv');
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
        expect(((await anonymous.json()) as any).error).toMatch(/jeton/i);
        expect((await get2('/api/reports/inexistant.csv')).status).toBe(401);
        expect((await get2('/api/reports/inexistant.csv', reader)).status).toBe(404);
        const badToken = await get2('/api/reports/formats.csv', 'pas-un-jeton');
        expect(badToken.status).toBe(401);
        const read = await get2('/api/reports/formats.csv', reader);
        expect(read.status).toBe(200);
        expect(await read.text()).toBe('contracts.code\r\nCRTE-DOUAISIS\r\n');
      } finally {
        await closed.server.close();
      }
    });
  });
});
