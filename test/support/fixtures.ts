import { join } from 'node:path';

/**
 * Copies of ../shared/fixtures and of the contract's text, kept in the repository so that a clone
 * anywhere (CI's included) tests against the same files. Their README says what each must produce.
 */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'partners');
export const CONTRACT_TEXT_PATH = join(__dirname, '..', 'fixtures', 'contract', 'crte-douaisis.txt');

export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}
