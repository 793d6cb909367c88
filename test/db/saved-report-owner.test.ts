import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';

const MIGRATION = 'SavedReportOwner1764892800000';

/**
 * The saved-report owner migration on a database that already holds reports: each gets the organisation
 * of the editor's token that created it; those of an admin, of an editor without organisation, or whose
 * token is gone get none (administrators only). Down and up again keep the same answer.
 */
describe(`saved report owners migration on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db?.drop());

  const executed = async () => (await db.dataSource.query('SELECT name FROM migrations')).map((row: { name: string }) => row.name);

  it('gives existing reports the organisation of the editor who created them, and admins’ reports none', async () => {
    await db.dataSource.runMigrations({ transaction: 'each' });
    // Back to the release before it (and whatever came after it).
    while ((await executed()).includes(MIGRATION)) await db.dataSource.undoLastMigration({ transaction: 'each' });

    const q = (sql: string, parameters: unknown[] = []) => db.dataSource.query(sql, parameters);
    const now = '2026-01-15 10:00:00';
    for (const [id, name] of [
      [1, 'Banque des Territoires'],
      [2, 'ADEME'],
    ] as const) {
      await q('INSERT INTO organisation (id, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [id, name, 'STATE_OPERATOR', now, now]);
    }
    const tokens: Array<[number, string, number | null]> = [
      [1, 'admin', null],
      [2, 'editor', 1],
      [3, 'editor', 2],
      [4, 'editor', null],
      [5, 'admin', 2],
    ];
    for (const [id, role, organisationId] of tokens) {
      await q('INSERT INTO api_token (id, name, role, organisation_id, token_hash, token_prefix, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id,
        `jeton ${id}`,
        role,
        organisationId,
        String(id).padStart(64, '0'),
        `crte_${id}`,
        now,
      ]);
    }
    const reports: Array<[string, number | null]> = [
      ['de-l-admin', 1],
      ['de-bdt', 2],
      ['de-l-ademe', 3],
      ['sans-organisation', 4],
      ['admin-rattache', 5],
      ['jeton-supprime', null],
    ];
    for (const [name, tokenId] of reports) {
      await q('INSERT INTO saved_report (name, query, variables, created_by_token_id, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?)', [name, '{ contracts { code } }', tokenId, now, now]);
    }

    const owners = async () =>
      Object.fromEntries(
        (await q('SELECT name, owner_organisation_id AS owner FROM saved_report')).map((row: { name: string; owner: unknown }) => [row.name, row.owner === null ? null : Number(row.owner)]),
      );
    const expected = { 'de-l-admin': null, 'de-bdt': 1, 'de-l-ademe': 2, 'sans-organisation': null, 'admin-rattache': null, 'jeton-supprime': null };

    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await owners()).toEqual(expected);
    // Every report is still there, as it was.
    expect(Number((await q('SELECT COUNT(*) AS n FROM saved_report WHERE query = ?', ['{ contracts { code } }']))[0].n)).toBe(reports.length);

    // The foreign key: an organisation deleted leaves its reports to the administrators.
    await q('DELETE FROM api_token WHERE organisation_id = 2');
    await q('DELETE FROM organisation WHERE id = 2');
    expect((await owners())['de-l-ademe']).toBeNull();

    // Down and up again.
    while ((await executed()).includes(MIGRATION)) await db.dataSource.undoLastMigration({ transaction: 'each' });
    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await owners()).toEqual({ ...expected, 'de-l-ademe': null });
  });
});
