import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../src/server/node-flags';

/** The server's node options are written in three places: they must say the same (src/server/node-flags.ts). */
describe('the server’s node options', () => {
  const root = join(__dirname, '..', '..');

  it('are those of `npm start` and of bin/crte.js’s first line', () => {
    const start: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
    expect(start).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} bin/crte.js serve`);
    const shebang = readFileSync(join(root, 'bin', 'crte.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
  });

  it('are options node accepts', () => {
    for (const flag of SERVER_NODE_FLAGS) expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0])).toBe(true);
  });
});
