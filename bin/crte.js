#!/usr/bin/env -S node --max-semi-space-size=32
// Runs the compiled CLI; `npm install` builds it (prepare), and so does `npm start`. The first line's node
// options are the server's (src/server/node-flags.ts).
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
