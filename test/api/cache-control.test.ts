import { startTestServer, TestServer } from '../support/server';

/** Apollo's cache-control plugin is off (src/server/execution.ts): its one effect, no-store, is kept. */
describe('GraphQL answers are not to be cached', () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer();
  }, 60000);
  afterAll(async () => api?.close());

  it('answers cache-control: no-store, to a query and to an error', async () => {
    for (const query of ['{ contracts { code } }', '{ nope }']) {
      const response = await fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      expect(response.headers.get('cache-control')).toBe('no-store');
      // Nor hashed for an ETag (express's default): an answer never revalidated, hashed for nothing.
      expect(response.headers.get('etag')).toBeNull();
    }
  });

  it('keeps the ETag of static assets (the pages’ style), which browsers revalidate', async () => {
    const response = await fetch(api.server.url.replace(/\/graphql$/, '/assets/app.css'));
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^W\/"/);
  });
});
