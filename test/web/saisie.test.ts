import { readFileSync } from 'node:fs';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { Role } from '../../src/kernel/role.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { openBrowser, TestBrowser } from './browser';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The web's two forms (issues 16 and 17), in one browser and one server: money recorded, corrected and
 * ended from the dashboard's action detail by an editor, hidden from a reader; a contract created from
 * /contrats by an admin. Each written figure is read back through GraphQL.
 */

const CONTRACT = 'CRTE-DOUAISIS';
const DOUAISIS_AGGLO = '200044618';
const PORTE_DU_HAINAUT = '200042190';
const VALENCIENNES = '245901160';
const LINES = `query ($contract: String!) { action(contract: $contract, code: "DA-01") { fundings { id amount year stage funder { name }
  source { sheet rawValue declaredBy { siren } batch { kind uploadedBy uploadedAt } } } } }`;

/** Retries `read` until it gives `expected` (the page redraws after its request returns). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeout = 5000): Promise<void> {
  const end = Date.now() + timeout;
  let last = await read();
  while (last !== expected && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  expect(last).toBe(expected);
}

/** Each test waits for the data it needs, not for the page's fonts and icons. */
const READY = { waitUntil: 'domcontentloaded' as const };

describe('saisie: funding lines from the dashboard, contracts from /contrats', () => {
  let server: TestServer;
  const tokens = { editor: '', reader: '', admin: '' };
  // One context for the file: a new one costs about 2 s (the DSFR fetched and parsed again); the token is swapped in localStorage.
  let browser: TestBrowser;
  const base = () => `http://localhost:${server.server.port}`;
  const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

  async function api<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const { body } = await server.graphql<T>(query, variables, tokens.admin);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }
  const paidByHand = async () =>
    (await api(LINES, { contract: CONTRACT })).action.fundings.filter((line: any) => line.stage === 'PAID' && line.source.sheet === 'Saisie');

  async function seriousViolations(selector: string): Promise<string[]> {
    await browser.page.evaluate(AXE_SOURCE);
    const violations = (await browser.page.evaluate(
      `axe.run(${JSON.stringify(selector)}, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`,
    )) as Array<{ id: string; impact: string; nodes: string[] }>;
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}) ${v.nodes.join(', ')}`);
  }

  /** The token the pages send from now on (web/assets/app.js keeps it in localStorage 'crte.jeton'). */
  async function as(token: string) {
    await browser.page.evaluate(`localStorage.setItem('crte.jeton', ${JSON.stringify(token)})`);
    return browser;
  }

  /** The dashboard with DA-01's detail open. */
  async function openDa01() {
    const { page } = browser;
    await page.goto('/tableau-de-bord', READY);
    await page.locator('#bloc-actions[data-etat="pret"]').waitFor();
    await page.getByRole('button', { name: 'Voir DA-01' }).click();
    await page.locator('#fenetre-action-contenu[data-etat="pret"]').waitFor();
  }

  beforeAll(async () => {
    server = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        const result = await importFile(dataSource, {
          buffer: readFileSync(fixturePath('annexe3-banque-des-territoires-2023.xlsx')),
          fileName: 'annexe3-banque-des-territoires-2023.xlsx',
          kind: ImportKind.ANNEX3,
          source: 'Banque des Territoires',
        });
        expect(result.status).toBe('APPLIED');
        const [da] = await dataSource.query('SELECT id FROM organisation WHERE siren = ?', [DOUAISIS_AGGLO]);
        tokens.editor = (await createToken(dataSource, { name: 'Service finances DA', role: Role.EDITOR, organisationId: Number(da.id) })).secret;
        tokens.reader = (await createToken(dataSource, { name: 'Lecture', role: Role.READER, organisationId: null })).secret;
        tokens.admin = (await createToken(dataSource, { name: 'Équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
      },
    });
    // 390 px wide: a phone's width, where the forms must still work.
    browser = await openBrowser(base(), { viewport: { width: 390, height: 900 } });
    // A page of the site's origin, for localStorage.
    await browser.page.goto('/accessibilite', READY);
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an editor records a payment on DA-01 (« 1 234,56 »), corrects it and ends it; the lineage says « Saisie »', async () => {
    const { page } = await as(tokens.editor);
    await openDa01();
    const dialog = page.locator('#fenetre-action');
    // The Banque des Territoires' lines are its own: Douaisis Agglo may not correct them.
    expect(await dialog.locator('[data-action="corriger"]').count()).toBe(0);

    const epcis = (await api(`{ organisations(filter: { contract: "${CONTRACT}", kind: EPCI }) { id siren name } }`)).organisations;
    const douaisisAgglo = epcis.find((o: any) => o.siren === DOUAISIS_AGGLO);
    const form = dialog.locator('#formulaire-saisie');
    await form.getByLabel('Financeur').selectOption(douaisisAgglo.id);
    await form.getByLabel('Étape').selectOption('PAID');
    await form.getByLabel('Année').fill('2024');
    // A wrong amount is caught in the browser, in French, under its field.
    await form.getByLabel('Montant en euros').fill('12,345');
    await form.getByRole('button', { name: 'Enregistrer le montant' }).click();
    expect(await page.locator('#saisie-montant-erreur').innerText()).toContain('n’est pas un montant en euros');
    // The detail with its forms and an error shown: no serious or critical axe-core violation (the page audit,
    // test/web/accessibilite.test.ts, sees the dashboard with this dialog closed).
    expect(await seriousViolations('#fenetre-action')).toEqual([]);
    // What only the API refuses: its French message in an alert, and under the field it names.
    await form.getByLabel('Année').fill('1850');
    await form.getByLabel('Montant en euros').fill('1 234,56');
    await form.getByRole('button', { name: 'Enregistrer le montant' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Saisie refusée' }).waitFor();
    expect(await page.locator('#saisie-annee-erreur').innerText()).toBe("Année (year) : 1850 n'est pas une année plausible (entier entre 1900 et 2100).");
    await form.getByLabel('Année').fill('2024');
    await form.getByRole('button', { name: 'Enregistrer le montant' }).click();
    await page.getByTestId('saisie-succes').waitFor();
    expect(plain(await page.getByTestId('saisie-succes').innerText())).toContain('Montant enregistré : 1 234,56 €, payé en 2024.');

    const [created] = await paidByHand();
    expect(created).toMatchObject({ amount: '1234.56', year: 2024, stage: 'PAID', funder: { name: douaisisAgglo.name } });
    expect(created.source).toMatchObject({ sheet: 'Saisie', rawValue: '1234.56', declaredBy: { siren: DOUAISIS_AGGLO }, batch: { kind: 'MANUAL', uploadedBy: 'Service finances DA' } });
    expect(Date.now() - new Date(created.source.batch.uploadedAt).getTime()).toBeLessThan(60000);

    // The new line is the editor's own: « Corriger » to 1 234,57.
    await dialog.getByRole('button', { name: `Corriger la ligne 2024, payé, ${douaisisAgglo.name} : 1 234,56 €` }).click();
    await page.getByLabel('Nouveau montant en euros').fill('1 234,57');
    await page.getByRole('button', { name: 'Enregistrer la correction' }).click();
    await page.getByTestId('saisie-succes').filter({ hasText: 'Montant corrigé' }).waitFor();
    const corrected = await paidByHand();
    expect(corrected.map((line: any) => line.amount)).toEqual(['1234.57']);
    expect(corrected[0].id).not.toBe(created.id);
    // The dashboard read its figures again: the key figure « Payé » is the API's.
    const paid = (await api(`{ fundingTotals(groupBy: [STAGE], filter: { contract: "${CONTRACT}", stage: [PAID] }) { amount } }`)).fundingTotals[0].amount;
    expect(paid).toBe('1234.57');
    await page.locator('#etat[data-etat="pret"]').waitFor();
    await eventually(async () => plain(await page.getByTestId('chiffre-PAID').innerText()), '1 234,57 €');

    // « Clore », after its confirmation.
    await dialog.getByRole('button', { name: `Clore la ligne 2024, payé, ${douaisisAgglo.name} : 1 234,57 €` }).click();
    await page.getByRole('button', { name: 'Confirmer la clôture' }).click();
    await page.getByTestId('saisie-succes').filter({ hasText: 'Ligne close' }).waitFor();
    expect(await paidByHand()).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('a reader sees DA-01 without the buttons that write', async () => {
    await as(tokens.reader);
    await openDa01();
    const dialog = browser.page.locator('#fenetre-action');
    await dialog.locator('#tableau-action-financements').waitFor();
    expect(await dialog.locator('#formulaire-saisie').count()).toBe(0);
    expect(await dialog.getByRole('button', { name: /^(Corriger|Clore)/ }).count()).toBe(0);

    // The page's reading of typed euros (web/assets/app.js), exact where a float would not be.
    const cases = ['12 345,67', '1\u202f234,5', '1234', '0,07', '99 999 999 999 999 999,99', '12,345', '-5', '1.234.567', ''];
    const read = await browser.page.evaluate(`import('/assets/app.js').then((app) => ${JSON.stringify(cases)}.map(app.parseEuros))`);
    expect(read).toEqual(['12345.67', '1234.50', '1234.00', '0.07', '99999999999999999.99', null, null, null, null]);
  });

  it('/contrats: an admin creates CRTE-TEST-WEB on two EPCIs (82 communes); a bad SIREN is named in French', async () => {
    const { page } = await as(tokens.admin);
    await page.goto('/contrats', READY);
    await page.locator('#liste-contrats[data-etat="pret"]').waitFor();
    const form = page.locator('#formulaire-contrat');
    await form.locator('#contrat-code').fill('CRTE-TEST-WEB');
    await form.locator('#contrat-nom').fill('CRTE de test du web');
    await form.getByLabel('Première année').fill('2021');
    await form.getByLabel('Dernière année').fill('2026');
    const epcis = form.getByLabel('SIREN des EPCI du périmètre');
    // Not 9 digits: the browser says so; 9 digits but no EPCI: the API's message, under the same field.
    await epcis.fill(`${PORTE_DU_HAINAUT} 12345`);
    await form.getByRole('button', { name: 'Créer le contrat' }).click();
    expect(await page.locator('#contrat-epcis-erreur').innerText()).toBe('Périmètre (epcis) : « 12345 » n’est pas un SIREN (9 chiffres).');
    await epcis.fill(`${PORTE_DU_HAINAUT}\n123456789`);
    await form.getByRole('button', { name: 'Créer le contrat' }).click();
    await page.locator('#contrat-epcis-erreur', { hasText: 'données Etalab' }).waitFor();
    expect(await page.locator('#contrat-epcis-erreur').innerText()).toBe('Périmètre (epcis) : SIREN 123456789 : aucun EPCI de ce numéro dans les données Etalab.');
    expect((await api('{ contracts { code } }')).contracts.map((c: any) => c.code)).toEqual([CONTRACT]);

    await epcis.fill(`${PORTE_DU_HAINAUT}, ${VALENCIENNES}`);
    await form.getByRole('button', { name: 'Créer le contrat' }).click();
    await page.getByTestId('lien-nouveau-contrat').waitFor();
    expect(await page.getByTestId('lien-nouveau-contrat').getAttribute('href')).toBe('/tableau-de-bord?contrat=CRTE-TEST-WEB');
    expect(await page.locator('#contrat-epcis-erreur').count()).toBe(0);
    await eventually(() => page.getByTestId('contrat-CRTE-TEST-WEB-communes').textContent(), '82');
    const { contract } = await api('{ contract(code: "CRTE-TEST-WEB") { name startYear endYear perimeter { siren } communes { id } } }');
    expect(contract).toMatchObject({ name: 'CRTE de test du web', startYear: 2021, endYear: 2026 });
    expect(contract.perimeter.map((o: any) => o.siren).sort()).toEqual([PORTE_DU_HAINAUT, VALENCIENNES]);
    expect(contract.communes).toHaveLength(82);

    // A reader sees the list, not the form.
    await as(tokens.reader);
    await page.goto('/contrats', READY);
    await page.locator('#liste-contrats[data-etat="pret"]').waitFor();
    expect(await page.locator('#nouveau-contrat').isHidden()).toBe(true);
    expect(browser.errors).toEqual([]);
  });
});
