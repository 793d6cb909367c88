import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';
import { openBrowser, TestBrowser } from './browser';

/** Chromium logs the 404 of the page it navigated to as a console error: the one the test provokes. */
const unexpected = (errors: string[]) => errors.filter((message) => !/status of 404 \(Not Found\)/.test(message));

describe(`error pages in a browser on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let base: string;
  let browser: TestBrowser | undefined;

  beforeAll(async () => {
    api = await startTestServer();
    base = `http://localhost:${api.server.port}`;
  });
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });
  afterAll(async () => api?.close());

  it('shows an unknown address as the site’s 404 page, styled and scripted within its CSP, leading home', async () => {
    browser = await openBrowser(base);
    const { page } = browser;
    const response = await page.goto('/adresse-inconnue');
    expect(response?.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Page non trouvée' }).waitFor();
    expect(await page.title()).toBe('Page non trouvée — Suivi des CRTE');
    // The DSFR's stylesheet applied (its header is laid out), its script ran (it marks the document).
    await page.locator('html[data-fr-js="true"]').waitFor();
    expect(await page.locator('header.fr-header').isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Requêtes' }).count()).toBe(1);
    await browser.screenshot('erreur-404');
    // No CSP violation, no script error.
    expect(unexpected(browser.errors)).toEqual([]);

    await page.getByRole('main').getByRole('link', { name: 'Page d’accueil' }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole('heading', { level: 1, name: 'Suivi des contrats de relance et de transition écologique' }).waitFor();
  });

  it('shows GET /graphql as a page leading to the queries page', async () => {
    browser = await openBrowser(base);
    const { page } = browser;
    const response = await page.goto('/graphql');
    expect(response?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: 'L’API GraphQL' }).waitFor();
    await page.getByRole('link', { name: 'Écrire une requête' }).click();
    await page.waitForURL(`${base}/requetes`);
    expect(unexpected(browser.errors)).toEqual([]);
  });
});
