/**
 * What a State service must show (issue 18): the footer's mandatory links on every page, their pages, and
 * an automated accessibility audit of the pages with axe-core (WCAG 2.1 A and AA rules) — no « serious »
 * or « critical » violation. The pages hold real data: the seed and the Banque des Territoires file.
 */
import { readFileSync } from 'node:fs';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { Role } from '../../src/kernel/role.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { WEB_PAGES } from '../../src/web/page-layout';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { openBrowser, TestBrowser } from './browser';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Each page, and what says it is ready (its data drawn). */
const PAGES: Array<{ path: string; ready: string }> = [
  { path: '/', ready: 'h1' },
  { path: '/tableau-de-bord', ready: '#bloc-actions[data-etat="pret"]' },
  { path: '/depot', ready: '#depot-source option:nth-child(20)' },
  { path: '/historique', ready: '#tableau-depots tbody tr' },
  { path: '/requetes', ready: 'h1' },
  // With the admin's token: the list and the « Nouveau contrat » form.
  { path: '/contrats', ready: '#liste-contrats[data-etat="pret"]' },
  { path: '/accessibilite', ready: 'h1' },
  { path: '/mentions-legales', ready: 'h1' },
  { path: '/donnees-personnelles', ready: 'h1' },
];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

describe(`accessibility and the mandatory footer on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let baseURL: string;
  let admin: string;
  let browser: TestBrowser;

  beforeAll(async () => {
    api = await startTestServer({ prepare: async ({ dataSource }) => void (await seedReferenceData(dataSource)) });
    baseURL = `http://localhost:${api.server.port}`;
    const { dataSource } = api.db;
    admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    await importFile(dataSource, {
      buffer: readFileSync(fixturePath('annexe3-banque-des-territoires-2023.xlsx')),
      fileName: 'annexe3-banque-des-territoires-2023.xlsx',
      kind: ImportKind.ANNEX3,
      source: 'Banque des Territoires',
      uploadedBy: 'Direction régionale BdT',
    });
    browser = await openBrowser(baseURL, { token: admin });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('visits every page the site serves (WEB_PAGES)', () => {
    expect(PAGES.map((page) => page.path).sort()).toEqual(WEB_PAGES.map((page) => page.path).sort());
  });

  it('links, from every page’s footer, the accessibility statement, the legal notice and the personal data page', async () => {
    const { page } = browser;
    for (const { path } of PAGES) {
      await page.goto(path);
      const footer = page.getByRole('contentinfo');
      expect(await footer.getByRole('link', { name: 'Accessibilité : non conforme' }).getAttribute('href')).toBe('/accessibilite');
      expect(await footer.getByRole('link', { name: 'Mentions légales' }).getAttribute('href')).toBe('/mentions-legales');
      expect(await footer.getByRole('link', { name: 'Données personnelles' }).getAttribute('href')).toBe('/donnees-personnelles');
    }
    await page.goto('/');
    await page.getByRole('contentinfo').getByRole('link', { name: 'Accessibilité : non conforme' }).click();
    await page.getByRole('heading', { level: 1, name: 'Déclaration d’accessibilité' }).waitFor();
    // The statement says the same state as the footer, and why.
    expect(await page.getByRole('main').innerText()).toContain('Ce site est non conforme avec le référentiel général d’amélioration de l’accessibilité (RGAA)');
  });

  it('has no serious or critical axe-core violation (WCAG 2.1 A and AA) on any page', async () => {
    const { page } = browser;
    const found: string[] = [];
    const lesser: string[] = [];
    let passes = 0;
    for (const { path, ready } of PAGES) {
      await page.goto(path);
      await page.locator(ready).first().waitFor({ state: 'attached' });
      // Evaluated by the browser's devtools protocol, which the pages' Content Security Policy does not govern.
      await page.evaluate(AXE_SOURCE);
      const result = (await page.evaluate(
        'axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }).then((r) => ({ violations: r.violations, passes: r.passes.length }))',
      )) as { violations: AxeViolation[]; passes: number };
      passes += result.passes;
      for (const violation of result.violations) {
        if (violation.impact !== 'serious' && violation.impact !== 'critical') lesser.push(`${path}: ${violation.id} (${violation.impact})`);
        if (violation.impact === 'serious' || violation.impact === 'critical') {
          found.push(`${path}: ${violation.id} (${violation.impact}) ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`);
        }
      }
    }
    // The audit ran: rules passed on every page (a page where axe did not run would pass none).
    expect(passes).toBeGreaterThan(PAGES.length * 5);
    console.log(`axe-core : ${passes} règles satisfaites sur ${PAGES.length} pages ; mineures ou modérées : ${lesser.join(' ; ') || 'aucune'}`);
    expect(found).toEqual([]);
  });
});
