/** Configuration from the environment, read once; defaults serve a newcomer's `npm start`. */

export type DatabaseConfig =
  | { type: 'sqlite'; path: string }
  | {
      type: 'mysql';
      /** MariaDB reports column defaults differently: TypeORM must know which server it talks to. */
      flavour: 'mysql' | 'mariadb';
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
    };

export interface AppConfig {
  databaseUrl: string;
  database: DatabaseConfig;
  port: number;
  readRequiresToken: boolean;
  production: boolean;
  /** GRAPHQL_MAX_DEPTH: nested fields per operation (default 12, src/server/graphql-limits.ts). */
  maxQueryDepth?: number;
  /** GRAPHQL_MAX_COMPLEXITY: estimated cost per operation (default 20000). */
  maxQueryComplexity?: number;
  /** GRAPHQL_TIMEOUT_MS: time allowed per GraphQL request (default 30000; 0: none). */
  queryTimeoutMs?: number;
  /** GRAPHQL_MAX_ROWS: list items one answer may materialise (default 300000). */
  maxResultRows?: number;
  /** GRAPHQL_MAX_VALUES: fields of the objects one answer may materialise (default 3000000). */
  maxResultValues?: number;
  /** GRAPHQL_MAX_RESPONSE_MB (in MB here in bytes): JSON one answer may be (default 64 MB). */
  maxResponseBytes?: number;
}

const DEFAULT_DATABASE_URL = 'sqlite:./data/crte.sqlite';

export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new Error(`DATABASE_URL « ${url} » : chemin du fichier SQLite manquant`);
    return { type: 'sqlite', path };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`DATABASE_URL « ${url} » n'est pas une adresse valide (sqlite:chemin ou mysql://utilisateur@hôte:port/base)`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`DATABASE_URL : protocole « ${parsed.protocol} » non pris en charge (sqlite: ou mysql://)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`DATABASE_URL « ${url} » : nom de la base manquant`);
  return {
    type: 'mysql',
    flavour: parsed.protocol === 'mariadb:' ? 'mariadb' : 'mysql',
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    username: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const port = env.PORT ? Number(env.PORT) : 4000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT « ${env.PORT} » invalide`);
  return {
    databaseUrl,
    database: parseDatabaseUrl(databaseUrl),
    port,
    readRequiresToken: env.READ_REQUIRES_TOKEN === 'true',
    production: env.NODE_ENV === 'production',
    ...queryLimitsFromEnv(env),
  };
}

/** The GraphQL limits of the environment; absent variables keep graphql-limits.ts's defaults. */
function queryLimitsFromEnv(
  env: NodeJS.ProcessEnv,
): Pick<AppConfig, 'maxQueryDepth' | 'maxQueryComplexity' | 'queryTimeoutMs' | 'maxResultRows' | 'maxResultValues' | 'maxResponseBytes'> {
  const read = (name: string, min: number) => readIntegerEnv(env, name, min);
  const megabytes = read('GRAPHQL_MAX_RESPONSE_MB', 1);
  return {
    maxQueryDepth: read('GRAPHQL_MAX_DEPTH', 1),
    maxQueryComplexity: read('GRAPHQL_MAX_COMPLEXITY', 1),
    queryTimeoutMs: read('GRAPHQL_TIMEOUT_MS', 0),
    maxResultRows: read('GRAPHQL_MAX_ROWS', 1),
    maxResultValues: read('GRAPHQL_MAX_VALUES', 1),
    maxResponseBytes: megabytes === undefined ? undefined : megabytes * 1024 * 1024,
  };
}

/** An integer setting of the environment, at least `min`; undefined when absent or empty. */
export function readIntegerEnv(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} « ${text} » invalide : un entier supérieur ou égal à ${min} est attendu`);
  return value;
}
