import type { Page } from 'playwright-core';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { openBrowser, TestBrowser } from './browser';

/** "20 100 000,00 €" whatever spaces the page uses. */
const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ').trim();
const frenchEuros = (decimal: string) => {
  const [whole, fraction] = decimal.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${fraction} €`;
};

/**
 * The whole path of issue 6, through the pages only: every fixture of ../shared/fixtures deposited with
 * its preview's total and issue count read on screen, applied (annex 2 is rejected: its ambiguous cells
 * must be fixed first), the dashboard's figures checked against the API, one file rolled back from the
 * history page, and the dashboard again. Figures from test/fixtures/partners/README.md.
 */
describe(`a partner's path through the pages on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let browser: TestBrowser;
  const organisation: Record<string, string> = {};

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    const organisations = api.db.dataSource.getRepository(Organisation);
    organisation.bdt = String((await organisations.findOneByOrFail({ name: 'Banque des Territoires' })).id);
    organisation.douaisis = String((await organisations.findOneByOrFail({ siren: '200044618' })).id);
    organisation.ademe = String((await organisations.findOneByOrFail({ shortName: 'ADEME' })).id);
    organisation.state = String((await organisations.findOneByOrFail({ name: 'État' })).id);
    const { secret } = await createToken(api.db.dataSource, { name: 'Sous-préfecture de Douai', role: Role.ADMIN, organisationId: null });
    browser = await openBrowser(`http://localhost:${api.server.port}`, { token: secret });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  async function stageTotal(stage: string): Promise<string> {
    const { body } = await api.graphql(`query ($stage: FundingStage!) { fundingTotals(groupBy: [STAGE], filter: { contract: "CRTE-DOUAISIS", stage: [$stage] }) { amount } }`, { stage });
    expect(body.errors).toBeUndefined();
    return body.data.fundingTotals[0]?.amount ?? '0.00';
  }

  async function deposit(page: Page, file: string, kind: string, source: string): Promise<any> {
    await page.getByLabel('Nature du fichier').selectOption(kind);
    await page.getByLabel('Organisation qui envoie le fichier').selectOption(source);
    await page.getByLabel('Formats acceptés').setInputFiles(fixturePath(file));
    const response = page.waitForResponse((r) => r.url().endsWith('/api/imports') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    const preview = await (await response).json();
    await page.getByRole('heading', { name: '2. Aperçu' }).waitFor();
    return preview;
  }

  const summary = async (page: Page, label: string) =>
    plain(await page.locator('#depot-synthese tbody tr', { has: page.getByRole('rowheader', { name: label }) }).locator('td').innerText());

  async function dashboardFigure(page: Page, stage: string): Promise<string> {
    await page.goto('/tableau-de-bord');
    await page.locator('#etat[data-etat="pret"]').waitFor();
    return plain(await page.getByTestId(`chiffre-${stage}`).innerText());
  }

  const batches: Record<string, number> = {};

  it('deposits every fixture, reads its preview, applies it unless it has errors', async () => {
    const { page } = browser;
    await page.goto('/depot');
    await page.getByText('Jeton administrateur de « Sous-préfecture de Douai »').waitFor();
    const files: Array<[string, string, string, string, number, number]> = [
      // file, kind, source, total read, lines, errors
      ['annexe3-banque-des-territoires-2023.xlsx', 'annex3', organisation.bdt, '20100000.00', 10, 0],
      ['annexe3-douaisis-agglo-2022.xlsx', 'annex3', organisation.douaisis, '19650000.00', 14, 0],
      ['annexe3-ademe-2021-2023.csv', 'annex3', organisation.ademe, '2891200.50', 13, 0],
      ['dotations-detr-dsil-fnadt-2017-2021.xlsx', 'dotations', organisation.state, '22794044.74', 30, 0],
    ];
    for (const [file, kind, source, total, lines, errors] of files) {
      const preview = await deposit(page, file, kind, source);
      expect(preview).toMatchObject({ status: 'PREVIEWED', total, counts: { lines, errors } });
      expect(await summary(page, 'Total des montants lus')).toBe(frenchEuros(total));
      expect(await summary(page, 'Lignes lues')).toBe(String(lines));
      expect(await summary(page, 'Erreurs')).toBe('0');
      expect(await summary(page, 'Avertissements')).toBe(String(preview.counts.warnings));
      // One row per issue; a file without any says so in a single row.
      expect(await page.locator('#depot-anomalies tbody tr').count()).toBe(Math.max(1, preview.issues.length));
      const applied = page.waitForResponse((r) => r.url().endsWith(`/api/imports/${preview.batchId}/apply`));
      await page.getByRole('button', { name: 'Appliquer', exact: true }).click();
      expect((await applied).status()).toBe(200);
      await page.getByText(`Fichier appliqué (lot n° ${preview.batchId})`).waitFor();
      batches[file] = preview.batchId;
      await page.getByRole('button', { name: 'Déposer un autre fichier' }).click();
    }

    // Annex 2: its ambiguous « 1,050 000 € » and unreadable cells are errors; nothing can be applied.
    const annex2 = await deposit(page, 'annexe2-bilan-plan-de-relance-douaisis.xlsx', 'annex2', organisation.state);
    expect(annex2.status).toBe('REJECTED');
    expect(annex2.counts.errors).toBeGreaterThan(0);
    expect(await summary(page, 'Erreurs')).toBe(String(annex2.counts.errors));
    expect(await page.locator('#depot-anomalies tbody tr').count()).toBe(annex2.issues.length);
    await expect(page.getByRole('button', { name: 'Appliquer', exact: true }).isDisabled()).resolves.toBe(true);
    await browser.screenshot('parcours-depot-annexe2');
  });

  it('shows on the dashboard the figures the API gives', async () => {
    const { page } = browser;
    // Planned: Banque des Territoires 20 100 000 + Douaisis Agglo 19 650 000.
    expect(await stageTotal('PLANNED')).toBe('39750000.00');
    expect(await dashboardFigure(page, 'PLANNED')).toBe(frenchEuros('39750000.00'));
    // Granted: ADEME's 1 046 000,50 €; paid: ADEME's 83 200 € and the EPCIs' grants received, 22 794 044,74 €.
    expect(plain(await page.getByTestId('chiffre-GRANTED').innerText())).toBe(frenchEuros(await stageTotal('GRANTED')));
    expect(await stageTotal('GRANTED')).toBe('1046000.50');
    expect(plain(await page.getByTestId('chiffre-PAID').innerText())).toBe(frenchEuros(await stageTotal('PAID')));
    expect(await stageTotal('PAID')).toBe('22877244.74');
    await browser.screenshot('parcours-tableau-de-bord');
  });

  it('rolls back the Banque des Territoires file from the history, and the dashboard follows', async () => {
    const { page } = browser;
    const batchId = batches['annexe3-banque-des-territoires-2023.xlsx'];
    await page.goto(`/historique?lot=${batchId}`);
    const detail = page.locator('#detail-depot');
    await page.getByRole('heading', { level: 2, name: `Dépôt n° ${batchId} — annexe3-banque-des-territoires-2023.xlsx` }).waitFor();
    await detail.getByRole('button', { name: 'Annuler ce dépôt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Annuler ce dépôt ?' });
    await dialog.waitFor();
    await browser.screenshot('parcours-historique-annulation');
    const rolledBack = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('rollbackImport'));
    await dialog.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    expect((await (await rolledBack).json()).data.rollbackImport.status).toBe('ROLLED_BACK');
    await page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: `Le dépôt n° ${batchId} est annulé` }).waitFor();

    expect(await stageTotal('PLANNED')).toBe('19650000.00');
    expect(await dashboardFigure(page, 'PLANNED')).toBe(frenchEuros('19650000.00'));
  });

  it('runs a query on the queries page', async () => {
    const { page } = browser;
    await page.goto('/requetes');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await browser.screenshot('parcours-requetes');
  });

  it('met no browser error on the way, other than the API refusing the annex 2 (422)', () => {
    expect(browser.errors.filter((message) => !/status of 422/.test(message))).toEqual([]);
  });
});
