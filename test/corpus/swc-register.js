/** Lets `node` run the corpus script from its TypeScript source with @swc/core (the compiler jest uses). */
const fs = require('node:fs');
const swc = require('@swc/core');
const options = JSON.parse(fs.readFileSync(`${__dirname}/../../.swcrc`, 'utf8'));
delete options.$schema;
require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, swcrc: false, sourceMaps: 'inline', filename });
  module._compile(code, filename);
};
