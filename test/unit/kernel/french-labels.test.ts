import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LAYOUTS } from '../../../import/detect/layouts.data';
import { AddressInfo } from 'node:net';
import express from 'express';
import { CLOSED_SETS, frenchLabelsOf, LAYOUT_LABELS } from '../../../src/kernel/french-labels';
import { createWebRouter } from '../../../src/web/web.routes';

const KERNEL = join(__dirname, '../../../src/kernel');

/** Every enum the kernel exports, read from the files themselves: a new enum or value is not forgotten. */
function kernelEnums(): Array<{ file: string; name: string; values: string[] }> {
  const enums: Array<{ file: string; name: string; values: string[] }> = [];
  for (const file of readdirSync(KERNEL).filter((name) => name.endsWith('.enum.ts'))) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const module = require(join(KERNEL, file)) as Record<string, unknown>;
    for (const [name, exported] of Object.entries(module)) {
      if (!exported || typeof exported !== 'object' || Array.isArray(exported)) continue;
      const values = Object.values(exported as Record<string, unknown>);
      if (values.length && values.every((value) => typeof value === 'string')) enums.push({ file, name, values: values as string[] });
    }
  }
  return enums;
}

describe('French labels of the closed sets', () => {
  const enums = kernelEnums();

  it('finds the kernel enums', () => {
    expect(enums.map((e) => e.name)).toEqual(expect.arrayContaining(['FundingStage', 'FundingInstrument', 'OrganisationKind', 'ActionStatus', 'ImportKind', 'IssueSeverity']));
  });

  it.each(kernelEnums().map((e) => [e.name, e]))('%s: every value has a French label, distinct from its code', (_name, found) => {
    const set = (CLOSED_SETS as Record<string, { values: object; labels: Record<string, string> }>)[found.name];
    expect(set).toBeDefined();
    for (const value of found.values) {
      const label = set.labels[value];
      expect({ value, label: typeof label === 'string' && label.trim() !== '' ? 'labelled' : label }).toEqual({ value, label: 'labelled' });
    }
    // No label left over from a removed value.
    expect(Object.keys(set.labels).sort()).toEqual([...found.values].sort());
  });

  it('labels every import layout (import/detect/layouts.data.ts)', () => {
    const names = Object.values(LAYOUTS).flatMap((layouts) => (layouts as ReadonlyArray<{ name: string }>).map((layout) => layout.name));
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect({ name, label: LAYOUT_LABELS[name] ?? null }).toEqual({ name, label: expect.any(String) });
    expect(Object.keys(LAYOUT_LABELS).sort()).toEqual([...new Set(names)].sort());
  });

  it('reads a set by its GraphQL names as well as by its stored values', () => {
    expect(frenchLabelsOf('FundingStage')).toMatchObject({ PLANNED: 'Prévu', PAID: 'Payé' });
    expect(frenchLabelsOf('FundingInstrument')).toMatchObject({ LOAN: 'Prêt' });
    expect(frenchLabelsOf('OrganisationKind')).toMatchObject({ STATE_OPERATOR: 'Opérateur de l’État' });
    expect(frenchLabelsOf('ImportKind')).toMatchObject({ ANNEX3: 'Annexe 3 — investissements', annex3: 'Annexe 3 — investissements' });
    expect(frenchLabelsOf('NotAnEnum')).toBeUndefined();
  });

  it('serves the pages this table, not a copy (/assets/labels.js)', async () => {
    const app = express().use(createWebRouter());
    const server = app.listen(0);
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/assets/labels.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
      const source = await response.text();
      const table = JSON.parse(/^const TABLE = (.*);$/m.exec(source)![1]);
      const expected: { labels: Record<string, unknown>; order: Record<string, string[]> } = { labels: { Layout: LAYOUT_LABELS }, order: {} };
      for (const [name, set] of Object.entries(CLOSED_SETS)) {
        // Both spellings, as frenchLabelsOf: GraphQL names (ANNEX3) and stored values (annex3).
        const labels: Record<string, string> = {};
        for (const [graphqlName, stored] of Object.entries(set.values as Record<string, string>)) {
          labels[graphqlName] = (set.labels as Record<string, string>)[stored];
          labels[stored] = (set.labels as Record<string, string>)[stored];
        }
        expected.labels[name] = labels;
        expected.order[name] = Object.keys(set.values);
      }
      expect(table).toEqual(expected);
      expect(table.labels.FundingInstrument.LOAN).toBe('Prêt');
      expect(table.labels.FundingStage.PLANNED).toBe('Prévu');
      expect(source).toMatch(/^export function labelsOf\(set\)/m);
      expect(source).toMatch(/^export function frenchLabel\(set, value\)/m);
    } finally {
      // fetch keeps its connection alive: closed here, or the worker is left with an open socket.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
