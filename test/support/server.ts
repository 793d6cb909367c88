import { AppConfig } from '../../src/config';
import { RunningServer, startServer } from '../../src/server/app';
import { createTestDatabase, TestDatabase } from './database';

export interface TestServer {
  db: TestDatabase;
  server: RunningServer;
  /** POSTs a GraphQL operation to the real HTTP server; returns the parsed body and the status. */
  graphql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  close(): Promise<void>;
}

/** A real HTTP server on a free port, over a fresh migrated database; `prepare` fills it first. */
export async function startTestServer(
  options: { prepare?: (db: TestDatabase) => Promise<void>; config?: Partial<AppConfig>; db?: TestDatabase } = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  if (options.prepare) await options.prepare(db);
  const config: AppConfig = {
    databaseUrl: db.url,
    database: db.config,
    port: 0,
    readRequiresToken: false,
    production: false,
    ...options.config,
  };
  const server = await startServer(db.dataSource, config);
  return {
    db,
    server,
    async graphql(query, variables, token) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
    },
    async close() {
      await server.close();
      await db.drop();
    },
  };
}
