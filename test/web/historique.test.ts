import { readFileSync } from 'node:fs';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { previewImport } from '../../src/import-batch/import-preview.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { faultyWorkbook, editWorkbook } from '../support/workbook-edit';
import { openBrowser, TestBrowser } from './browser';

const BDT_FILE = 'annexe3-banque-des-territoires-2023.xlsx';
const BDT = readFileSync(fixturePath(BDT_FILE));
const CORRECTED_FILE = 'annexe3-bdt-2023-corrige.xlsx';

/** web/assets/app.js euros(), for the figures the page must show: "20100000.00" → "20 100 000,00 €". */
function euros(decimal: string): string {
  const [whole, fraction] = decimal.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')},${fraction}\u00a0€`;
}

describe(`The history page /historique on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let baseURL: string;
  const tokens = { admin: '', reader: '' };
  let first: number;
  let second: number;
  const browsers: TestBrowser[] = [];

  async function browse(token: string): Promise<TestBrowser> {
    const opened = await openBrowser(baseURL, { token });
    browsers.push(opened);
    return opened;
  }

  async function ok(query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const { body } = await api.graphql(query, variables, tokens.admin);
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  const row = (page: TestBrowser['page'], id: number) =>
    page.locator('#tableau-depots tbody tr').filter({ has: page.getByRole('link', { name: `n° ${id}`, exact: true }) });

  beforeAll(async () => {
    api = await startTestServer({ prepare: async ({ dataSource }) => void (await seedReferenceData(dataSource)) });
    baseURL = `http://localhost:${api.server.port}`;
    const dataSource = api.db.dataSource;
    tokens.admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    tokens.reader = (await createToken(dataSource, { name: 'Lecteur', role: Role.READER, organisationId: null })).secret;
    // 20 rejected previews first, so that the two applied files need one page and a « Voir plus ».
    for (let i = 1; i <= 20; i++) {
      await previewImport(dataSource, { buffer: faultyWorkbook(), fileName: `brouillon-${i}.xlsx`, kind: ImportKind.ANNEX3, source: 'Douaisis Agglo', uploadedBy: 'Service finances DA' });
    }
    const source = 'Banque des Territoires';
    first = (await importFile(dataSource, { buffer: BDT, fileName: BDT_FILE, kind: ImportKind.ANNEX3, source, uploadedBy: 'Direction régionale BdT' })).batchId;
    // The corrected copy: one amount changed (I6: 2 500 000 → 3 000 000); it replaces every line of the first.
    const corrected = editWorkbook(BDT, 'Programmation 2023', { I6: 3_000_000 });
    second = (await importFile(dataSource, { buffer: corrected, fileName: CORRECTED_FILE, kind: ImportKind.ANNEX3, source, uploadedBy: 'Direction régionale BdT' })).batchId;
  });

  afterAll(async () => {
    for (const opened of browsers) await opened.close();
    await api?.close();
  });

  it('lists every batch, newest first, with its status, counts and total, page by page, and filters them', async () => {
    const { page, screenshot, errors } = await browse(tokens.admin);
    await page.goto('/historique');
    await row(page, second).waitFor();
    // What the API says, shown as it says it.
    // What the API says, shown as it says it: 10 lines each, no error, the fixture's own warnings.
    const listed = (await ok(`{ importBatches(first: 2) { totalCount nodes { id status lineCount errorCount warningCount total } } }`)).importBatches;
    expect(listed.totalCount).toBe(22);
    expect(listed.nodes).toMatchObject([
      { id: String(second), status: 'APPLIED', lineCount: 10, errorCount: 0, total: '20600000.00' },
      { id: String(first), status: 'SUPERSEDED', lineCount: 10, errorCount: 0, total: '20100000.00' },
    ]);
    const warnings = listed.nodes[1].warningCount;
    // Columns: N°, Statut, Fichier, Source, Total, Lignes, Erreurs, Avert., Nature, Déposé, Appliqué le.
    const cells = async (id: number) => {
      const [, status, file, source, total, lines, errors, warned, kind, deposited] = (await row(page, id).locator('td').allTextContents()).map((text) => text.trim());
      return { status, file, source, total, lines, errors, warned, kind, deposited };
    };
    const newer = await cells(second);
    expect(newer).toMatchObject({ file: CORRECTED_FILE, kind: 'Annexe 3 — investissements', source: 'Banque des Territoires' });
    expect(newer.deposited).toContain('par Direction régionale BdTle ');
    expect(newer).toMatchObject({ status: 'Appliqué', lines: '10', errors: '0', warned: String(listed.nodes[0].warningCount), total: euros('20600000.00') });
    const older = await cells(first);
    expect(older).toMatchObject({ file: BDT_FILE, status: 'Remplacé', lines: '10', errors: '0', warned: String(warnings), total: euros('20100000.00') });
    expect(older.total).toBe('20\u202f100\u202f000,00\u00a0€');
    // The whole table fits its container at 1 280 px: no column off-screen (it was 1 810 px in 1 200).
    const widths = await page.locator('#tableau-depots').evaluate((frame) => ({ table: frame.querySelector('table')!.scrollWidth, frame: frame.clientWidth }));
    expect(widths.table).toBeLessThanOrEqual(widths.frame);
    // And no word is cut in the middle to get there (« investisseme / nts » in the Nature column): each word of
    // the Nature and Source cells lies on one line, down to a 1 024 px window.
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: 1024, height: viewport.height });
    // (Browser code: the tests are type-checked without the DOM's types, hence `any`.)
    const cutWords = await page.locator('#tableau-depots').evaluate((frame: any) => {
      const cut: string[] = [];
      const headers: string[] = Array.from(frame.querySelectorAll('thead th') as ArrayLike<any>).map((th) => th.textContent);
      const columns = ['Nature', 'Source'].map((label) => headers.indexOf(label) + 1);
      const cells = columns.flatMap((column) => Array.from(frame.querySelectorAll(`tbody td:nth-child(${column})`) as ArrayLike<any>));
      if (cells.length === 0) return ['(aucune cellule Nature ni Source)'];
      const doc = (globalThis as any).document;
      for (const cell of cells) {
        const text = cell.firstChild;
        if (!text || text.nodeType !== 3) continue;
        for (const match of Array.from(String(text.textContent ?? '').matchAll(/[\p{L}\p{N}’'-]+/gu))) {
          const range = doc.createRange();
          range.setStart(text, match.index!);
          range.setEnd(text, match.index! + match[0].length);
          if (new Set(Array.from(range.getClientRects() as ArrayLike<any>).map((rect) => Math.round(rect.top))).size > 1) cut.push(match[0]);
        }
      }
      return cut;
    });
    await page.setViewportSize(viewport);
    expect(cutWords).toEqual([]);
    expect(await page.getByRole('status').filter({ hasText: '22 dépôts, 20 affichés' }).count()).toBe(1);
    // The oldest previews are on the next page.
    expect(await row(page, 1).count()).toBe(0);
    const rejected = await cells(3);
    expect([rejected.status, rejected.errors]).toEqual(['Rejeté', '3']);
    await page.getByRole('button', { name: 'Voir plus de dépôts' }).click();
    await row(page, 1).waitFor();
    expect(await page.locator('#tableau-depots tbody tr').count()).toBe(22);
    expect(await page.getByRole('button', { name: 'Voir plus de dépôts' }).count()).toBe(0);
    await screenshot('historique-liste');

    // Filtered by status: only the replaced batch.
    await page.getByLabel('Statut').selectOption({ label: 'Remplacé' });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByRole('status').filter({ hasText: '1 dépôt, 1 affiché' }).waitFor();
    expect(await page.locator('#tableau-depots tbody tr').count()).toBe(1);
    expect(await row(page, first).count()).toBe(1);
    expect(page.url()).toContain('statut=SUPERSEDED');
    // Filtered by source and kind: the two Banque des Territoires files.
    await page.getByLabel('Statut').selectOption('');
    await page.getByLabel('Source').selectOption({ label: 'Banque des Territoires' });
    await page.getByLabel('Nature du fichier').selectOption('ANNEX3');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByRole('status').filter({ hasText: '2 dépôts, 2 affichés' }).waitFor();
    expect(await page.locator('#tableau-depots tbody tr').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('opens the corrected batch: its lines with their cells, the batch it replaced, then rolls it back after a confirmation', async () => {
    const { page, screenshot, errors } = await browse(tokens.admin);
    await page.goto('/historique');
    await row(page, second).waitFor();
    // From the keyboard: the batch number is a link.
    await row(page, second).getByRole('link', { name: `n° ${second}`, exact: true }).focus();
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { level: 2, name: `Dépôt n° ${second} — ${CORRECTED_FILE}` });
    await heading.waitFor();
    expect(page.url()).toContain(`lot=${second}`);
    const detail = page.locator('#detail-depot');
    // It replaced the first file, and nothing replaced it.
    const replaced = detail.locator('h4', { hasText: 'Ce dépôt a remplacé' }).locator('xpath=following-sibling::*[1]');
    expect((await replaced.innerText()).trim()).toContain(`Dépôt n° ${first} — ${BDT_FILE} — Remplacé`);
    expect(await detail.getByText('Aucun dépôt ultérieur n’a remplacé ses lignes.').count()).toBe(1);
    // Its 10 lines, each with its cell; I6 carries the corrected amount.
    const lines = detail.locator('#lignes-depot tbody tr');
    expect(await lines.count()).toBe(10);
    const i6 = (await lines.filter({ hasText: "'Programmation 2023'!I6" }).locator('td').allInnerTexts()).map((text) => text.trim());
    expect(i6[1]).toBe('Banque des Territoires');
    expect(i6[4]).toBe(euros('3000000.00'));
    // Its issues: the corrected copy has none (its totals were recomputed), as the API says.
    const counts = (await ok(`query ($id: ID!) { importBatch(id: $id) { errorCount warningCount } }`, { id: String(second) })).importBatch;
    expect(counts).toEqual({ errorCount: 0, warningCount: 0 });
    // Its only issue is a note (its « Listes » sheet is documentation): not an anomaly.
    expect(await detail.getByText('Aucune anomalie relevée dans ce fichier. 1 note (ce que l’import a compris seul).').count()).toBe(1);
    await screenshot('historique-detail');

    // The confirmation says what will be restored, before anything is done.
    await detail.getByRole('button', { name: 'Annuler ce dépôt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Annuler ce dépôt ?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`ses 10 lignes de financement, pour un total de ${euros('20600000.00')}`);
    expect(await dialog.innerText()).toContain(`dépôt n° ${first} — ${BDT_FILE}`);
    await screenshot('historique-annulation');
    const rolledBack = page.waitForResponse((response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('rollbackImport'));
    await dialog.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    expect((await (await rolledBack).json()).data.rollbackImport).toEqual({ id: String(second), status: 'ROLLED_BACK' });
    await page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: `Le dépôt n° ${second} est annulé` }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    // The page refreshed: the list and the detail say what the API says.
    await row(page, first).getByText('Appliqué').waitFor();
    expect(await row(page, second).getByText('Annulé').count()).toBe(1);
    expect(await detail.getByRole('button', { name: 'Annuler ce dépôt' }).count()).toBe(0);

    const data = await ok(`query ($first: ID!, $second: ID!) {
      fundingTotals(groupBy: [CONTRACT], filter: { contract: "CRTE-DOUAISIS" }) { amount lines }
      first: importBatch(id: $first) { status supersededBy { id status } }
      second: importBatch(id: $second) { status }
    }`, { first: String(first), second: String(second) });
    expect(data.fundingTotals).toEqual([{ amount: '20100000.00', lines: 10 }]);
    expect(data.first).toEqual({ status: 'APPLIED', supersededBy: [{ id: String(second), status: 'ROLLED_BACK' }] });
    expect(data.second.status).toBe('ROLLED_BACK');
    expect(errors).toEqual([]);
  });

  it('offers no rollback to a reader, who does not see the previews either', async () => {
    const { page, errors } = await browse(tokens.reader);
    await page.goto(`/historique?lot=${first}`);
    await page.getByRole('heading', { level: 2, name: `Dépôt n° ${first} — ${BDT_FILE}` }).waitFor();
    expect(await page.locator('#detail-depot').getByText('Appliqué', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Annuler ce dépôt' }).count()).toBe(0);
    // The first file's issues (warnings, then the note that its « Listes » sheet is documentation), each at its cell, as many as the API gives.
    const { warningCount, issues: apiIssues } = (await ok(`query ($id: ID!) { importBatch(id: $id) { warningCount issues { severity } } }`, { id: String(first) })).importBatch;
    expect(warningCount).toBeGreaterThan(0);
    expect(apiIssues.map((issue: { severity: string }) => issue.severity)).toEqual([...Array(warningCount).fill('WARNING'), 'NOTE']);
    const issues = page.locator('#detail-depot table', { hasText: `Anomalies du dépôt n° ${first}` }).locator('tbody tr');
    expect(await issues.count()).toBe(warningCount + 1);
    expect(await issues.last().locator('td').first().textContent()).toBe('Note');
    expect(await issues.first().locator('td').first().textContent()).toBe('Avertissement');
    expect(await issues.first().locator('td').nth(1).textContent()).toMatch(/^Programmation 2023 ! [A-Z]+\d+$/);
    await page.getByRole('status').filter({ hasText: '2 dépôts, 2 affichés' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('shows the API’s French message when the rollback is refused', async () => {
    const { page, errors } = await browse(tokens.admin);
    await page.goto(`/historique?lot=${first}`);
    const button = page.locator('#detail-depot').getByRole('button', { name: 'Annuler ce dépôt' });
    await button.waitFor();
    // Someone else rolls it back meanwhile: the page's request is refused, with the reason.
    await ok(`mutation ($id: ID!) { rollbackImport(id: $id) { status } }`, { id: String(first) });
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Annuler ce dépôt ?' });
    await dialog.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain(`Le lot n° ${first} est annulé : seul un lot appliqué peut être annulé.`);
    // A refused GraphQL request is an answer, not a browser error.
    expect(errors).toEqual([]);
  });
});
