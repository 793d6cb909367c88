import { AsyncResource } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';
import { upload } from './support';

const BDT = readFileSync(fixturePath('annexe3-banque-des-territoires-2023.xlsx'));
const CONTRACT = 'CRTE-DOUAISIS';
const CREATE_ACTION = `mutation ($input: CreateActionInput!) { createAction(input: $input) { code } }`;
const UPDATE_ACTION = `mutation ($title: String!) { updateAction(contract: "${CONTRACT}", code: "DA-77", input: { title: $title }) { title } }`;

/**
 * A write acknowledged to its client stays written, whatever another request's transaction does after.
 * On SQLite every request shares one connection, and TypeORM turns a transaction begun while another is
 * open into a savepoint inside it: an action edited during an import that then failed was answered 200,
 * and the import's ROLLBACK took the edit away with it. The import is made to fail at its very end by a
 * trigger on the audit trail (its last write), and edits of an action of the same contract keep coming
 * while it runs (each changes the contract the import resolved the file against, so the import reads the
 * file again inside its transaction, in a worker: its transaction stays open across the event loop).
 */
describe(`writes acknowledged while an import's transaction is open, on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let admin: string;

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async ({ dataSource }) => {
        await seedReferenceData(dataSource);
        admin = (await createToken(dataSource, { name: 'équipe CRTE', role: Role.ADMIN, organisationId: null })).secret;
      },
    });
    const { body } = await api.graphql(CREATE_ACTION, { input: { contract: CONTRACT, code: 'DA-77', title: 'v0', lead: '200044618' } }, admin);
    expect(body.errors).toBeUndefined();
    await api.db.dataSource.query(
      TEST_DATABASE_TYPE === 'sqlite'
        ? `CREATE TRIGGER fail_import_apply BEFORE INSERT ON audit_event WHEN NEW.action = 'IMPORT_APPLY' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
        : `CREATE TRIGGER fail_import_apply BEFORE INSERT ON audit_event FOR EACH ROW BEGIN IF NEW.action = 'IMPORT_APPLY' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'; END IF; END`,
    );
  }, 60000);
  afterAll(async () => api?.close());

  it('an import that fails late takes none of the edits answered 200 during it with it', async () => {
    const base = api.server.url.replace(/\/graphql$/, '');
    const acknowledged: string[] = [];
    let done = false;
    // Two clients editing at once, each sending its next edit when the previous one is answered.
    const editor = async (name: string) => {
      for (let i = 0; !done; i++) {
        const title = `${name}-${i}`;
        const { status, body } = await api.graphql(UPDATE_ACTION, { title }, admin);
        expect(body.errors).toBeUndefined();
        expect(status).toBe(200);
        acknowledged.push(title);
      }
    };
    const editors = [editor('a'), editor('b')];
    // Several imports, one after the other, each failing at its end: each gives the edits a window.
    const results = [];
    for (let i = 0; i < 2; i++) results.push(await upload(base, admin, BDT, { kind: 'annex3', source: 'Banque des Territoires', dryRun: 'false' }, 'annexe3-bdt.xlsx'));
    done = true;
    await Promise.all(editors);
    for (const result of results) expect(result.status).toBe(500);
    expect(acknowledged.length).toBeGreaterThan(3);

    // The last edit answered is the title, and every edit answered left its audit event.
    const [action] = await api.db.dataSource.query('SELECT title FROM action WHERE code = ?', ['DA-77']);
    const last = acknowledged[acknowledged.length - 1];
    const audited = await api.db.dataSource.query("SELECT COUNT(*) AS n FROM audit_event WHERE action = 'ACTION_UPDATE'");
    expect({ title: action.title, audited: Number(audited[0].n) }).toEqual({ title: last, audited: acknowledged.length });
    // Nothing of the imports stayed.
    const batches = await api.db.dataSource.query('SELECT COUNT(*) AS n FROM import_batch');
    expect(Number(batches[0].n)).toBe(0);
  }, 60000);

  it('while a transaction gives the event loop back, others read the last commit and their writes wait for its end', async () => {
    const dataSource = api.db.dataSource;
    const count = async () => Number((await dataSource.query("SELECT COUNT(*) AS n FROM organisation WHERE name LIKE 'Tour %'"))[0].n);
    // Bound to this context, outside the transaction's: as another request would run them.
    const countOutside = AsyncResource.bind(count);
    const writeOutside = AsyncResource.bind(() => dataSource.query("UPDATE organisation SET short_name = 'écrit dehors' WHERE name = 'Tour 0'"));
    const seen: number[] = [];
    const order: string[] = [];
    let insideSaw = -1;
    const outsideWrite = { promise: Promise.resolve() };
    await expect(
      dataSource.transaction(async (manager) => {
        for (let i = 0; i < 3; i++) {
          await manager.query("INSERT INTO organisation (name, kind, created_at, updated_at) VALUES (?, 'OTHER', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", [`Tour ${i}`]);
          // Another request's turn, as an apply gives it between its INSERTs.
          await new Promise((done) => setImmediate(done));
          seen.push(await countOutside());
          if (i === 0) outsideWrite.promise = writeOutside().then(() => void order.push('outside write'));
        }
        insideSaw = Number((await manager.query("SELECT COUNT(*) AS n FROM organisation WHERE name LIKE 'Tour %'"))[0].n);
        order.push('transaction end');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await outsideWrite.promise;
    // Outside, nothing of the open transaction was ever seen; inside, all of it.
    expect({ seen, insideSaw }).toEqual({ seen: [0, 0, 0], insideSaw: 3 });
    // The outside write waited for the end (it was not part of the transaction, and not rolled back with it:
    // here it found no row to update).
    expect(order).toEqual(['transaction end', 'outside write']);
    expect(await count()).toBe(0);
  }, 30000);
});
