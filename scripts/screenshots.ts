/**
 * The README's screenshots (docs/images/*.png), taken from the current pages: `npm run screenshots`.
 *
 * As a newcomer would see them: the real server (`crte serve`, compiled dist/) on a fresh SQLite database
 * (its first run seeds the Douaisis contract and loads the sample indicators), an admin token made with
 * `crte token create`, the Banque des Territoires annex 3 dropped on /depot and applied there, the other
 * partners' fixtures imported with `crte import`, one COPIL with two decisions through GraphQL. Then
 * Chromium (playwright-core, /usr/bin/chromium or CHROMIUM_PATH) at 1 280 × 900 takes each picture: a
 * page's first screen or one block, never a whole long page, so that each PNG stays under ~300 KB.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, Page } from 'playwright-core';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'crte.js');
const IMAGES = join(ROOT, 'docs', 'images');
const PARTNERS = join(ROOT, 'test', 'fixtures', 'partners');
const CONTRACT = 'CRTE-DOUAISIS';
const MAX_BYTES = 300 * 1024;

function cli(env: NodeJS.ProcessEnv, args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8' });
}

function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API GraphQL prête : (http:\/\/\S+)\/graphql/.exec(output);
      if (match) resolve({ child, base: match[1] });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`crte serve s'est arrêté (${code}) :\n${output}`)));
  });
}

async function graphql(base: string, token: string, query: string): Promise<any> {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function shoot(page: Page, name: string, target?: string): Promise<void> {
  const path = join(IMAGES, `${name}.png`);
  if (target) await page.locator(target).screenshot({ path });
  else await page.screenshot({ path });
  const bytes = statSync(path).size;
  console.log(`${name}.png : ${Math.round(bytes / 1024)} Ko`);
  if (bytes > MAX_BYTES) throw new Error(`${name}.png dépasse ${MAX_BYTES / 1024} Ko`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crte-captures-'));
  const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'crte.sqlite')}`, PORT: '0', SAMPLE_INDICATORS: 'true' };
  const { child, base } = await serve(env);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const token = cli(env, ['token', 'create', '--name', 'Sous-préfecture de Douai', '--role', 'admin']).trim().split('\n').pop()!.trim();
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'fr-FR' });
    await context.addInitScript({ content: `localStorage.setItem('crte.jeton', ${JSON.stringify(token)});` });
    const page = await context.newPage();

    // The README's newcomer path: the Banque des Territoires annex 3 dropped on /depot, previewed, then applied.
    await page.goto('/depot');
    await page.locator('#depot-source option').nth(50).waitFor({ state: 'attached' });
    await page.getByLabel('Nature du fichier').selectOption('annex3');
    await page.getByLabel('Organisation qui envoie le fichier').selectOption({ label: 'Banque des Territoires' });
    await page.getByLabel('Formats acceptés').setInputFiles(join(PARTNERS, 'annexe3-banque-des-territoires-2023.xlsx'));
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    await page.getByText('Aperçu prêt à appliquer').waitFor();
    await page.getByRole('heading', { name: '2. Aperçu' }).evaluate((heading) => heading.scrollIntoView());
    await shoot(page, 'depot-apercu');
    await page.getByRole('button', { name: 'Appliquer' }).first().click();
    await page.getByText(/lot n° \d+ : appliqué/).waitFor();

    for (const [file, kind, source, ...more] of [
      ['annexe3-douaisis-agglo-2022.xlsx', 'annex3', 'Douaisis Agglo'],
      ['annexe3-ademe-2021-2023.csv', 'annex3', 'ADEME'],
      ['dotations-detr-dsil-fnadt-2017-2021.xlsx', 'dotations', 'Etat'],
      // The State's annex 2, its rows in error left out (issue 17).
      ['annexe2-bilan-plan-de-relance-douaisis.xlsx', 'annex2', 'Etat', '--allow-partial'],
    ]) {
      cli(env, ['import', join(PARTNERS, file), '--kind', kind, '--source', source, '--by', 'Sous-préfecture de Douai', '--json', ...more]);
    }
    const meeting = (await graphql(base, token, `mutation { createMeeting(input: { contract: "${CONTRACT}", body: COPIL, heldOn: "2026-06-15", title: "COPIL annuel", agenda: ["DA-41"] }) { id } }`)).createMeeting;
    await graphql(base, token, `mutation { addDecision(input: { meeting: "${meeting.id}", action: "DA-41", kind: POSTPONED, text: "Reportée après le solde de la subvention.", dueOn: "2027-06-30" }) { id } }`);
    await graphql(base, token, `mutation { addDecision(input: { meeting: "${meeting.id}", kind: AMENDMENT_REQUEST, text: "Avenant n° 1 : ajouter la fiche DA-42." }) { id } }`);

    // The dashboard: its first screen (the key figures), then its blocks.
    await page.goto('/tableau-de-bord');
    await page.locator('#etat[data-etat="pret"]').waitFor();
    await page.locator('#bloc-actions[data-etat="pret"]').waitFor();
    await page.locator('#tableau-relance').waitFor();
    await page.locator('#bloc-instances table, #bloc-instances li').first().waitFor();
    await shoot(page, 'tableau-de-bord');
    await shoot(page, 'tableau-de-bord-relance', 'section:has(> #plan-de-relance)');
    await shoot(page, 'tableau-de-bord-instances', '#section-instances');
    await shoot(page, 'tableau-de-bord-indicateurs', '#bloc-indicateurs');

    await page.goto('/historique');
    await page.locator('#historique-liste table, table').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.locator('#liste-depots').evaluate((list) => {
      list.scrollIntoView();
      list.ownerDocument.defaultView!.scrollBy(0, -80);
    });
    await shoot(page, 'historique');

    await page.goto('/requetes');
    await page.getByLabel('Exemple de requête').selectOption('contract-overview.graphql');
    await page.getByRole('button', { name: 'Charger l’exemple' }).click();
    await page.getByRole('button', { name: 'Exécuter' }).click();
    await page.getByText(/Résultat reçu en \d+ ms/).waitFor();
    await shoot(page, 'requetes');

    await page.goto('/contrats');
    await page.getByRole('cell', { name: CONTRACT }).first().waitFor();
    await page.waitForLoadState('networkidle');
    await shoot(page, 'contrats');
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
