import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { Response, Router } from 'express';
import { renderPage, WEB_PAGES, WebPage } from './page-layout';
import { LABELS_MODULE } from './labels-module';

/** The project's web/ folder, from src/web (ts-jest) as from dist/src/web (compiled). */
const WEB_DIR = [join(__dirname, '..', '..', 'web'), join(__dirname, '..', '..', '..', 'web')].find((dir) => {
  try {
    return readFileSync(join(dir, 'pages', 'accueil.html')).length > 0;
  } catch {
    return false;
  }
})!;

const DSFR_DIR = dirname(require.resolve('@gouvfr/dsfr/package.json'));

/** Pages only load what this server serves: no inline script, no other origin. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** A page in the site's shell, with its security headers. */
export function sendPage(res: Response, page: WebPage, status = 200): void {
  // Read at each request: the pages are small, and an edited page shows without a restart.
  const html = renderPage(page, readFileSync(join(WEB_DIR, 'pages', page.file), 'utf8'));
  res
    .status(status)
    .set({ 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' })
    .type('html')
    .send(html);
}

/** The web pages (upload, history, dashboard, queries) and their assets, the DSFR's among them. */
export function createWebRouter(): Router {
  const router = Router();
  router.use('/dsfr', express.static(join(DSFR_DIR, 'dist'), { maxAge: '7d', index: false }));
  router.get('/assets/labels.js', (_req, res) => {
    res.set({ 'Cache-Control': 'public, max-age=0', 'X-Content-Type-Options': 'nosniff' }).type('text/javascript; charset=utf-8').send(LABELS_MODULE);
  });
  router.use('/assets', express.static(join(WEB_DIR, 'assets'), { maxAge: 0, index: false }));
  router.get('/examples/index.json', (_req, res) => {
    const dir = join(WEB_DIR, '..', 'schema', 'examples');
    res.json(readdirSync(dir).filter((file) => file.endsWith('.graphql')).sort());
  });
  router.use('/examples', express.static(join(WEB_DIR, '..', 'schema', 'examples'), { index: false }));
  router.get('/schema.graphql', (_req, res) => {
    res.type('text/plain; charset=utf-8').sendFile(join(WEB_DIR, '..', 'schema', 'schema.graphql'));
  });
  for (const page of WEB_PAGES) {
    router.get(page.path, (_req, res) => sendPage(res, page));
  }
  return router;
}
