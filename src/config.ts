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
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/crte.sqlite';

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
  };
}
