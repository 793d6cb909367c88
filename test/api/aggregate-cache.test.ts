import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { approximateBytes, BoundedLru } from '../../src/cache/bounded-lru';
import { writeToContract } from '../../src/contract/contract-write';
import { openDataSource } from '../../src/db/data-source';
import { importFile, rollbackBatch } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';
const INDICATOR_TEMPLATE = join(__dirname, '..', '..', 'docs', 'templates', 'modele-indicateurs.csv');

/** The dashboard's figures: five totals and the review, every amount exact. */
const FIGURES = `query ($filter: FundingFilter!, $all: FundingFilter!, $asOf: DateTimeISO) {
  byOrientation: fundingTotals(groupBy: [ORIENTATION], filter: $filter, asOf: $asOf) { orientation { code } amount lines }
  byFunder: fundingTotals(groupBy: [FUNDER], filter: $filter, asOf: $asOf) { funder { name } amount lines }
  byYear: fundingTotals(groupBy: [YEAR], filter: $filter, asOf: $asOf) { year amount lines }
  byStage: fundingTotals(groupBy: [STAGE], filter: $all, asOf: $asOf) { stage amount lines }
  everything: fundingTotals(groupBy: [CONTRACT], asOf: $asOf) { contract { code } amount lines }
}`;
const PROGRESS = `query { progress(contract: "${CONTRACT}") {
  overall { actions byStatus { status count } planned requested granted paid grantedRate paidRate }
  unclassified { actions planned }
  axes { axis { number } figures { planned paid } orientations { orientation { code } figures { planned } indicators { indicator { code } latestYear latestValue achievement } } }
} }`;
const VARIABLES = { filter: { contract: CONTRACT, stage: ['PLANNED'] }, all: { contract: CONTRACT } };
/** The dashboard's actions page, ordered by a costly value, and its list of conflicts. */
const ACTIONS = `query ($field: ActionOrderField!) {
  actions(filter: { contract: "${CONTRACT}" }, orderBy: { field: $field, direction: DESC, stage: PLANNED }, first: 5) {
    totalCount pageInfo { hasNextPage endCursor } nodes { code totalCost fundingTotal(stage: PLANNED) coverage(stage: PLANNED) }
  }
  fundingConflicts(contract: "${CONTRACT}") { action { code } funder { name } year stage difference counted { amount } notCounted { amount } }
}`;

function file(name: string, kind: ImportKind, source: string, path = fixturePath(name)) {
  return { buffer: readFileSync(path), fileName: name, kind, source, contract: CONTRACT };
}

