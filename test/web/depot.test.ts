import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { In } from 'typeorm';
import * as XLSX from 'xlsx';
import { Action } from '../../src/action/action.entity';
import { Contract } from '../../src/contract/contract.entity';
import { IndicatorValue } from '../../src/indicator/indicator-value.entity';
import { Indicator } from '../../src/indicator/indicator.entity';
import { ActionStatus } from '../../src/kernel/action-status.enum';
import { normaliseText } from '../../src/kernel/normalise-text';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { formatCents } from '../../src/kernel/money';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { openBrowser, TestBrowser } from './browser';

/** "20 100 000,00 €" whatever spaces euros() uses (narrow and non-breaking). */
const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ').trim();
/** The README's figures, written as the page writes them. */
const frenchEuros = (decimal: string) => {
  const [whole, fraction] = decimal.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${fraction} €`;
};
const sum = (...decimals: string[]) => formatCents(decimals.reduce((total, decimal) => total + BigInt(decimal.replace('.', '')), 0n));

/**
 * Chromium deliberately sent to refusals (400, 413) and rejections (422) logs "Failed to load resource"
 * for each: those, and only those, are expected.
 */
function unexpectedErrors(browser: TestBrowser): string[] {
  return browser.errors.filter((message) => !/Failed to load resource: the server responded with a status of (400|413|422)/.test(message));
}

describe(`page /depot on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let baseURL: string;
  const tokens = { admin: '', editorDouaisis: '' };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    baseURL = `http://localhost:${api.server.port}`;
    const dataSource = api.db.dataSource;
    const organisations = dataSource.getRepository(Organisation);
    ids.bdt = String((await organisations.findOneByOrFail({ name: 'Banque des Territoires' })).id);
    ids.douaisis = String((await organisations.findOneByOrFail({ siren: '200044618' })).id);
    ids.ademe = String((await organisations.findOneByOrFail({ shortName: 'ADEME' })).id);
    ids.state = String((await organisations.findOneByOrFail({ name: 'État' })).id);
    tokens.admin = (await createToken(dataSource, { name: 'Sous-préfecture de Douai', role: Role.ADMIN, organisationId: null })).secret;
    tokens.editorDouaisis = (await createToken(dataSource, { name: 'Service finances DA', role: Role.EDITOR, organisationId: Number(ids.douaisis) })).secret;
  });
  afterAll(async () => api?.close());

  const batchStatus = async (id: number) => (await api.db.dataSource.getRepository(ImportBatch).findOneByOrFail({ id })).status;

  /** Fills the form and previews a fixture; returns the API's JSON preview. */
  async function preview(page: Page, file: string, kind: string, source: string | null): Promise<any> {
    await page.getByLabel('Nature du fichier').selectOption(kind);
    if (source) await page.getByLabel('Organisation qui envoie le fichier').selectOption(source);
    await page.getByLabel('Formats acceptés').setInputFiles(fixturePath(file));
    const response = page.waitForResponse((r) => r.url().endsWith('/api/imports') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    const preview = await (await response).json();
    await page.getByRole('heading', { name: '2. Aperçu' }).waitFor();
    return preview;
  }

  /** A figure of the preview's summary, by its row heading. */
  const figure = async (page: Page, label: string | RegExp) =>
    plain(await page.locator('#depot-synthese tbody tr', { has: page.getByRole('rowheader', { name: label }) }).locator('td').innerText());

  async function abandon(page: Page, batchId: number, expectCall = true): Promise<void> {
    const call = expectCall ? page.waitForResponse((r) => r.url().endsWith(`/api/imports/${batchId}/abandon`)) : null;
    await page.getByRole('button', { name: 'Abandonner' }).click();
    if (call) expect((await call).status()).toBe(200);
    await page.getByRole('heading', { name: '1. Le fichier et son origine' }).waitFor();
  }

  it('without a token: says one is needed and disables the form', async () => {
    const browser = await openBrowser(baseURL);
    try {
      const { page } = browser;
      await page.goto('/depot');
      await page.getByText('Un jeton d’accès est nécessaire pour déposer un fichier').waitFor();
      await expect(page.getByRole('button', { name: 'Prévisualiser' }).isDisabled()).resolves.toBe(true);
      await expect(page.getByLabel('Organisation qui envoie le fichier').isDisabled()).resolves.toBe(true);
      expect(unexpectedErrors(browser)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('previews the five fixtures with an admin token, applies Banque des Territoires, abandons the others, downloads the annex 2 issues', async () => {
    const browser = await openBrowser(baseURL, { token: tokens.admin });
    const { page } = browser;
    try {
      await page.goto('/depot');
      await page.getByText('Jeton administrateur de « Sous-préfecture de Douai »').waitFor();
      await expect(page.getByLabel('Contrat', { exact: true }).inputValue()).resolves.toBe('CRTE-DOUAISIS');
      // The admin may choose any organisation of the contract (the list comes after the notice, from its own query).
      // The list of senders is filled (more than 50 options). Not a waitForFunction: with a string, its polling
      // evaluates it as code, which the page's Content Security Policy forbids (an EvalError when not yet true).
      await page.locator('#depot-source option').nth(50).waitFor({ state: 'attached' });
      expect(await page.getByLabel('Organisation qui envoie le fichier').locator('option').count()).toBeGreaterThan(50);
      await browser.screenshot('depot-formulaire');

      // Banque des Territoires, annex 3: 10 lines, 20 100 000 €, no error.
      const bdt = await preview(page, 'annexe3-banque-des-territoires-2023.xlsx', 'annex3', ids.bdt);
      expect(bdt).toMatchObject({ status: 'PREVIEWED', total: '20100000.00', counts: { lines: 10, errors: 0 } });
      await page.getByText('Aperçu prêt à appliquer').waitFor();
      expect(await figure(page, 'Total des montants lus')).toBe(frenchEuros('20100000.00'));
      expect(await figure(page, 'Lignes lues')).toBe('10');
      expect(await figure(page, 'Erreurs')).toBe('0');
      expect(await figure(page, 'Avertissements')).toBe(String(bdt.counts.warnings));
      expect(await figure(page, 'Disposition reconnue')).toBe('une colonne par année (by-year)');
      // Every line with its cell: DA-01's 2023 loan comes from I6.
      const firstLine = page.locator('#depot-lignes-table tbody tr').first();
      expect(plain(await firstLine.innerText())).toMatch(/^2 500 000,00 €\s+2023\s+Banque des Territoires\s+Prévu\s+Prêt\s+DA-01\s+Programmation 2023!I6$/);
      expect(await page.locator('#depot-lignes-table tbody tr').count()).toBe(10);
      // The issues in the page's order are the API's, errors first (none here).
      const issueRows = page.locator('#depot-anomalies tbody tr');
      expect(await issueRows.count()).toBe(bdt.issues.length);
      await browser.screenshot('depot-apercu');

      const before = await api.graphql(`{ fundingTotals(groupBy: [FUNDER], filter: { contract: "CRTE-DOUAISIS", funder: "Banque des Territoires" }) { amount lines } }`);
      expect(before.body.data.fundingTotals).toEqual([]);
      const applyCall = page.waitForResponse((r) => r.url().endsWith(`/api/imports/${bdt.batchId}/apply`));
      await page.getByRole('button', { name: 'Appliquer', exact: true }).click();
      const applyResponse = await applyCall;
      expect(applyResponse.status()).toBe(200);
      const appliedBody = (await applyResponse.json()) as { applied: { createdActions: number; createdOrganisations: number } };
      await page.getByText(`Fichier appliqué (lot n° ${bdt.batchId})`).waitFor();
      expect(plain(await page.locator('#depot-action-message').innerText())).toContain('10 lignes enregistrées');
      // The preview now reads in the past: nothing says « will be created » or « nothing has changed yet ».
      expect(plain(await page.locator('#depot-apercu-intro').innerText())).toContain('appliqué. Ses lignes sont maintenant dans les données du contrat.');
      expect(await figure(page, 'Actions créées')).toBe(String(appliedBody.applied.createdActions));
      expect(await figure(page, 'Organisations créées')).toBe(String(appliedBody.applied.createdOrganisations));
      const pageText = await page.locator('main').innerText();
      expect(pageText).not.toMatch(/Rien n’a encore changé|Actions à créer|sera créée/);
      expect(await page.getByRole('link', { name: 'Voir l’historique des dépôts' }).getAttribute('href')).toBe('/historique');
      const after = await api.graphql(`{ fundingTotals(groupBy: [FUNDER], filter: { contract: "CRTE-DOUAISIS", funder: "Banque des Territoires" }) { amount lines } }`);
      expect(after.body.data.fundingTotals).toEqual([{ amount: '20100000.00', lines: 10 }]);
      expect(await batchStatus(bdt.batchId)).toBe('APPLIED');
      await page.getByRole('button', { name: 'Déposer un autre fichier' }).click();

      // Douaisis Agglo, annex 3: 14 lines, 19 650 000 €; abandoned.
      const da = await preview(page, 'annexe3-douaisis-agglo-2022.xlsx', 'annex3', ids.douaisis);
      expect(await figure(page, 'Total des montants lus')).toBe(frenchEuros('19650000.00'));
      expect(await figure(page, 'Lignes lues')).toBe('14');
      expect(await figure(page, 'Erreurs')).toBe('0');
      await abandon(page, da.batchId);
      await page.getByText(`Aperçu n° ${da.batchId} abandonné`).waitFor();
      expect(await batchStatus(da.batchId)).toBe('ABANDONED');
      const seen = await api.graphql(`query ($id: ID!) { importBatch(id: $id) { status } }`, { id: String(da.batchId) }, tokens.admin);
      expect(seen.body.data.importBatch).toEqual({ status: 'ABANDONED' });

      // ADEME, CSV: requested 1 762 000, granted 1 046 000,50, paid 83 200 — and their sum.
      const ademe = await preview(page, 'annexe3-ademe-2021-2023.csv', 'annex3', ids.ademe);
      expect(await figure(page, 'Lignes lues')).toBe('13');
      expect(await figure(page, 'Total lu à l’étape « Demandé »')).toBe(frenchEuros('1762000.00'));
      expect(await figure(page, 'Total lu à l’étape « Attribué »')).toBe(frenchEuros('1046000.50'));
      expect(await figure(page, 'Total lu à l’étape « Payé »')).toBe(frenchEuros('83200.00'));
      expect(await figure(page, 'Total des montants lus')).toBe(frenchEuros(sum('1762000.00', '1046000.50', '83200.00')));
      expect(await figure(page, 'Erreurs')).toBe('0');
      await abandon(page, ademe.batchId);

      // Dotations, from the State: 30 lines, Douaisis Agglo 16 546 179,90 € + Cœur d'Ostrevent 6 247 864,84 €.
      const dotations = await preview(page, 'dotations-detr-dsil-fnadt-2017-2021.xlsx', 'dotations', ids.state);
      expect(await figure(page, 'Lignes lues')).toBe('30');
      expect(await figure(page, 'Total des montants lus')).toBe(frenchEuros(sum('16546179.90', '6247864.84')));
      expect(await figure(page, 'Erreurs')).toBe('0');
      expect(await figure(page, 'Avertissements')).toBe('0');
      await page.getByText('Aucune anomalie').waitFor();
      expect(await page.getByRole('button', { name: /^Télécharger les anomalies/ }).count()).toBe(0);
      await abandon(page, dotations.batchId);

      // Annex 2: rejected, errors first in the table (the ambiguous « 1,050 000 € »), Appliquer disabled.
      const annex2 = await preview(page, 'annexe2-bilan-plan-de-relance-douaisis.xlsx', 'annex2', ids.state);
      expect(annex2.status).toBe('REJECTED');
      await page.getByText('Rejeté : erreurs à corriger').waitFor();
      expect(Number(await figure(page, 'Erreurs'))).toBeGreaterThan(0);
      expect(await figure(page, 'Erreurs')).toBe(String(annex2.counts.errors));
      expect(await figure(page, 'Avertissements')).toBe(String(annex2.counts.warnings));
      expect(await figure(page, 'Mesures lues')).toBe('44');
      await expect(page.getByRole('button', { name: 'Appliquer', exact: true }).isDisabled()).resolves.toBe(true);
      const rows = page.locator('#depot-anomalies tbody tr');
      expect(await rows.count()).toBe(annex2.counts.errors + annex2.counts.warnings);
      const severities = await rows.locator('td:first-child').allInnerTexts();
      // The DSFR badge shows its text in capitals.
      expect(severities.map((text) => text.toUpperCase())).toEqual([...Array(annex2.counts.errors).fill('ERREUR'), ...Array(annex2.counts.warnings).fill('AVERTISSEMENT')]);
      const ambiguous = rows.filter({ hasText: '1,050 000 €' });
      expect(plain(await ambiguous.innerText())).toMatch(/^Erreur\s+Annexe 2!C10\s+« 1,050 000 € » peut se lire de deux façons.*\s+1,050 000 €\s+AMOUNT_AMBIGUOUS$/is);
      await page.getByRole('heading', { name: /^Anomalies \(/ }).scrollIntoViewIfNeeded();
      await browser.screenshot('depot-anomalies');

      // The first button: the CSV French Excel opens in columns (« ; », UTF-8 BOM).
      const csvEvent = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Télécharger les anomalies (CSV pour Excel)' }).click();
      const csvFile = await csvEvent;
      expect(csvFile.suggestedFilename()).toBe(`anomalies-lot-${annex2.batchId}.csv`);
      const csvText = readFileSync(await csvFile.path()).toString('utf8');
      expect(csvText.startsWith('\uFEFFGravité;Code;Message;Feuille;Cellule;Valeur lue\r\n')).toBe(true);
      expect(csvText.trimEnd().split('\r\n')).toHaveLength(1 + annex2.counts.errors + annex2.counts.warnings);

      const downloadEvent = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Télécharger les anomalies (xlsx)' }).click();
      const file = await downloadEvent;
      expect(file.suggestedFilename()).toBe(`anomalies-lot-${annex2.batchId}.xlsx`);
      const workbook = XLSX.read(readFileSync(await file.path()), { type: 'buffer' });
      const sheet = XLSX.utils.sheet_to_json<string[]>(workbook.Sheets[workbook.SheetNames[0]], { header: 1, defval: '' });
      expect(sheet[0]).toEqual(['Gravité', 'Code', 'Message', 'Feuille', 'Cellule', 'Valeur lue']);
      expect(sheet).toHaveLength(1 + annex2.counts.errors + annex2.counts.warnings);
      expect(sheet.slice(1, 1 + annex2.counts.errors).every((row) => row[0] === 'Erreur')).toBe(true);
      expect(sheet.find((row) => row[1] === 'AMOUNT_AMBIGUOUS')).toEqual(['Erreur', 'AMOUNT_AMBIGUOUS', expect.stringContaining('1 050 000 €'), 'Annexe 2', 'C10', '1,050 000 €']);
      // The spreadsheet's order is the page's.
      const pageCells = await rows.locator('td:nth-child(2)').allInnerTexts();
      expect(sheet.slice(1).map((row) => `${row[3]}!${row[4]}`)).toEqual(pageCells);

      // Issue 17: applied without its rows in error, after seeing which (rows 10 and 16: C10, C16 and D16) and
      // what they hold (D10's 6 353 000 € of investment); the batch records it.
      await page.getByRole('heading', { name: 'Appliquer sans les lignes en erreur' }).waitFor();
      const leftOut = page.locator('#depot-lignes-exclues tbody tr');
      const cellsOf = async (n: number) => (await leftOut.nth(n).locator('td').allInnerTexts()).map(plain);
      expect(await leftOut.count()).toBe(2);
      expect((await cellsOf(0)).slice(0, 3)).toEqual(['Annexe 2', '10', 'C10']);
      expect((await cellsOf(0))[3]).toContain('« 1,050 000 € » peut se lire de deux façons');
      expect((await cellsOf(1)).slice(0, 3)).toEqual(['Annexe 2', '16', 'C16, D16']);
      expect((await cellsOf(1))[3]).toMatch(/« 5275 002 € » n'est pas un montant lisible.*« 21 835 845 M€ » vaut/s);
      await page.getByRole('button', { name: 'Appliquer sans les lignes en erreur' }).click();
      expect(plain(await page.locator('#depot-confirmation-texte').innerText())).toBe(
        '2 lignes du fichier seront laissées de côté (1 montant lu sur ces lignes, 0,00 € d’aides et 6 353 000,00 € d’investissements soutenus) ; les autres seront appliquées, et le lot sera marqué « appliqué partiellement ».',
      );
      // Or C10 read as the person says (« 1 050 000 € »): checked again, row 10 is no longer left out.
      await page.getByLabel('Cellule douteuse').selectOption({ label: (await page.locator('#depot-correction-cellule option', { hasText: 'Annexe 2!C10' }).innerText()).trim() });
      await page.getByLabel('Lecture corrigée').fill('1 050 000 €');
      const corrected = page.waitForResponse((r) => r.url().endsWith(`/api/imports/${annex2.batchId}/corrections`));
      await page.getByRole('button', { name: 'Enregistrer la correction et vérifier à nouveau' }).click();
      expect((await corrected).status()).toBe(200);
      await page.getByText('Lecture de Annexe 2!C10 corrigée').waitFor();
      expect((await page.locator('#depot-corrections tbody td').allInnerTexts()).map(plain)).toEqual(['Annexe 2!C10', '1,050 000 €', '1 050 000 €', 'Sous-préfecture de Douai']);
      expect(await page.locator('#depot-lignes-exclues tbody tr').count()).toBe(1);
      await page.getByRole('button', { name: 'Appliquer sans les lignes en erreur' }).click();
      const partial = page.waitForResponse((r) => r.url().endsWith(`/api/imports/${annex2.batchId}/apply?allowPartial=true`));
      await page.getByRole('button', { name: 'Confirmer : appliquer sans ces lignes' }).click();
      expect((await partial).status()).toBe(200);
      await page.getByText(`Fichier appliqué partiellement (lot n° ${annex2.batchId})`).waitFor();
      await page.getByText('Appliqué partiellement : lignes en erreur laissées de côté').waitFor();
      expect(await api.db.dataSource.getRepository(ImportBatch).findOneByOrFail({ id: annex2.batchId })).toMatchObject({ status: 'APPLIED', appliedPartially: true, rowsLeftOut: 1 });
      await page.getByRole('button', { name: 'Déposer un autre fichier' }).click();
      await page.getByRole('heading', { name: '1. Le fichier et son origine' }).waitFor();

      // A refusal shows its French message next to the field it names.
      await page.getByLabel('Année (facultatif)').fill('20');
      const refused = page.waitForResponse((r) => r.url().endsWith('/api/imports') && r.request().method() === 'POST');
      await page.getByLabel('Organisation qui envoie le fichier').selectOption(ids.bdt);
      await page.locator('input[type=file]').setInputFiles(fixturePath('annexe3-banque-des-territoires-2023.xlsx'));
      await page.getByRole('button', { name: 'Prévisualiser' }).click();
      expect((await refused).status()).toBe(400);
      const yearError = page.locator('#groupe-year + #erreur-year');
      await yearError.waitFor();
      expect(plain(await yearError.innerText())).toContain('Le champ « year » doit être une année sur quatre chiffres (reçu « 20 »).');
      expect(await page.getByLabel('Année (facultatif)').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('Année (facultatif)').fill('');

      // Too large a file: 413, under the file field.
      const tooLarge = page.waitForResponse((r) => r.url().endsWith('/api/imports') && r.request().method() === 'POST');
      await page.locator('input[type=file]').setInputFiles({ name: 'enorme.csv', mimeType: 'text/csv', buffer: Buffer.alloc(21 * 1024 * 1024, 0x41) });
      await page.getByRole('button', { name: 'Prévisualiser' }).click();
      expect((await tooLarge).status()).toBe(413);
      await page.locator('#groupe-file + #erreur-file').waitFor();
      expect(plain(await page.locator('#erreur-file').innerText())).toMatch(/Fichier trop volumineux.*taille maximale/s);

      expect(unexpectedErrors(browser)).toEqual([]);
      // The three refusals provoked above, and nothing else, are in the console.
      expect(browser.errors.map((message) => /status of (\d+)/.exec(message)?.[1])).toEqual(['422', '400', '413']);
    } finally {
      await browser.close();
    }
  }, 90000); // 60 s before the annex 2 was corrected and applied partially here (two more reads of the file)

  it('shows where a deposit stands: the bytes sent with the file’s size, then the reading and checking', async () => {
    const browser = await openBrowser(baseURL, { token: tokens.admin });
    try {
      const { page } = browser;
      await page.goto('/depot');
      await page.locator('#depot-source option').nth(50).waitFor({ state: 'attached' });
      // Every state the progress block goes through, recorded as the page draws it.
      await page.evaluate(() => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's globals (no DOM types here)
        const scope = globalThis as any;
        const seen: string[] = [];
        scope.progressSeen = seen;
        new scope.MutationObserver(() => {
          const block = scope.document.getElementById('depot-progression');
          if (block && seen[seen.length - 1] !== block.innerText) seen.push(block.innerText);
        }).observe(scope.document.getElementById('depot-message'), { childList: true, subtree: true, characterData: true });
      });
      await page.getByLabel('Nature du fichier').selectOption('annex3');
      await page.getByLabel('Organisation qui envoie le fichier').selectOption(ids.bdt);
      await page.getByLabel('Formats acceptés').setInputFiles(fixturePath('annexe3-banque-des-territoires-2023.xlsx'));
      await page.getByRole('button', { name: 'Prévisualiser' }).click();
      await page.getByRole('heading', { name: '2. Aperçu' }).waitFor();
      const seen = (await page.evaluate(() => (globalThis as unknown as { progressSeen: string[] }).progressSeen)).map((text) => plain(text).replace(/\s+/g, ' ').trim());
      const size = statSync(fixturePath('annexe3-banque-des-territoires-2023.xlsx')).size;
      // 1. the bytes leaving, with the file's size; 2. the server reading and checking it.
      expect(seen[0]).toMatch(/^Envoi du fichier Étape 1 sur 3 Étape suivante : Lecture et contrôle Envoi de « annexe3-banque-des-territoires-2023\.xlsx » : /);
      expect(seen.some((text) => text.includes(`sur ${(size / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} Ko`))).toBe(true);
      expect(seen[seen.length - 1]).toMatch(/^Lecture et contrôle Étape 2 sur 3 Étape suivante : Application « annexe3-banque-des-territoires-2023\.xlsx » reçu : lecture des feuilles et contrôle de chaque ligne…$/);
      // Once the preview is there, the progress block is gone.
      expect(await page.locator('#depot-progression').count()).toBe(0);
      await abandon(page, Number((await page.locator('#depot-apercu').innerText()).match(/lot n° (\d+)/)![1]));
    } finally {
      await browser.close();
    }
  });

  it('an editor of Douaisis Agglo sees only its organisation as source, and previews its file (the Ville de Douai’s lines refused)', async () => {
    const browser = await openBrowser(baseURL, { token: tokens.editorDouaisis });
    try {
      const { page } = browser;
      await page.goto('/depot');
      await page.getByText('vous déposez les fichiers de CA Douaisis Agglo, et de cette seule organisation').waitFor();
      const source = page.getByLabel('Organisation qui envoie le fichier');
      await expect(source.isDisabled()).resolves.toBe(true);
      expect(await source.locator('option').allInnerTexts()).toEqual(['CA Douaisis Agglo (Douaisis Agglo)']);
      await expect(source.inputValue()).resolves.toBe(ids.douaisis);
      // Its own actions' lines pass; those of the Ville de Douai's actions (DOU-03, DOU-05, DA-22: other
      // funders' money on actions it does not lead) are not its to declare (issue 13): rejected, 7 errors.
      const previewed = await preview(page, 'annexe3-douaisis-agglo-2022.xlsx', 'annex3', null);
      expect(previewed).toMatchObject({ status: 'REJECTED', total: '16000000.00', counts: { errors: 7 } });
      await page.getByText('Rejeté : erreurs à corriger').waitFor();
      expect(await figure(page, 'Total des montants lus')).toBe(frenchEuros('16000000.00'));
      expect(await figure(page, 'Erreurs')).toBe('7');
      // The rejected batch changed nothing: leaving it makes no call.
      await abandon(page, previewed.batchId, false);
      expect(await batchStatus(previewed.batchId)).toBe('REJECTED');
      expect(unexpectedErrors(browser)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('works at 375 px wide: a preview with its figures, no page-wide horizontal scroll', async () => {
    const browser = await openBrowser(baseURL, { token: tokens.admin, viewport: { width: 375, height: 800 } });
    try {
      const { page } = browser;
      await page.goto('/depot');
      await page.getByText('Jeton administrateur').waitFor();
      const previewed = await preview(page, 'annexe3-ademe-2021-2023.csv', 'annex3', ids.ademe);
      expect(await figure(page, 'Lignes lues')).toBe('13');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      await browser.screenshot('depot-375');
      await abandon(page, previewed.batchId);
      expect(unexpectedErrors(browser)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('sends the programme of a grants list of one programme (issue 15): the Fonds vert list whose measures do not say it; then an action plan of one sheet per year, no year given; then every other family of issue 15 on the same form', async () => {
    const browser = await openBrowser(baseURL, { token: tokens.admin });
    try {
      const { page } = browser;
      await page.goto('/depot');
      await page.getByText('Jeton administrateur').waitFor();
      // The list of senders is filled (more than 50 options). Not a waitForFunction: with a string, its polling
      // evaluates it as code, which the page's Content Security Policy forbids (an EvalError when not yet true).
      await page.locator('#depot-source option').nth(50).waitFor({ state: 'attached' });
      const text = readFileSync(join(__dirname, '..', 'fixtures', 'grants', 'fonds-vert-2023.csv'), 'utf8').replace(/;7\d{4};[^;]*;/g, ';70000;Appel à projets local;');
      await page.getByLabel('Nature du fichier').selectOption('grants');
      await page.getByLabel('Organisation qui envoie le fichier').selectOption(ids.state);
      await page.getByLabel('Année (facultatif)').fill('2023');
      await page.getByLabel('Programme (facultatif)').fill('Fonds vert');
      await page.getByLabel('Formats acceptés').setInputFiles({ name: 'liste-fonds-vert.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
      const response = page.waitForResponse((r) => r.url().endsWith('/api/imports') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Prévisualiser' }).click();
      const previewed = await (await response).json();
      await page.getByRole('heading', { name: '2. Aperçu' }).waitFor();
      expect(previewed).toMatchObject({ status: 'PREVIEWED', total: '4845000.50', counts: { lines: 4, errors: 0 } });
      expect(await figure(page, 'Total des montants lus')).toBe(frenchEuros('4845000.50'));
      expect((await api.db.dataSource.getRepository(ImportBatch).findOneByOrFail({ id: previewed.batchId })).programme).toBe('Fonds vert');
      await abandon(page, previewed.batchId);

      // The same page, a Territoires en Transitions plan of one sheet per year, its year and programme fields
      // left empty: the sheets' names give the years (test/fixtures/action-plans/README.md).
      const plan = join(__dirname, '..', 'fixtures', 'action-plans', 'plan-action-tet-par-annee.ods');
      await page.getByLabel('Nature du fichier').selectOption('annex3');
      await page.getByLabel('Organisation qui envoie le fichier').selectOption(ids.douaisis);
      await page.getByLabel('Année (facultatif)').fill('');
      await page.getByLabel('Programme (facultatif)').fill('');
      await page.getByLabel('Formats acceptés').setInputFiles(plan);
      const planResponse = page.waitForResponse((r) => r.url().endsWith('/api/imports') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Prévisualiser' }).click();
      const planPreview = await (await planResponse).json();
      await page.getByRole('heading', { name: '2. Aperçu' }).waitFor();
      expect(planPreview).toMatchObject({ status: 'PREVIEWED', layout: 'action-plan', total: '1103000.00', counts: { lines: 7, errors: 0 } });
      expect(await figure(page, 'Total des montants lus')).toBe(frenchEuros('1103000.00'));
      expect(await figure(page, 'Disposition reconnue')).toBe('plan d’action Territoires en Transitions (action-plan)');
      await abandon(page, planPreview.batchId);

      // The other families of issue 15, on the same page and form, one upload each; the figures are their
      // fixtures' READMEs' (test/fixtures/grants, open-data, sheets, action-plans).
      // The indicator table names actions 1.1.2 and 2.3.1: the contract must have them (as in its API test).
      const contract = await api.db.dataSource.getRepository(Contract).findOneByOrFail({ code: 'CRTE-DOUAISIS' });
      const now = new Date();
      for (const [code, title] of [
        ['1.1.2', 'Rénovation des bâtiments publics'],
        ['2.3.1', 'Bornes de recharge'],
      ]) {
        await api.db.dataSource.getRepository(Action).insert({ contractId: contract.id, code, title, normalisedTitle: normaliseText(title), leadId: Number(ids.douaisis), status: ActionStatus.UNDERWAY, createdAt: now, updatedAt: now });
      }
      const families: Array<{ file: string; kind: string; source: string; year?: string; figures: Record<string, string>; layout?: string }> = [
        // DGCL list since 2020 (Windows-1252): 5 lines, 1 670 000,75 €, 300 outside; applied below.
        { file: 'grants/dgcl-2021.csv', kind: 'grants', source: ids.state, figures: { 'Lignes lues': '5', 'Lignes hors du périmètre, laissées de côté': '300', 'Total des montants lus': frenchEuros('1670000.75') } },
        // SCDL « subventions », ADEME's hand-made copy: 4 lines, 1 643 500,75 €, 1 outside.
        { file: 'open-data/subventions-scdl-ademe-2024.csv', kind: 'grants', source: ids.ademe, layout: 'scdl', figures: { 'Lignes lues': '4', 'Lignes hors du périmètre, laissées de côté': '1', 'Total des montants lus': frenchEuros('1643500.75') } },
        // Indicator pairs: 3 indicators, no issue; applied below (7 values).
        { file: 'open-data/indicateurs-paires-2024.xlsx', kind: 'indicators', source: ids.douaisis, layout: 'indicators-pairs', figures: { 'Indicateurs lus': '3', Avertissements: '0' } },
        // One sheet per year: 8 lines, 3 720 000 €.
        { file: 'sheets/annexe3-une-feuille-par-annee.xlsx', kind: 'annex3', source: ids.douaisis, figures: { 'Lignes lues': '8', 'Total des montants lus': frenchEuros('3720000.00') } },
        // The State's 2018 list with its METADONNEES sheet: 3 lines, 285 500,50 €, 7 outside; METADONNEES a note.
        { file: 'sheets/dgcl-2018-avec-metadonnees.xlsx', kind: 'grants', source: ids.state, figures: { 'Lignes lues': '3', 'Lignes hors du périmètre, laissées de côté': '7', 'Total des montants lus': frenchEuros('285500.50') } },
        // The action plan as a plan (kind `plan`): 3 axes, 5 orientations, 5 fiches, budget 2 640 000,00 €, 8 lines, 1 605 000,00 € HT.
        {
          file: 'action-plans/plan-action-tet-v1-ht.xlsx',
          kind: 'plan',
          source: ids.douaisis,
          year: '2024',
          layout: 'action-plan',
          figures: { 'Lignes lues': '8', 'Fiches actions': '5', 'Budget prévisionnel total des fiches': frenchEuros('2640000.00'), 'Total des montants lus': frenchEuros('1605000.00') },
        },
      ];
      const previews: Record<string, any> = {};
      for (const family of families) {
        await page.getByLabel('Nature du fichier').selectOption(family.kind);
        await page.getByLabel('Organisation qui envoie le fichier').selectOption(family.source);
        await page.getByLabel('Année (facultatif)').fill(family.year ?? '');
        await page.getByLabel('Formats acceptés').setInputFiles(join(__dirname, '..', 'fixtures', family.file));
        const posted = page.waitForResponse((r) => r.url().endsWith('/api/imports') && r.request().method() === 'POST');
        await page.getByRole('button', { name: 'Prévisualiser' }).click();
        const body = await (await posted).json();
        await page.getByRole('heading', { name: '2. Aperçu' }).waitFor();
        previews[family.file] = body;
        expect([family.file, body.status, await figure(page, 'Erreurs')]).toEqual([family.file, 'PREVIEWED', '0']);
        if (family.layout) expect(body.layout).toBe(family.layout);
        for (const [label, value] of Object.entries(family.figures)) expect([family.file, label, await figure(page, label)]).toEqual([family.file, label, value]);
        if (family.kind === 'plan') {
          // Counted in the file (the seed's contract already has some of them: « dont à créer » is not asserted).
          expect(await figure(page, 'Axes (dont à créer)')).toMatch(/^3 \(\d\)$/);
          expect(await figure(page, 'Orientations et sous-orientations (dont à créer)')).toMatch(/^5 \(\d\)$/);
        }
        if (family.file.includes('metadonnees')) {
          // « METADONNEES » is documentation: a note in the table, not an error.
          const note = page.locator('#depot-anomalies tbody tr', { hasText: 'SHEET_DOCUMENTATION' });
          expect(plain(await note.innerText())).toMatch(/^Note\s+METADONNEES/i);
        }
        if (family.file.endsWith('dgcl-2021.csv') || family.kind === 'indicators') {
          const applied = page.waitForResponse((r) => r.url().endsWith(`/api/imports/${body.batchId}/apply`));
          await page.getByRole('button', { name: 'Appliquer', exact: true }).click();
          expect((await applied).status()).toBe(200);
          await page.getByText(`Fichier appliqué (lot n° ${body.batchId})`).waitFor();
          await page.getByRole('button', { name: 'Déposer un autre fichier' }).click();
          await page.getByRole('heading', { name: '1. Le fichier et son origine' }).waitFor();
        } else {
          await abandon(page, body.batchId);
        }
      }
      // After apply: the DGCL list by programme (the grants lists of 2021: the annex 2 applied above has 2021 lines too), and the indicators with their units and 7 values.
      const byProgramme = await api.graphql(`{ fundingTotals(groupBy: [PROGRAMME], filter: { contract: "CRTE-DOUAISIS", kind: [GRANTS], yearFrom: 2021, yearTo: 2021 }) { programme { code } amount } }`);
      expect(Object.fromEntries(byProgramme.body.data.fundingTotals.map((group: any) => [group.programme.code, group.amount]))).toEqual({
        DETR: '690000.50',
        DSIL_RELANCE: '630000.25',
        DSIL_RENOVATION_THERMIQUE: '350000.00',
      });
      const indicators = await api.db.dataSource.getRepository(Indicator).find({ where: { contractId: contract.id } });
      expect(indicators.map((indicator) => indicator.unit).sort()).toEqual(['bornes', 'm²', 'teq CO2']);
      expect(await api.db.dataSource.getRepository(IndicatorValue).countBy({ indicatorId: In(indicators.map((indicator) => indicator.id)) })).toBe(7);
      expect(unexpectedErrors(browser)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60000);
});
