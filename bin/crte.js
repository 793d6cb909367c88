#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it (prepare), and so does `npm start`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const entry = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('Le projet n’est pas compilé : lancez « npm run build » (ou « npm install »).');
  process.exit(1);
}
const { main, UsageError } = require(entry);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof UsageError) {
      console.error(error.message + '\n\nAide : npx crte help');
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    if (process.env.DEBUG) console.error(error);
    process.exit(1);
  },
);
