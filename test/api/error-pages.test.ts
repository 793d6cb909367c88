import { SavedReport } from '../../src/report/saved-report.entity';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';

/** What a browser sends when a person types an address (Chromium's Accept for a navigation). */
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' };

/** The site's shell (header, navigation, footer) around a page, its security headers, no inline script, no stack trace. */
async function expectSitePage(response: Response, status: number, heading: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await response.text();
  expect(html).toContain('<html lang="fr"');
  expect(html).toContain(`<h1>${heading}</h1>`);
  expect(html).toContain('class="fr-header"');
  expect(html).toContain('class="fr-footer"');
  expect(html).toContain('<a class="fr-nav__link" href="/requetes">Requêtes</a>');
  expect(html).toContain('/dsfr/dsfr.min.css');
  // Every script is a file of this server: the pages' CSP refuses inline scripts.
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const script of scripts) expect(script).toMatch(/ src="\/(dsfr|assets)\//);
  expect(html).not.toMatch(/<script\b[^>]*>[^<]/);
  expect(html).not.toMatch(/\bat [\w.<>]+ \(|node_modules|Cannot GET|Error:/);
  return html;
}

describe(`error pages and answers on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let base: string;
  const at = (path: string) => new URL(path, base);

  beforeAll(async () => {
    api = await startTestServer();
    base = `http://localhost:${api.server.port}`;
  });
  afterAll(async () => api?.close());

  it('answers an unknown page with the site’s 404 page, in French, to a browser', async () => {
    for (const path of ['/nulle-part', '/depot/inconnu', '/api/inconnu']) {
      const html = await expectSitePage(await fetch(at(path), { headers: BROWSER }), 404, 'Page non trouvée');
      expect(html).toContain('Erreur 404');
      expect(html).toContain('<a class="fr-btn" href="/">Page d’accueil</a>');
    }
  });

  it('answers an unknown address with a French JSON error to a program, whatever the method', async () => {
    for (const [method, path] of [['GET', '/nulle-part'], ['POST', '/api/inconnu'], ['DELETE', '/depot']]) {
      const response = await fetch(at(path), { method });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { error: string };
      expect(body).toEqual({ error: expect.stringMatching(new RegExp(`^Adresse inconnue : ${method} ${path}\\. L’API GraphQL répond en POST sur /graphql`)) });
    }
    // A long path is cut: the answer does not echo whatever was sent.
    const long = await fetch(at(`/${'x'.repeat(5000)}`));
    expect(((await long.json()) as { error: string }).error.length).toBeLessThan(500);
  });

  it('shows a page leading to /requetes for GET /graphql typed in a browser; programs keep Apollo’s answers', async () => {
    const html = await expectSitePage(await fetch(at('/graphql'), { headers: BROWSER }), 200, 'L’API GraphQL');
    expect(html).toContain('<a class="fr-btn" href="/requetes">Écrire une requête</a>');
    expect(html).not.toMatch(/CSRF|stacktrace/);

    // A program's simple GET: Apollo's CSRF refusal, in French, as before.
    const simple = await fetch(at('/graphql?query=%7B__typename%7D'));
    expect(simple.status).toBe(400);
    expect(((await simple.json()) as any).errors[0].message).toMatch(/^Requête refusée par la protection contre la falsification de requêtes \(CSRF\)/);
    // A preflighted GET is served, even when it accepts HTML.
    const preflighted = await fetch(at('/graphql?query=%7B__typename%7D'), { headers: { ...BROWSER, 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    expect(await preflighted.json()).toEqual({ data: { __typename: 'Query' } });
    // POST is untouched.
    expect((await api.graphql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  describe('an unexpected failure (a stored report whose query cannot be read)', () => {
    beforeAll(async () => {
      // Written around the API, which would refuse it: the route then fails where nothing expects it.
      await api.db.dataSource.getRepository(SavedReport).save({ name: 'rapport-abime', query: '{ contracts { code', variables: null, createdAt: new Date(), updatedAt: new Date() });
    });

    it('is the site’s 500 page for a browser, a bare French JSON error for a program, no stack trace in either', async () => {
      const errors: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void errors.push(args);
      try {
        const html = await expectSitePage(await fetch(at('/api/reports/rapport-abime.csv'), { headers: BROWSER }), 500, 'Erreur inattendue');
        expect(html).toContain('Erreur 500');
        const response = await fetch(at('/api/reports/rapport-abime.csv'));
        expect(response.status).toBe(500);
        expect(await response.text()).toBe('{"error":"Erreur interne du serveur."}');
      } finally {
        console.error = original;
      }
      // The details went to the server's log, once per failure.
      expect(errors).toHaveLength(2);
      expect(String((errors[0] as unknown[])[0])).toMatch(/Syntax Error/);
    });
  });
});
