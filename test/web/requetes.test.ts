import { readFileSync } from 'node:fs';
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
import { openBrowser, TestBrowser } from './browser';
import { parseCsv } from '../support/csv';

const BDT = 'annexe3-banque-des-territoires-2023.xlsx';

/** The funding lines of one funder: the report the test saves as « suivi-bdt ». */
const FUNDINGS = `query SuiviBdt($funder: String!) {
  fundings(filter: { contract: "CRTE-DOUAISIS", funder: $funder }, first: 100) {
    totalCount
    nodes { year stage amount action { code } funder { name } }
  }
}`;

function csvObjects(text: string, separator = ','): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text, separator);
  return rows.map((cells) => Object.fromEntries(header.map((key, i) => [key, cells[i]])));
}

const sumCents = (amounts: string[]) => formatCents(amounts.reduce((sum, amount) => sum + BigInt(amount.replace(/[.,]/, '')), 0n));

/** Chromium logs every 4xx fetch as a console error; the ones a test provokes on purpose are expected. */
const unexpected = (errors: string[]) => errors.filter((message) => !/status of 400 \(Bad Request\)/.test(message));

describe(`queries page on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let base: string;
  let editor: string;
  let reader: string;
  let browser: TestBrowser | undefined;
  let introspectedCounts = '';

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        const result = await importFile(dataSource, { buffer: readFileSync(fixturePath(BDT)), fileName: BDT, kind: ImportKind.ANNEX3, source: 'Banque des Territoires', contract: 'CRTE-DOUAISIS' });
        expect(result).toMatchObject({ status: 'APPLIED', total: '20100000.00' });
        // Saved reports belong to the editor's organisation: an editor without one saves none.
        const bdt = await dataSource.getRepository(Organisation).findOneByOrFail({ name: 'Banque des Territoires' });
        editor = (await createToken(dataSource, { name: 'Service finances', role: Role.EDITOR, organisationId: bdt.id })).secret;
        reader = (await createToken(dataSource, { name: 'Power BI', role: Role.READER, organisationId: null })).secret;
      },
    });
    base = `http://localhost:${api.server.port}`;
  }, 60000);
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });
  afterAll(async () => api?.close());

  it('loads an example, runs it, shows the contract’s 4 axes as JSON and as a table, and documents fundingTotals', async () => {
    browser = await openBrowser(base);
    const { page } = browser;
    await page.goto('/requetes');
    await page.getByLabel('Exemple de requête').selectOption('contract-overview.graphql');
    await page.locator('#exemple-description').getByText('Le contrat, ses axes et orientations').waitFor();
    await page.getByRole('button', { name: 'Charger l’exemple' }).click();
    const query = page.getByLabel('Requête GraphQL');
    await expect(query.inputValue()).resolves.toMatch(/^# Le contrat, ses axes et orientations[\s\S]*query ContractOverview/);

    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().postData()!.includes('ContractOverview')), page.getByRole('button', { name: 'Exécuter' }).click()]);
    expect(response.status()).toBe(200);
    await page.getByText(/Résultat reçu en \d+ ms/).waitFor();
    const shown = JSON.parse((await page.getByRole('region', { name: 'Résultat JSON' }).textContent())!);
    const { body } = await api.graphql(readFileSync('schema/examples/contract-overview.graphql', 'utf8'));
    expect(shown).toEqual(body.data);
    expect(shown.contract.name).toMatch(/Douaisis/);
    expect(shown.contract.axes.map((axis: any) => axis.number)).toEqual([1, 2, 3, 4]);
    for (const axis of shown.contract.axes) await page.getByRole('region', { name: 'Résultat JSON' }).getByText(axis.title, { exact: false }).first().waitFor();

    // The table view: one row per action (or per orientation without any), amounts through euros().
    await page.getByText('Tableau', { exact: true }).click();
    const grid = page.getByRole('region', { name: 'Résultat en tableau' });
    await grid.getByRole('columnheader', { name: 'contract.axes.orientations.actions.fundingTotal' }).waitFor();
    const orientations = shown.contract.axes.flatMap((axis: any) => axis.orientations);
    // Sibling lists are not multiplied: the signatories' rows, then the orientations' (one per action, or one without).
    const expectedRows = shown.contract.signatories.length + orientations.reduce((n: number, o: any) => n + Math.max(o.actions.length, 1), 0);
    await expect(grid.locator('tbody tr').count()).resolves.toBe(expectedRows);
    const da01 = orientations.flatMap((o: any) => o.actions).find((a: any) => a.code === 'DA-01');
    const euro = (decimal: string) => `${decimal.split('.')[0].replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')},${decimal.split('.')[1]}\u00a0€`;
    await expect(grid.locator('tbody tr', { hasText: 'DA-01' }).first().textContent()).resolves.toContain(euro(da01.fundingTotal));
    expect(da01.fundingTotal).toBe('12500000.00');

    // Keyboard: Tab inserts two spaces, Ctrl+Enter runs.
    await query.fill('{\n}');
    await query.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    await page.keyboard.press('Tab');
    await page.keyboard.type('contracts { code }');
    await expect(query.inputValue()).resolves.toBe('{\n  contracts { code }}');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().postData()!.includes('contracts { code }')), page.keyboard.press('Control+Enter')]);
    // The page draws the answer after it arrives: the previous result's rows go first (one contract, one row).
    const contractsGrid = page.getByRole('region', { name: 'Résultat en tableau' });
    await contractsGrid.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
    await contractsGrid.getByRole('cell', { name: 'CRTE-DOUAISIS' }).waitFor();

    // Documentation, from introspection on this (non-production) server.
    const source = page.locator('#source-documentation');
    await source.getByText('D’après le schéma du serveur (introspection)').waitFor();
    introspectedCounts = /\d+ lectures, \d+ types/.exec((await source.textContent())!)![0];
    await page.getByLabel('Filtrer la documentation').fill('fundingTotals');
    const item = page.locator('#champs-query > li', { hasText: 'fundingTotals' });
    await expect(item.count()).resolves.toBe(1);
    await item.getByText('Montants des lignes en vigueur regroupés par les dimensions demandées, calculés en SQL et exacts au centime').waitFor();
    await expect(page.locator('#champs-query > li:visible').count()).resolves.toBe(1);
    await page.getByText(/1 lecture et \d+ types correspondent/).waitFor();
    await browser.screenshot('requetes');
    expect(browser.errors).toEqual([]);
  });

  it('shows the API’s French messages with their line and column, and says when variables are not JSON', async () => {
    browser = await openBrowser(base);
    const { page } = browser;
    await page.goto('/requetes');
    const query = page.getByLabel('Requête GraphQL');
    const errors = page.locator('#erreurs');

    // A resolver's own French message.
    await query.fill('{\n  progress(contract: "CRTE-INCONNU") { year }\n}');
    await page.getByRole('button', { name: 'Exécuter' }).click();
    await errors.getByRole('alert').getByText('Le contrat « CRTE-INCONNU » n’existe pas.').waitFor();
    await errors.getByRole('button', { name: 'ligne 2, colonne 3' }).waitFor();
    await errors.getByText('Champ : progress').waitFor();

    // graphql-js's English validation message, said in French, the original beside it; its location moves the caret.
    await query.fill('{\n  contract(code: "CRTE-DOUAISIS") { nom }\n}');
    await page.getByRole('button', { name: 'Exécuter' }).click();
    await errors.getByText('Le champ « nom » n’existe pas dans le type « Contract ».').waitFor();
    await errors.getByText('Message du serveur : Cannot query field "nom" on type "Contract".').waitFor();
    await page.getByText('La requête a été refusée (1 erreur).').waitFor();
    await errors.getByRole('button', { name: 'ligne 2, colonne 37' }).click();
    const caret = await query.evaluate((area: any) => area.selectionStart);
    expect(caret).toBe('{\n  contract(code: "CRTE-DOUAISIS") { '.length);

    // A syntax error.
    await query.fill('{ contracts { code }');
    await page.getByRole('button', { name: 'Exécuter' }).click();
    await errors.getByText('Erreur de syntaxe : un nom attendu, fin de la requête trouvé.').waitFor();
    await errors.getByRole('button', { name: 'ligne 1, colonne 21' }).waitFor();

    // Variables that are not JSON never reach the server.
    await query.fill('query ($c: String!) { contract(code: $c) { name } }');
    await page.getByLabel('Variables (JSON)').fill('{ c: CRTE-DOUAISIS }');
    await page.getByRole('button', { name: 'Exécuter' }).click();
    await errors.getByText(/^Les variables ne sont pas un JSON valide/).waitFor();
    await page.getByLabel('Variables (JSON)').fill('{"c": "CRTE-DOUAISIS"}');
    await page.getByRole('button', { name: 'Exécuter' }).click();
    await page.getByText(/Résultat reçu en \d+ ms/).waitFor();
    await expect(errors.textContent()).resolves.toBe('');

    expect(browser.errors.length).toBeGreaterThan(0); // the two refused queries (400)
    expect(unexpected(browser.errors)).toEqual([]);
  });

  it('saves a query as report « suivi-bdt » with an editor token; its CSV URL gives the 10 Banque des Territoires lines, 20 100 000,00 €', async () => {
    browser = await openBrowser(base, { token: editor });
    const { page } = browser;
    await page.goto('/requetes');
    await page.getByText('Jeton « Service finances » (éditeur) : vous pouvez enregistrer et supprimer des rapports.').waitFor();
    await page.getByLabel('Requête GraphQL').fill(FUNDINGS);
    await page.getByLabel('Variables (JSON)').fill('{"funder": "Banque des Territoires"}');
    await page.getByRole('button', { name: 'Exécuter' }).click();
    await page.getByText(/Résultat reçu en \d+ ms/).waitFor();
    expect(JSON.parse((await page.getByRole('region', { name: 'Résultat JSON' }).textContent())!).fundings.totalCount).toBe(10);

    // A name that is not a slug is refused on the page, in French.
    const save = page.getByRole('button', { name: 'Enregistrer comme rapport' });
    await page.getByLabel(/^Nom du rapport/).fill('suivi bdt');
    await save.click();
    await page.getByText('Nom invalide : seulement des lettres sans accents').waitFor();

    await page.getByLabel(/^Nom du rapport/).fill('suivi-bdt');
    const [saved] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().postData()!.includes('SaveReport')), save.click()]);
    expect(saved.status()).toBe(200);
    await page.getByText('Rapport « suivi-bdt » enregistré.').waitFor();

    const csvField = page.getByRole('textbox', { name: /^Adresse CSV Séparateur « , »/ });
    const csvUrl = await csvField.inputValue();
    expect(csvUrl).toBe(`${base}/api/reports/suivi-bdt.csv`);
    await expect(page.getByRole('textbox', { name: /^Adresse CSV à la française/ }).inputValue()).resolves.toBe(`${base}/api/reports/suivi-bdt.csv?format=fr`);
    await expect(page.getByRole('textbox', { name: /^Adresse xlsx/ }).inputValue()).resolves.toBe(`${base}/api/reports/suivi-bdt.xlsx`);
    await expect(page.getByRole('textbox', { name: /^Adresse JSON/ }).inputValue()).resolves.toBe(`${base}/api/reports/suivi-bdt.json`);
    // Headless, the clipboard may be refused: then the field's text is selected for Ctrl+C.
    await page.getByRole('button', { name: 'Copier l’adresse CSV', exact: true }).click();
    await page.getByText(/^Adresse CSV (copiée dans le presse-papiers|sélectionnée : copiez-la avec Ctrl\+C)/).waitFor();

    // The URL as a BI tool reads it.
    const response = await fetch(csvUrl);
    expect(response.status).toBe(200);
    const lines = csvObjects(await response.text());
    expect(lines).toHaveLength(10);
    expect(lines.every((line) => line['fundings.funder.name'] === 'Banque des Territoires' && line['fundings.stage'] === 'PLANNED')).toBe(true);
    expect(sumCents(lines.map((line) => line['fundings.amount']))).toBe('20100000.00');
    const french = Buffer.from(await (await fetch(await page.getByRole('textbox', { name: /^Adresse CSV à la française/ }).inputValue())).arrayBuffer());
    expect([...french.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const frenchLines = csvObjects(french.subarray(3).toString('utf8'), ';');
    expect(frenchLines).toHaveLength(10);
    expect(sumCents(frenchLines.map((line) => line['fundings.amount']))).toBe('20100000.00');

    // The list of saved reports, and a deletion after confirmation.
    const list = page.locator('#tableau-rapports');
    await list.getByRole('cell', { name: 'suivi-bdt', exact: true }).waitFor();
    await browser.screenshot('requetes-rapport');
    const other = await api.graphql(`mutation { saveReport(name: "a-supprimer", query: "{ contracts { code } }") { name } }`, undefined, editor);
    expect(other.body.errors).toBeUndefined();
    await page.reload();
    await list.getByRole('cell', { name: 'a-supprimer', exact: true }).waitFor();
    await list.getByRole('button', { name: 'Supprimer le rapport a-supprimer' }).click();
    const confirm = list.getByRole('button', { name: 'Confirmer la suppression de « a-supprimer »' });
    await expect(confirm.evaluate((button: any) => button === (globalThis as any).document.activeElement)).resolves.toBe(true);
    await confirm.click();
    await page.getByText('Rapport « a-supprimer » supprimé.').waitFor();
    await list.getByRole('cell', { name: 'a-supprimer', exact: true }).waitFor({ state: 'detached' });
    const { body } = await api.graphql('{ reports { name } }');
    expect(body.data.reports.map((report: any) => report.name)).toEqual(['suivi-bdt']);

    // « Ouvrir » puts a saved report back in the editor.
    await list.getByRole('button', { name: 'Ouvrir le rapport suivi-bdt dans l’éditeur' }).click();
    await expect(page.getByLabel('Requête GraphQL').inputValue()).resolves.toBe(FUNDINGS);
    await expect(page.getByLabel('Variables (JSON)').inputValue()).resolves.toContain('"funder": "Banque des Territoires"');
    expect(browser.errors).toEqual([]);
  });

  it('does not let a reader token save or delete, and says why; the page fits 375 px', async () => {
    // Saving replaces: the same report as the editor's, so that this test stands alone.
    const saved = await api.graphql('mutation ($q: String!) { saveReport(name: "suivi-bdt", query: $q, variables: "{\\"funder\\": \\"Banque des Territoires\\"}") { name } }', { q: FUNDINGS }, editor);
    expect(saved.body.errors).toBeUndefined();
    browser = await openBrowser(base, { token: reader, viewport: { width: 375, height: 800 } });
    const { page } = browser;
    await page.goto('/requetes');
    await page.getByText('Enregistrement impossible : le jeton « Power BI » est un jeton de lecteur, en lecture seule. Il faut un jeton d’éditeur ou d’administrateur.').waitFor();
    await expect(page.getByRole('button', { name: 'Enregistrer comme rapport' }).isDisabled()).resolves.toBe(true);
    await page.locator('#tableau-rapports').getByRole('cell', { name: 'suivi-bdt', exact: true }).waitFor();
    await expect(page.getByRole('button', { name: /^Supprimer/ }).count()).resolves.toBe(0);
    // The API refuses it too.
    const refused = await api.graphql(`mutation { saveReport(name: "x", query: "{ contracts { code } }") { name } }`, undefined, reader);
    expect(refused.body.errors![0].message).toContain('lecture seule');

    await page.getByLabel('Requête GraphQL').fill('{ contracts { code name } }');
    await page.getByRole('button', { name: 'Exécuter' }).click();
    await page.getByText(/Résultat reçu en \d+ ms/).waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    if (overflow) console.log(await page.evaluate(`[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 15).map((e) => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('\\n')`));
    expect(overflow).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('in production (no introspection) reads the documentation from /schema.graphql, with the same fields and types', async () => {
    const production = await startTestServer({ db: api.db, config: { production: true } });
    try {
      browser = await openBrowser(`http://localhost:${production.server.port}`);
      const { page } = browser;
      await page.goto('/requetes');
      const source = page.locator('#source-documentation');
      await source.getByText('D’après le fichier schema.graphql (l’introspection est fermée sur ce serveur)').waitFor();
      expect(await source.textContent()).toContain(introspectedCounts);
      await page.getByLabel('Filtrer la documentation').fill('fundingTotals');
      const item = page.locator('#champs-query > li', { hasText: 'fundingTotals' });
      await item.getByText('Montants des lignes en vigueur regroupés par les dimensions demandées').waitFor();
      await expect(item.locator('code').textContent()).resolves.toBe('fundingTotals(asOf: DateTimeISO, filter: FundingFilter, groupBy: [FundingDimension!]!): [FundingTotal!]!');
      // A type's link opens its accordion.
      await item.getByRole('link', { name: 'FundingTotal' }).click();
      const section = page.locator('#type-FundingTotal');
      await expect(section.getByRole('button', { name: 'FundingTotal (type)' }).getAttribute('aria-expanded')).resolves.toBe('true');
      await section.getByText('amount: Decimal!').waitFor({ state: 'visible' });
      expect(unexpected(browser.errors)).toEqual([]);
    } finally {
      await production.server.close();
    }
  });
});
