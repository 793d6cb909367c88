import 'reflect-metadata';
import { parseDatabaseUrl } from '../../src/config';
import { TEST_DATABASE_URL } from './database';
import { buildTemplate, TEMPLATE_ENV } from './database-template';

/**
 * Once per jest run, before any test file: the migrated template that createTestDatabase copies. The
 * workers are started after this and inherit the environment variable that names it.
 */
export default async function globalSetup(): Promise<void> {
  process.env[TEMPLATE_ENV] = await buildTemplate(parseDatabaseUrl(TEST_DATABASE_URL));
}
