import { parseDatabaseUrl } from '../../src/config';
import { TEST_DATABASE_URL } from './database';
import { dropTemplate, TEMPLATE_ENV } from './database-template';

/** Drops the template that global-setup.ts built. */
export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) return;
  delete process.env[TEMPLATE_ENV];
  await dropTemplate(parseDatabaseUrl(TEST_DATABASE_URL), template);
}
