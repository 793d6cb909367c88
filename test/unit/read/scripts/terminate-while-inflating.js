/**
 * Child of native-call-guard.test.ts (compiled code, from dist/): times reads out while a spare worker
 * inflates a workbook of 400 small compressed sheets, at 1 to 40 ms. Before native-call-guard.ts, Node
 * aborted this process (« close before init ») within a few dozen reads. Prints the reads done.
 */
const { join } = require('node:path');
const XLSX = require('xlsx');
const reader = require(join(__dirname, '..', '..', '..', '..', 'dist', 'import', 'read', 'xlsx.reader'));

const book = XLSX.utils.book_new();
for (let s = 0; s < 400; s++) XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([['Ligne', s]]), `F${s}`);
const file = XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true });
const reads = Number(process.argv[2] || 60);
// Waiting spares do not keep a process alive.
const alive = setInterval(() => undefined, 1000);

(async () => {
  const outcomes = {};
  for (let i = 0; i < reads; i++) {
    await reader.keepSpareWorker({ parallelParts: 1 });
    try {
      await reader.readSpreadsheetInWorker(file, { timeoutMs: 1 + (i % 40) });
      outcomes.read = (outcomes.read || 0) + 1;
    } catch (error) {
      outcomes[error.code] = (outcomes[error.code] || 0) + 1;
    }
  }
  await reader.closeSpareWorker();
  clearInterval(alive);
  process.stdout.write(JSON.stringify(outcomes));
})();