describe(`aggregate cache on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;
  /** A second server on its own data source (a second process, as far as the database can tell). */
  let other: TestServer;
  let otherSource: DataSource;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    for (const request of [
      file('annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires'),
      file('annexe3-douaisis-agglo-2022.xlsx', ImportKind.ANNEX3, 'Douaisis Agglo'),
      file('modele-indicateurs.csv', ImportKind.INDICATORS, 'Douaisis Agglo', INDICATOR_TEMPLATE),
    ]) {
      expect((await importFile(db.dataSource, request)).status).toBe('APPLIED');
    }
    token = (await createToken(db.dataSource, { name: 'cache', role: Role.ADMIN, organisationId: null })).secret;
    api = await startTestServer({ db });
    otherSource = await openDataSource(db.config);
    other = await startTestServer({ db: { ...db, dataSource: otherSource, drop: async () => otherSource.destroy() } });
  }, 180000);
  afterAll(async () => {
    await other?.close();
    await api?.close();
  });

  async function read(server: TestServer, query: string, variables?: Record<string, unknown>) {
    const { status, body } = await server.graphql(query, variables);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data;
  }

  /** The same figures computed afresh, by a server whose cache is off. */
  async function uncached(query: string, variables?: Record<string, unknown>) {
    const source = await openDataSource(db.config);
    const fresh = await startTestServer({ db: { ...db, dataSource: source, drop: async () => source.destroy() }, config: { cache: { maxEntries: 0, maxBytes: 0 } } as never });
    try {
      return await read(fresh, query, variables);
    } finally {
      await fresh.close();
    }
  }

  it('answers a repeated read from the cache with the exact same figures', async () => {
    const before = api.server.stats().cache!;
    const first = await read(api, FIGURES, VARIABLES);
    const second = await read(api, FIGURES, VARIABLES);
    const after = api.server.stats().cache!;
    expect(second).toEqual(first);
    expect(after.hits - before.hits).toBeGreaterThanOrEqual(5);
    expect(first).toEqual(await uncached(FIGURES, VARIABLES));
    expect(first.everything.length).toBeGreaterThan(0);
    expect(await read(api, PROGRESS)).toEqual(await uncached(PROGRESS));
  });

  it('changes the figures after an apply and after its rollback, and keys asOf separately', async () => {
    const before = await read(api, FIGURES, VARIABLES);
    const progressBefore = await read(api, PROGRESS);
    // MariaDB keeps whole seconds: asOf a full second away from both imports.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const beforeImport = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const applied = await importFile(db.dataSource, file('annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME'));
    expect(applied.status).toBe('APPLIED');

    const after = await read(api, FIGURES, VARIABLES);
    expect(after).not.toEqual(before);
    expect(after).toEqual(await uncached(FIGURES, VARIABLES));
    expect(await read(api, PROGRESS)).not.toEqual(progressBefore);
    // Seen from before the import: the figures of then, cached under their own key.
    const then = { ...VARIABLES, asOf: beforeImport.toISOString() };
    expect(await read(api, FIGURES, then)).toEqual(before);
    expect(await read(api, FIGURES, then)).toEqual(before);
    expect(await read(api, FIGURES, VARIABLES)).toEqual(after);

    await rollbackBatch(db.dataSource, applied.batchId!);
    expect(await read(api, FIGURES, VARIABLES)).toEqual(before);
    expect(await read(api, PROGRESS)).toEqual(progressBefore);
  });

  it('changes the figures after an action edit and an indicator value set through the API', async () => {
    const { actions } = await read(api, `query { actions(filter: { contract: "${CONTRACT}" }, orderBy: { field: FUNDING_TOTAL, direction: DESC }, first: 1) { nodes { code orientation { code } } } }`);
    const [action] = actions.nodes;
    expect(action.orientation).not.toBeNull();
    const before = await read(api, FIGURES, VARIABLES);
    const progressBefore = await read(api, PROGRESS);

    const indicator = progressBefore.progress.axes.flatMap((axis: any) => axis.orientations).flatMap((o: any) => o.indicators)[0];
    expect(indicator).toBeDefined();
    const set = await api.graphql(
      `mutation ($code: String!) { setIndicatorValue(input: { contract: "${CONTRACT}", indicator: $code, year: 2026, stage: ACTUAL, value: "123.4567" }) { code } }`,
      { code: indicator.indicator.code },
      token,
    );
    expect(set.body.errors).toBeUndefined();
    const progressSet = await read(api, PROGRESS);
    const updated = progressSet.progress.axes.flatMap((axis: any) => axis.orientations).flatMap((o: any) => o.indicators).find((i: any) => i.indicator.code === indicator.indicator.code);
    expect(updated).toMatchObject({ latestYear: 2026, latestValue: '123.4567' });
    expect(progressSet).toEqual(await uncached(PROGRESS));
    expect(progressSet).not.toEqual(progressBefore);

    // A classified action changes orientation by an amendment (updateAction refuses it), signed today.
    const to = action.orientation.code === '4.1' ? '4.2' : '4.1';
    const moved = await api.graphql(
      `mutation ($input: AmendmentInput!) { amendContract(input: $input) { number } }`,
      { input: { contract: CONTRACT, number: 'cache', signedOn: new Date().toISOString().slice(0, 10), title: 'Avenant', changes: { moveActions: [{ action: action.code, toOrientation: to }] } } },
      token,
    );
    expect(moved.body.errors).toBeUndefined();
    const after = await read(api, FIGURES, VARIABLES);
    expect(after.byOrientation).not.toEqual(before.byOrientation);
    expect(after.byFunder).toEqual(before.byFunder);
    expect(after).toEqual(await uncached(FIGURES, VARIABLES));
    const progressAfter = await read(api, PROGRESS);
    expect(progressAfter.progress.axes).not.toEqual(progressBefore.progress.axes);
    expect(progressAfter).toEqual(await uncached(PROGRESS));
  });

  it('caches the actions ordered by coverage or funding, and the conflicts, until a write changes them', async () => {
    for (const field of ['FUNDING_TOTAL', 'COVERAGE']) {
      const first = await read(api, ACTIONS, { field });
      const hits = api.server.stats().cache!.hits;
      expect(await read(api, ACTIONS, { field })).toEqual(first);
      expect(api.server.stats().cache!.hits).toBeGreaterThan(hits);
      expect(first).toEqual(await uncached(ACTIONS, { field }));
      expect(first.actions.nodes.length).toBeGreaterThan(0);
    }
    // An action's cost cut to one euro: its coverage becomes the highest.
    const before = await read(api, ACTIONS, { field: 'COVERAGE' });
    const { actions } = await read(api, `query { actions(filter: { contract: "${CONTRACT}" }, orderBy: { field: COVERAGE, direction: ASC, stage: PLANNED }, first: 1) { nodes { code fundingTotal(stage: PLANNED) } } }`);
    const cheapest = actions.nodes[0];
    expect(before.actions.nodes[0].code).not.toBe(cheapest.code);
    const cut = await api.graphql(`mutation ($code: String!) { updateAction(contract: "${CONTRACT}", code: $code, input: { totalCost: "1.00" }) { code } }`, { code: cheapest.code }, token);
    expect(cut.body.errors).toBeUndefined();
    const after = await read(api, ACTIONS, { field: 'COVERAGE' });
    expect(after.actions.nodes[0].code).toBe(cheapest.code);
    expect(after).toEqual(await uncached(ACTIONS, { field: 'COVERAGE' }));

    const applied = await importFile(db.dataSource, file('annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME'));
    expect(applied.status).toBe('APPLIED');
    const imported = await read(api, ACTIONS, { field: 'FUNDING_TOTAL' });
    expect(imported).toEqual(await uncached(ACTIONS, { field: 'FUNDING_TOTAL' }));
    await rollbackBatch(db.dataSource, applied.batchId!);
    expect(await read(api, ACTIONS, { field: 'FUNDING_TOTAL' })).toEqual(await uncached(ACTIONS, { field: 'FUNDING_TOTAL' }));
  });

  it('keeps nothing of a write that was rolled back: reads during it see the last commit', async () => {
    const before = await read(api, FIGURES, VARIABLES);
    const [{ id }] = await db.dataSource.query('SELECT id FROM contract WHERE code = ?', [CONTRACT]);
    let during: any;
    await expect(
      writeToContract(
        db.dataSource,
        { id: Number(id) },
        {
          // The audit hook runs after the version bump, in the write's transaction. The server's reads go to
          // another connection (on SQLite a read-only one): they see the last commit, never these rows.
          audit: async () => {
            during = await read(api, FIGURES, VARIABLES);
            throw new Error('rolled back');
          },
        },
        (manager) => manager.query('UPDATE funding SET amount = amount + 1000 WHERE contract_id = ?', [id]),
      ),
    ).rejects.toThrow('rolled back');
    expect(during).toEqual(before);
    expect(await read(api, FIGURES, VARIABLES)).toEqual(before);
    // The next write reaches the version the rolled-back one had reached: nothing of it may answer then.
    await writeToContract(db.dataSource, { id: Number(id) }, {}, async () => undefined);
    expect(await read(api, FIGURES, VARIABLES)).toEqual(before);
  });

  it('lets a second server on the same database see a write made through the first at once', async () => {
    const before = await read(other, FIGURES, VARIABLES);
    expect(await read(other, FIGURES, VARIABLES)).toEqual(before);
    const applied = await importFile(db.dataSource, file('annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME'));
    expect(applied.status).toBe('APPLIED');
    const after = await read(other, FIGURES, VARIABLES);
    expect(after).not.toEqual(before);
    expect(after).toEqual(await read(api, FIGURES, VARIABLES));
    // And the other way round: a rollback through the second server's data source.
    await rollbackBatch(otherSource, applied.batchId!);
    expect(await read(api, FIGURES, VARIABLES)).toEqual(before);
  });

  it('keeps within its bounds in entries and in bytes', async () => {
    const source = await openDataSource(db.config);
    const small = await startTestServer({ db: { ...db, dataSource: source, drop: async () => source.destroy() }, config: { cache: { maxEntries: 4, maxBytes: 64 * 1024 } } as never });
    try {
      for (let year = 2015; year <= 2030; year++) {
        await read(small, `query ($f: FundingFilter!) { fundingTotals(groupBy: [FUNDER, YEAR], filter: $f) { amount } }`, { f: { contract: CONTRACT, yearFrom: year } });
        const { entries, bytes } = small.server.stats().cache!;
        expect(entries).toBeLessThanOrEqual(4);
        expect(bytes).toBeLessThanOrEqual(64 * 1024);
      }
      expect(small.server.stats().cache!.entries).toBe(4);
    } finally {
      await small.close();
    }
  });
});

describe('BoundedLru', () => {
  it('drops the least recently used entries past either bound, and keeps no value larger than the byte bound', () => {
    const lru = new BoundedLru<string>(3, 1000);
    lru.set('a', 'A', 100);
    lru.set('b', 'B', 100);
    lru.set('c', 'C', 100);
    expect(lru.get('a')).toBe('A');
    lru.set('d', 'D', 100);
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual(['A', 'C', 'D']);
    lru.set('e', 'E', 850);
    expect(lru.bytes).toBeLessThanOrEqual(1000);
    expect(lru.get('e')).toBe('E');
    expect(lru.set('huge', 'H', 1001)).toBe(false);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.bytes).toBeLessThanOrEqual(1000);
  });

  it('estimates sizes from the strings, numbers and objects a value holds', () => {
    const small = approximateBytes([{ amount: '1.00', cents: 100n }]);
    const large = approximateBytes(Array.from({ length: 100 }, () => ({ amount: '1.00', cents: 100n })));
    expect(large).toBeGreaterThan(small * 50);
  });
});
