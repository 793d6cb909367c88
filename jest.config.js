/**
 * Unit tests are pure and fast; db/ and api/ tests talk to the database named by DATABASE_URL, each file
 * on a database of its own copied from a migrated template that the global setup builds once per run.
 * `npm test` runs jest twice (test/run-tests.js): most files on parallel workers, then the files that
 * measure latency alone.
 */
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
};
