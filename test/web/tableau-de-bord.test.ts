import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import * as XLSX from 'xlsx';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { loadSampleIndicators } from '../../src/seed/sample-indicators';
import { SAMPLE_INDICATORS_EXPECTED } from '../fixtures/indicators/build-indicators';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { openBrowser, SCREENSHOTS_DIR, TestBrowser } from './browser';
import { parseCsv } from '../support/csv';
import { ademeFigures, expectedRate } from '../support/fixture-figures';

/**
 * The dashboard in Chromium against the real server, reads behind a token: every figure on screen is
 * read back and compared with the API's figure for the same filter, and with the fixtures' own figures.
 */

const CONTRACT = 'CRTE-DOUAISIS';
const ROOT = join(__dirname, '..', '..');
type Amounts = Record<string, string>;

// The page's formatting (web/assets/app.js), so that API figures can be compared with the screen's text.
function euros(decimal: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal)!;
  const [, sign, whole, fraction = ''] = match;
  return `${sign ? '−' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')},${(fraction + '00').slice(0, 2)}\u00a0€`;
}
function percent(ratio: number | null): string {
  if (ratio === null || ratio === undefined) return '—';
  return `${(ratio * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })}\u00a0%`;
}
/** A rate's exact decimal string as the page says it: "0.0021" → "0,21 %" (the point moves by two places). */
function ratePercent(decimal: string): string {
  const [whole, fraction = ''] = decimal.split('.');
  const digits = `${whole}${fraction.padEnd(2, '0')}`;
  const integer = digits.slice(0, whole.length + 2).replace(/^0+(?=\d)/, '');
  const decimals = digits.slice(whole.length + 2);
  return `${integer.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')}${decimals ? `,${decimals}` : ''}\u00a0%`;
}
// What the page says where nothing is planned, in the key figure and in a cell of the progress table.
const NO_PLANNED_TEXT = 'Aucun montant prévu : taux de réalisation non calculable.';
const NO_PLANNED_CELL = 'Aucun montant prévu : non calculable';
/** "39 750 000,00 €" whatever the spaces. */
const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

function toCents(decimal: string): bigint {
  const [whole, fraction = ''] = decimal.replace('-', '').split('.');
  const value = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  return decimal.startsWith('-') ? -value : value;
}
function fromCents(value: bigint): string {
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}

/** Retries `read` until it gives `expected` (the page redraws after its request returns). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeout = 10000): Promise<void> {
  const end = Date.now() + timeout;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  expect(last).toEqual(expected);
}

/** The print layout on the fixtures: 5 A4 pages (9 without it, measured by this test on 7 December). */
const PRINTED_PAGES_AT_MOST = 5;

