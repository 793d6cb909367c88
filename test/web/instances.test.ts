import { readFileSync } from 'node:fs';
import { createToken } from '../../src/auth/token.service';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { Role } from '../../src/kernel/role.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { ADEME_FILE } from '../support/fixture-figures';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { openBrowser, TestBrowser } from './browser';

/**
 * The dashboard's « Instances de pilotage » (issue 17, point 3) in Chromium: a COPIL with its decisions,
 * the difference since it after a later payment, the relevé to download, and an action's decisions in its
 * window. The figures are the API's (test/api/meetings.test.ts checks them against the fixtures).
 */

const CONTRACT = 'CRTE-DOUAISIS';
const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

describe('Tableau de bord: instances de pilotage', () => {
  let server: TestServer;
  let browser: TestBrowser;
  const tokens = { admin: '', reader: '' };
  let meetingId = '';

  async function api<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const { body } = await server.graphql<T>(query, variables, tokens.admin);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }

  beforeAll(async () => {
    server = await startTestServer({
      config: { readRequiresToken: true },
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        for (const [file, source] of [
          ['annexe3-banque-des-territoires-2023.xlsx', 'Banque des Territoires'],
          [ADEME_FILE, 'ADEME'],
        ]) {
          const result = await importFile(dataSource, { buffer: readFileSync(fixturePath(file)), fileName: file, kind: ImportKind.ANNEX3, source, contract: CONTRACT });
          expect(result.status).toBe('APPLIED');
        }
        tokens.admin = (await createToken(dataSource, { name: 'Équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
        tokens.reader = (await createToken(dataSource, { name: 'Lecture', role: Role.READER, organisationId: null })).secret;
      },
    });
    meetingId = (await api(`mutation { createMeeting(input: { contract: "${CONTRACT}", body: COPIL, heldOn: "2026-06-15", title: "COPIL annuel", agenda: ["DA-41"] }) { id } }`)).createMeeting.id;
    await api(`mutation { addDecision(input: { meeting: "${meetingId}", action: "DA-41", kind: POSTPONED, text: "Reportée après le solde.", dueOn: "2027-06-30" }) { id } }`);
    await api(`mutation { addDecision(input: { meeting: "${meetingId}", kind: AMENDMENT_REQUEST, text: "Avenant n° 1." }) { id } }`);
    await api(`mutation ($input: CreateFundingInput!) { createFunding(input: $input) { id } }`, {
      input: { contract: CONTRACT, action: 'DA-41', funder: 'ADEME', year: 2024, stage: 'PAID', instrument: 'SUBSIDY', amount: '12345.67', note: 'solde' },
    });
    browser = await openBrowser(`http://localhost:${server.server.port}`, { token: tokens.reader });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the COPIL with its decisions and the relevé, says what moved since, and shows an action’s decisions', async () => {
    const { page } = browser;
    await page.goto('/tableau-de-bord');
    await page.locator('#tableau-instances').waitFor();
    const since = plain(await page.locator('#instances-depuis-copil').innerText());
    // Held on 15 June 2026: the review stands at that day's end, before these files were imported.
    const { changesSinceLastCopil: changes } = await api(`{ changesSinceLastCopil(contract: "${CONTRACT}") { overall { planned paid } } }`);
    expect(changes.overall.paid).not.toBe('12345.67');
    expect(since).toContain('Depuis le COPIL du 15/06/2026');
    expect(since).toContain(`payé +${plain(changes.overall.paid.replace(/\B(?=(\d{3})+(?!\d))/g, ' ').replace('.', ','))} €`);
    const row = plain(await page.locator('#tableau-instances tbody tr').first().innerText());
    expect(row).toContain('15/06/2026');
    expect(row).toContain('COPIL — COPIL annuel');
    expect(row).toContain('DA-41 : Reportée — Reportée après le solde. (échéance 30/06/2027)');
    expect(row).toContain("Contrat : Demande d’avenant — Avenant n° 1.");
    const download = page.waitForEvent('download');
    await page.locator('[data-testid^="releve-"]:not([data-testid^="releve-pdf-"])').click();
    expect((await download).suggestedFilename()).toBe('releve-CRTE-DOUAISIS-COPIL-2026-06-15.xlsx');
    // The PDF beside it (its content: test/api/meetings.test.ts).
    expect(await page.locator('[data-testid^="releve-pdf-"]').getAttribute('href')).toBe(`/api/contracts/${CONTRACT}/meetings/${meetingId}/review.pdf`);

    await page.locator('#actions-texte').fill('DA-41');
    await page.getByRole('button', { name: 'Voir DA-41' }).click();
    await page.locator('#fenetre-action-contenu[data-etat="pret"]').waitFor();
    expect(plain(await page.locator('#tableau-action-decisions tbody').innerText())).toContain('COPIL du 15/06/2026\tReportée\tReportée après le solde.\t30/06/2027');
    expect(browser.errors).toEqual([]);
  });
});
