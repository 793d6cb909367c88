#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it (prepare), and so does `npm start`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const entry = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('Le projet n’est pas compilé : lancez « npm run build » (ou « npm install »).');
  process.exit(1);
}
require(entry)
  .runCommandLine(process.argv.slice(2))
  .then((code) => process.exit(code));
