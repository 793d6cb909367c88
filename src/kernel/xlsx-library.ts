/**
 * The one way the project loads SheetJS (xlsx 0.18.5): without its legacy codepage tables. The library
 * requires `dist/cpexcel.js` at load, which builds the tables of every legacy codepage: three quarters of
 * what loading it costs (0.15–0.45 s of CPU, for an import worker's each file and for every process that
 * writes a workbook). Those tables serve only the legacy binary formats (xls, dbf) and explicit codepages,
 * which the project neither reads (xls is refused) nor writes: xlsx and ods are XML in UTF-8, and the
 * library guards each use with `typeof $cptable !== 'undefined'`. Loaded at first use, so that a server
 * that exports nothing never loads it. test/unit/read/xlsx-without-codepages.test.ts reads every fixture
 * both ways and compares.
 */
export type XlsxLibrary = typeof import('xlsx');

let library: XlsxLibrary | null = null;

export function xlsxLibrary(): XlsxLibrary {
  if (library === null) library = requireWithoutCodepages();
  return library;
}

type ModuleLoad = (request: string, parent: { filename?: string } | null | undefined, isMain: boolean) => unknown;

function requireWithoutCodepages(): XlsxLibrary {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('node:module') as { _load: ModuleLoad };
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === './dist/cpexcel.js' && /[\\/]xlsx[\\/]xlsx\.js$/.test(parent?.filename ?? '')) return undefined;
    return load.call(this, request, parent, isMain);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('xlsx') as XlsxLibrary;
  } finally {
    Module._load = load;
  }
}