describe('Tableau de bord', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let token: string;
  const ademe = ademeFigures();
  const base = () => `http://localhost:${server.server.port}`;

  async function api<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const { body } = await server.graphql<T>(query, variables, token);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }

  /** Waits until the page has drawn every block for this stage and these years. */
  async function ready(stage: string, years = '-') {
    await browser.page.locator(`#etat[data-etat="pret"][data-etape="${stage}"][data-annees="${years}"]`).waitFor();
  }

  /** key → amount text of a bar chart. */
  async function bars(testid: string): Promise<Amounts> {
    const entries: Array<[string, string]> = await browser.page.$$eval(`ul[data-testid="${testid}"] > li`, (items: any[]) => items.map((li) => [li.dataset.key, li.querySelector('.crte-montant').textContent]));
    return Object.fromEntries(entries);
  }

  async function texts(selector: string): Promise<Amounts> {
    const entries: Array<[string, string]> = await browser.page.$$eval(selector, (nodes: any[]) => nodes.map((node) => [node.dataset.testid, node.textContent]));
    return Object.fromEntries(entries);
  }

  /** Every funding block and the progress table against the API, for one filter. */
  async function checkBlocks(stage: string, yearFrom?: number, yearTo?: number) {
    const years = { ...(yearFrom !== undefined ? { yearFrom } : {}), ...(yearTo !== undefined ? { yearTo } : {}) };
    const filter = { contract: CONTRACT, stage: [stage], ...years };
    const allStages = { contract: CONTRACT, ...years };
    const data = await api(
      `query ($filter: FundingFilter!, $allStages: FundingFilter!, $contract: String!, $year: Int) {
        contract(code: $contract) { axes { number orientations { code } } }
        byAxis: fundingTotals(groupBy: [AXIS], filter: $filter) { axis { number } amount }
        byOrientation: fundingTotals(groupBy: [ORIENTATION], filter: $filter) { orientation { code } amount }
        byFunder: fundingTotals(groupBy: [FUNDER], filter: $filter) { funder { id name } amount }
        byYear: fundingTotals(groupBy: [YEAR], filter: $filter) { year amount }
        byStage: fundingTotals(groupBy: [STAGE], filter: $allStages) { stage amount }
        progress(contract: $contract, year: $year) {
          overall { actions planned requested granted paid grantedRate realisationRate }
          axes { axis { number } figures { actions planned requested granted paid grantedRate realisationRate }
                 orientations { orientation { code } figures { actions planned requested granted paid grantedRate realisationRate } } }
        }
      }`,
      { filter, allStages, contract: CONTRACT, year: yearTo ?? null },
    );

    const stageAmount = (name: string) => data.byStage.find((row: any) => row.stage === name)?.amount ?? '0.00';
    expect(await texts('#bloc-chiffres [data-testid^="chiffre-"]')).toEqual({
      'chiffre-PLANNED': euros(stageAmount('PLANNED')),
      'chiffre-REQUESTED': euros(stageAmount('REQUESTED')),
      'chiffre-GRANTED': euros(stageAmount('GRANTED')),
      'chiffre-PAID': euros(stageAmount('PAID')),
      'chiffre-taux': data.progress.overall.realisationRate === null ? NO_PLANNED_TEXT : ratePercent(data.progress.overall.realisationRate),
    });

    const axis = new Map(data.byAxis.map((row: any) => [row.axis ? String(row.axis.number) : 'aucun', row.amount]));
    const orientation = new Map(data.byOrientation.map((row: any) => [row.orientation?.code ?? 'aucune', row.amount]));
    const expectedAxes: Amounts = {};
    for (const a of data.contract.axes) {
      expectedAxes[`axe-${a.number}`] = euros((axis.get(String(a.number)) as string) ?? '0.00');
      for (const o of a.orientations) expectedAxes[`orientation-${o.code}`] = euros((orientation.get(o.code) as string) ?? '0.00');
    }
    if (axis.has('aucun')) expectedAxes['axe-aucun'] = euros(axis.get('aucun') as string);
    expect(await bars('graphique-axes')).toEqual(expectedAxes);

    expect(await bars('graphique-financeurs')).toEqual(Object.fromEntries(data.byFunder.map((row: any) => [row.funder.id, euros(row.amount)])));
    expect(await bars('graphique-annees')).toEqual(Object.fromEntries(data.byYear.map((row: any) => [String(row.year), euros(row.amount)])));
    expect(await bars('graphique-etapes')).toEqual(Object.fromEntries(['PLANNED', 'REQUESTED', 'GRANTED', 'PAID'].map((name) => [name, euros(stageAmount(name))])));

    const expectedProgress: Amounts = {};
    const progressRow = (key: string, figures: any) => {
      expectedProgress[`avancement-${key}-actions`] = String(figures.actions);
      for (const field of ['planned', 'requested', 'granted', 'paid']) expectedProgress[`avancement-${key}-${field}`] = euros(figures[field]);
      expectedProgress[`avancement-${key}-grantedRate`] = figures.grantedRate === null ? NO_PLANNED_CELL : percent(figures.grantedRate);
      expectedProgress[`avancement-${key}-realisationRate`] = figures.realisationRate === null ? NO_PLANNED_CELL : ratePercent(figures.realisationRate);
    };
    for (const a of data.progress.axes) {
      progressRow(`axe-${a.axis.number}`, a.figures);
      for (const o of a.orientations) progressRow(`orientation-${o.orientation.code}`, o.figures);
    }
    progressRow('contrat', data.progress.overall);
    expect(await texts('#tableau-avancement [data-testid^="avancement-"]')).toEqual(expectedProgress);
    return { data, funders: await bars('graphique-financeurs') };
  }

  beforeAll(async () => {
    server = await startTestServer({
      config: { readRequiresToken: true },
      prepare: async (db) => {
        const dataSource = db.dataSource;
        await seedReferenceData(dataSource);
        // What a fresh install loads on its first run (crte serve), then the partners' files.
        expect(await loadSampleIndicators(dataSource, { SAMPLE_INDICATORS: 'true' })).toMatch(/^Indicateurs d'exemple chargés/);
        const apply = async (path: string, kind: ImportKind, source: string, allowPartial = false) => {
          const result = await importFile(dataSource, { buffer: readFileSync(path), fileName: basename(path), kind, source, contract: CONTRACT, allowPartial });
          expect(result.status).toBe('APPLIED');
        };
        await apply(fixturePath('annexe3-banque-des-territoires-2023.xlsx'), ImportKind.ANNEX3, 'Banque des Territoires');
        await apply(fixturePath('annexe3-douaisis-agglo-2022.xlsx'), ImportKind.ANNEX3, 'Douaisis Agglo');
        await apply(fixturePath('annexe3-ademe-2021-2023.csv'), ImportKind.ANNEX3, 'ADEME');
        await apply(fixturePath('dotations-detr-dsil-fnadt-2017-2021.xlsx'), ImportKind.DOTATIONS, 'Etat');
        await apply(join(ROOT, 'docs', 'templates', 'modele-indicateurs.csv'), ImportKind.INDICATORS, 'Douaisis Agglo');
        // The State's annex 2, its three rows in error left out (issue 17).
        await apply(fixturePath('annexe2-bilan-plan-de-relance-douaisis.xlsx'), ImportKind.ANNEX2, 'Etat', true);
        // Reads require a token here: the page must send it with every request, downloads included.
        token = (await createToken(dataSource, { name: 'Lecture du tableau de bord', role: Role.READER, organisationId: null })).secret;
      },
    });
    browser = await openBrowser(base(), { token });
  }, 120000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows every block with the API’s figures and the fixtures’ (planned)', async () => {
    const { page } = browser;
    await page.goto('/tableau-de-bord');
    await ready('PLANNED');
    await page.locator('#bloc-actions[data-etat="pret"]').waitFor();
    const { data, funders } = await checkBlocks('PLANNED');

    expect(plain(await page.getByTestId('chiffre-PLANNED').innerText())).toBe('39 750 000,00 €');
    // The taux de réalisation from the files: ADEME's paid (its csv) on the two annex 3 tables' 39 750 000 € planned.
    const rate = expectedRate(ademe.paid, 3975000000n);
    expect(rate).toBe('0.0021');
    expect(plain(await page.getByTestId('chiffre-taux').innerText())).toBe('0,21 %');
    await expect(page.locator('#bloc-chiffres').innerText()).resolves.toContain('Taux de réalisation (payé / prévu)');
    // ADEME's orientation 1.3 is paid but nothing is planned there: words, not 0 % or NaN.
    expect(await page.getByTestId('avancement-orientation-1.3-realisationRate').innerText()).toBe(NO_PLANNED_CELL);
    await page.locator('#bloc-chiffres').screenshot({ path: join(SCREENSHOTS_DIR, 'tableau-de-bord-chiffres.png') });
    const bdt = data.byFunder.find((row: any) => row.funder.name === 'Banque des Territoires');
    expect(plain(funders[bdt.funder.id])).toBe('20 100 000,00 €');
    // The chart says its figures in text beside the bars, and again in a table.
    await expect(page.locator('ul[data-testid="graphique-financeurs"]').innerText()).resolves.toContain('Banque des Territoires');
    const alternative = plain((await page.locator('#graphique-financeurs-tableau table').textContent()) ?? '');
    expect(alternative).toContain('Banque des Territoires');
    expect(alternative).toContain('20 100 000,00 €');
    // The indicator in the progress block: 1 250,5 m² of 5 000.
    const indicators = plain(await page.locator('#tableau-indicateurs').innerText());
    expect(indicators).toContain('1 250,5 m² (2022)');
    expect(indicators).toContain('5 000 m² (2026)');
    // The first run's sample indicators (their fixture's README), beside the partners'.
    for (const { shown } of Object.values(SAMPLE_INDICATORS_EXPECTED.byCode)) expect(indicators).toContain(shown);
    await browser.screenshot('tableau-de-bord');

    // « Plan de relance »: volet VI's aid adds up to its TOTAL row, read from the file (C59).
    await page.locator('#tableau-relance').waitFor();
    const annex2 = XLSX.read(readFileSync(fixturePath('annexe2-bilan-plan-de-relance-douaisis.xlsx'))).Sheets['Annexe 2'];
    const volet6 = (await page.locator('[data-testid^="relance-VI-AID-"]').allInnerTexts()).reduce((sum, text) => sum + BigInt(text.replace(/\D/g, '')), 0n);
    expect(volet6).toBe(BigInt(Math.round((annex2.C59.v as number) * 100)));
    expect(plain(await page.locator('#relance-synthese').innerText())).toMatch(/^Aides de l’État : [\d ]+,\d\d € ; investissements soutenus : [\d ]+,\d\d €\.$/);

    // The first screen (1 280 × 900) shows the key figures, before the summary.
    const firstFigure = await page.getByTestId('chiffre-PLANNED').boundingBox();
    expect(firstFigure!.y + firstFigure!.height).toBeLessThanOrEqual(900);
    const summary = await page.locator('.fr-summary').boundingBox();
    expect(firstFigure!.y).toBeLessThan(summary!.y);
    // Printed for the COPIL: a few A4 pages, with no menu, filter or button.
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    console.log(`tableau de bord imprimé : ${pages} pages A4`);
    expect(pages).toBeLessThanOrEqual(PRINTED_PAGES_AT_MOST);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#filtres').isVisible()).toBe(false);
    expect(await page.locator('#bloc-exports').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Imprimer pour le COPIL' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
  });

  it('re-checks every block at the granted stage, then over a year range', async () => {
    const { page } = browser;
    await page.getByLabel('Étape des financements').selectOption('GRANTED');
    await ready('GRANTED');
    const { data, funders } = await checkBlocks('GRANTED');
    const ademe = data.byFunder.find((row: any) => /transition écologique/i.test(row.funder.name));
    expect(plain(funders[ademe.funder.id])).toBe('1 046 000,50 €');
    expect(plain(await page.getByTestId('chiffre-GRANTED').innerText())).toBe('1 046 000,50 €');
    expect(new URL(page.url()).searchParams.get('etape')).toBe('GRANTED');

    await page.getByLabel('Depuis l’année').selectOption('2023');
    await ready('GRANTED', '2023-');
    await page.getByLabel('Jusqu’à l’année').selectOption('2023');
    await ready('GRANTED', '2023-2023');
    const ranged = await checkBlocks('GRANTED', 2023, 2023);
    // ADEME's 2023 grant alone (950 000,50 €: DA-41).
    expect(plain(ranged.funders[ademe.funder.id])).toBe('950 000,50 €');

    await page.getByLabel('Depuis l’année').selectOption('');
    await ready('GRANTED', '-2023');
    await page.getByLabel('Jusqu’à l’année').selectOption('');
    await ready('GRANTED', '-');
    await page.getByLabel('Étape des financements').selectOption('PLANNED');
    await ready('PLANNED');
  });

  it('offers « Demandé »: the ADEME file’s requested amounts, in the URL too; where nothing is planned, the rate says so', async () => {
    const { page } = browser;
    const options = await page.$$eval('#etape option', (nodes: any[]) => nodes.map((node) => [node.value, node.textContent]));
    expect(options).toEqual([['PLANNED', 'Prévu'], ['REQUESTED', 'Demandé'], ['GRANTED', 'Attribué'], ['PAID', 'Payé']]);
    await page.getByLabel('Étape des financements').selectOption({ label: 'Demandé' });
    await ready('REQUESTED');
    const { data, funders } = await checkBlocks('REQUESTED');
    const requested = plain(euros(`${ademe.requested / 100n}.${String(ademe.requested % 100n).padStart(2, '0')}`));
    expect(requested).toBe('1 762 000,00 €');
    const ademeRow = data.byFunder.find((row: any) => /transition écologique/i.test(row.funder.name));
    expect(plain(funders[ademeRow.funder.id])).toBe(requested);
    expect(plain(await page.getByTestId('chiffre-REQUESTED').innerText())).toBe(requested);
    expect(plain(await page.getByTestId('avancement-contrat-requested').innerText())).toBe(requested);
    expect(new URL(page.url()).searchParams.get('etape')).toBe('REQUESTED');
    await page.locator('#bloc-actions[data-etat="pret"][data-etape="REQUESTED"]').waitFor();
    await expect(page.locator('#tableau-actions caption').innerText()).resolves.toContain('« demandé »');
    // A link to the page keeps the stage.
    await page.reload();
    await ready('REQUESTED');
    expect(await page.locator('#etape').inputValue()).toBe('REQUESTED');

    // Up to 2020 no action has anything planned (nor paid): the sentence, in the key figure and the table.
    await page.getByLabel('Jusqu’à l’année').selectOption('2020');
    await ready('REQUESTED', '-2020');
    await checkBlocks('REQUESTED', undefined, 2020);
    expect(await page.getByTestId('chiffre-taux').innerText()).toBe(NO_PLANNED_TEXT);
    expect(await page.getByTestId('avancement-contrat-realisationRate').innerText()).toBe(NO_PLANNED_CELL);
    expect(await page.locator('#bloc-chiffres').innerText()).not.toMatch(/NaN|\b0\s?%/);
    await browser.screenshot('tableau-de-bord-rien-de-prevu');
    await page.locator('#bloc-chiffres').screenshot({ path: join(SCREENSHOTS_DIR, 'tableau-de-bord-chiffres-rien-de-prevu.png') });

    await page.getByLabel('Jusqu’à l’année').selectOption('');
    await ready('REQUESTED', '-');
    await page.getByLabel('Étape des financements').selectOption('PLANNED');
    await ready('PLANNED');
  });

  it('filters, sorts and pages the actions; opens DA-01 with its source cells and its indicator', async () => {
    const { page } = browser;
    const table = page.locator('#tableau-actions');
    const codes = async (): Promise<string[]> => page.$$eval('#tableau-actions [data-testid="action-code"]', (nodes: any[]) => nodes.map((node) => node.textContent));

    // Default order (code), 10 a page: the second page holds the rest.
    await page.locator('#bloc-actions[data-etat="pret"][data-tri="CODE:ASC"][data-etape="PLANNED"]').waitFor();
    const all = await api('{ actions(filter: { contract: "CRTE-DOUAISIS" }, orderBy: { field: CODE }, first: 500) { totalCount nodes { code } } }');
    expect(await codes()).toEqual(all.actions.nodes.slice(0, 10).map((node: any) => node.code));
    const pagination = () => page.locator('#actions-pagination').innerText();
    await page.getByRole('button', { name: 'Page suivante' }).click();
    await eventually(pagination, 'Page 2 sur 2 — 14 actions.');
    expect(await codes()).toEqual(all.actions.nodes.slice(10).map((node: any) => node.code));
    await page.getByRole('button', { name: 'Page précédente' }).click();
    await eventually(pagination, 'Page 1 sur 2 — 14 actions.');
    expect(await codes()).toEqual(all.actions.nodes.slice(0, 10).map((node: any) => node.code));

    // Text and status filters, as the API filters.
    await page.getByLabel('Rechercher une action').fill('ccco');
    await page.getByRole('button', { name: 'Filtrer les actions' }).click();
    await page.locator('#bloc-actions[data-etat="pret"]').waitFor();
    const ccco = await api('{ actions(filter: { contract: "CRTE-DOUAISIS", text: "ccco" }, orderBy: { field: CODE }) { nodes { code } } }');
    await eventually(codes, ccco.actions.nodes.map((node: any) => node.code));
    expect((await codes()).length).toBeGreaterThan(0);
    await page.getByLabel('Rechercher une action').fill('');
    await page.getByRole('button', { name: 'Filtrer les actions' }).click();
    await page.getByLabel('Statut').selectOption('DONE');
    const done = await api('{ actions(filter: { contract: "CRTE-DOUAISIS", status: [DONE] }, orderBy: { field: CODE }) { nodes { code } } }');
    await eventually(codes, done.actions.nodes.map((node: any) => node.code));
    await page.getByLabel('Statut').selectOption('');

    // Sorted by planned funding: DA-01 first, 24 500 000,00 €, in the API's order with the API's figures.
    await page.getByLabel('Trier par').selectOption('FUNDING_TOTAL:DESC');
    await page.locator('#bloc-actions[data-etat="pret"][data-tri="FUNDING_TOTAL:DESC"]').waitFor();
    const sorted = await api('{ actions(filter: { contract: "CRTE-DOUAISIS" }, orderBy: { field: FUNDING_TOTAL, direction: DESC, stage: PLANNED }, first: 10) { nodes { code fundingTotal(stage: PLANNED) } } }');
    await eventually(codes, sorted.actions.nodes.map((node: any) => node.code));
    for (const node of sorted.actions.nodes) expect(await page.getByTestId(`action-${node.code}-financement`).innerText()).toBe(euros(node.fundingTotal));
    expect((await codes())[0]).toBe('DA-01');
    expect(plain(await page.getByTestId('action-DA-01-financement').innerText())).toBe('24 500 000,00 €');
    await expect(table.locator('caption').innerText()).resolves.toContain('Actions du contrat (14)');

    // DA-01: its fundings with their source cells, its indicator against its target.
    await page.getByRole('button', { name: 'Voir DA-01' }).click();
    const dialog = page.getByRole('dialog', { name: /DA-01/ });
    await dialog.waitFor();
    await page.locator('#fenetre-action-contenu[data-etat="pret"]').waitFor();
    const action = await api(`{ action(contract: "CRTE-DOUAISIS", code: "DA-01") { fundings { amount source { reference rawValue } } } }`);
    const fundings = plain(await page.locator('#tableau-action-financements').innerText());
    for (const funding of action.action.fundings) {
      expect(fundings).toContain(funding.source.reference);
      expect(fundings).toContain(plain(euros(funding.amount)));
    }
    expect(fundings).toContain("'Programmation 2023'!I6");
    expect(fundings).toContain('« 2,5 M€ »');
    expect(plain(await page.getByTestId('indicateur-DA-01-SURF-valeur').innerText())).toBe('1 250,5 m² (2022)');
    expect(plain(await page.getByTestId('indicateur-DA-01-SURF-cible').innerText())).toBe('5 000 m² (2026)');
    await expect(page.locator('#tableau-action-indicateurs').innerText()).resolves.toContain(percent(0.2501));
    // The modal scrolls inside the viewport: a tall viewport shows it whole.
    await page.setViewportSize({ width: 1280, height: 1600 });
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'tableau-de-bord-action.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    await eventually(() => page.locator('#fenetre-action').evaluate((node: any) => node.open), false);
  });

  it('lists a conflict between the Région’s own file and Douaisis Agglo’s, and which one counts', async () => {
    const { page } = browser;
    await expect(page.locator('#tableau-conflits').innerText()).resolves.toContain('Aucun désaccord');
    // The Région's own annex 3 says 2 400 000 € for DA-01 in 2022, where Douaisis Agglo's table said 2 500 000 €.
    const da01 = await api('{ action(contract: "CRTE-DOUAISIS", code: "DA-01") { title orientation { code } } }');
    const csv = `numero;intitule;orientation;financeur;annee;montant_prevu;base\r\nDA-01;${da01.action.title};${da01.action.orientation.code};Région Hauts-de-France;2022;2400000;HT\r\n`;
    const result = await importFile(server.db.dataSource, { buffer: Buffer.from(csv, 'utf8'), fileName: 'region-2022.csv', kind: ImportKind.ANNEX3, source: 'Région Hauts-de-France', contract: CONTRACT });
    expect(result.status).toBe('APPLIED');

    await page.reload();
    await ready('PLANNED');
    const conflicts = await api('{ fundingConflicts(contract: "CRTE-DOUAISIS") { action { code } funder { name } year difference counted { amount source { reference } } notCounted { amount source { reference } } } }');
    expect(conflicts.fundingConflicts).toHaveLength(1);
    const [conflict] = conflicts.fundingConflicts;
    const rows = page.locator('#tableau-conflits tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    const row = plain(await rows.first().innerText());
    expect(row).toContain('DA-01');
    expect(row).toContain('Région Hauts-de-France');
    expect(row).toContain('2022');
    expect(row).toContain('2 400 000,00 €');
    expect(row).toContain('2 500 000,00 €');
    expect(row).toContain(conflict.counted.source.reference);
    expect(row).toContain(conflict.notCounted.source.reference);
    expect(row).toContain("'Tableau financier 2022'!J2");
    expect(row).toContain(plain(euros(conflict.difference)));
    // Which one counts: the Région's, in the "Compté" column.
    const cells = await rows.first().locator('td').allInnerTexts();
    expect(plain(cells[4])).toContain('2 400 000,00 €');
    expect(cells[4]).toContain('Région Hauts-de-France');
    expect(plain(cells[5])).toContain('2 500 000,00 €');
    expect(cells[5]).toContain('CA Douaisis Agglo');
    // Totals count the Région's figure only: 39 750 000 − 100 000, on screen as in the API.
    await checkBlocks('PLANNED');
    expect(plain(await page.getByTestId('chiffre-PLANNED').innerText())).toBe('39 650 000,00 €');
  });

  it('downloads the exports of the filter, the CSV adding up to the API’s total, and the annex 3', async () => {
    const { page } = browser;
    const fetchDownload = async (testid: string) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
      return { name: file.suggestedFilename(), content: readFileSync((await file.path())!) };
    };
    const total = async (stage: string) =>
      (await api(`{ fundingTotals(groupBy: [CONTRACT], filter: { contract: "CRTE-DOUAISIS", stage: [${stage}] }) { amount lines } }`)).fundingTotals[0];

    const csv = await fetchDownload('export-csv');
    expect(csv.name).toMatch(/\.csv$/);
    const rows = parseCsv(csv.content.toString('utf8'));
    const amountColumn = rows[0].indexOf('Montant (€)');
    const stageColumn = rows[0].indexOf('Étape');
    expect(amountColumn).toBeGreaterThan(-1);
    const lines = rows.slice(1).filter((row) => row.length > 1);
    expect(new Set(lines.map((row) => row[stageColumn]))).toEqual(new Set(['PLANNED']));
    const planned = await total('PLANNED');
    expect(fromCents(lines.reduce((sum, row) => sum + toCents(row[amountColumn]), 0n))).toBe(planned.amount);
    expect(lines).toHaveLength(planned.lines);
    expect(planned.amount).toBe('39650000.00');

    const french = await fetchDownload('export-csv-fr');
    expect(french.content.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(french.content.toString('utf8')).toContain(';');

    for (const testid of ['export-xlsx', 'export-annexe3']) {
      const xlsx = await fetchDownload(testid);
      expect(xlsx.name).toMatch(/\.xlsx$/);
      expect(xlsx.content.subarray(0, 2).toString('latin1')).toBe('PK');
    }
    expect(await page.getByTestId('export-annexe3').getAttribute('href')).toBe(`/api/export/annex3.xlsx?contract=${CONTRACT}&stage=PLANNED`);
  });

  it('fits a 375 px phone screen, and no console error happened', async () => {
    const phone = await openBrowser(base(), { token, viewport: { width: 375, height: 800 } });
    try {
      await phone.page.goto('/tableau-de-bord');
      await phone.page.locator('#etat[data-etat="pret"]').waitFor();
      await phone.page.locator('#bloc-actions[data-etat="pret"]').waitFor();
      // Wide tables scroll inside their own box; the page itself does not scroll sideways.
      expect(await phone.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      expect(plain(await phone.page.getByTestId('chiffre-PLANNED').innerText())).toBe('39 650 000,00 €');
      await phone.screenshot('tableau-de-bord-telephone');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.close();
    }
    expect(browser.errors).toEqual([]);
  });
});
