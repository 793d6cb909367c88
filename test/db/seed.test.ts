import { normaliseText } from '../../src/kernel/normalise-text';
import { DOUAISIS_DATASET } from '../../src/seed/douaisis.seed-data';
import { SeedDataset } from '../../src/seed/seed-data.types';
import { isSeeded, SEED_TABLES, SeedSummary, seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';

/** Etalab's data as the package ships it: the test compares against it, never against typed values. */
interface EtalabEpci {
  code: string;
  nom: string;
  membres: { code: string; siren: string; nom: string }[];
}
const ETALAB_EPCIS: EtalabEpci[] = require('@etalab/decoupage-administratif/data/epci.json');

const DOUAISIS_AGGLO_SIREN = '200044618';
const COEUR_D_OSTREVENT_SIREN = '245901152';
const CONTRACT_CODE = 'CRTE-DOUAISIS';

interface Snapshot {
  counts: Record<string, number>;
  updatedAt: Record<string, string>;
}

const cloneDataset = (): SeedDataset => structuredClone(DOUAISIS_DATASET);

describe(`reference data seed on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let contractId: number;
  const timings: Record<string, number> = {};

  const query = <T = Record<string, unknown>>(sql: string, parameters: unknown[] = []): Promise<T[]> =>
    db.dataSource.query(sql, parameters);

  async function timedSeed(label: string, dataset?: SeedDataset): Promise<SeedSummary> {
    const started = performance.now();
    const summary = await seedReferenceData(db.dataSource, dataset);
    timings[label] = Math.round(performance.now() - started);
    return summary;
  }

  /** Row count of every table, and every updated_at, so that any write shows. */
  async function snapshot(): Promise<Snapshot> {
    const result: Snapshot = { counts: {}, updatedAt: {} };
    for (const metadata of db.dataSource.entityMetadatas) {
      const table = metadata.tableName;
      const [{ n }] = await query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`);
      result.counts[table] = Number(n);
      if (metadata.findColumnWithPropertyName('updatedAt')) {
        const rows = await query<{ id: unknown; updated_at: unknown }>(`SELECT id, updated_at FROM ${table} ORDER BY id`);
        for (const row of rows) {
          const value = row.updated_at instanceof Date ? row.updated_at.toISOString() : String(row.updated_at);
          result.updatedAt[`${table}#${row.id}`] = value;
        }
      }
    }
    return result;
  }

  /** Organisations a spelling resolves to in the contract: its global aliases plus the contract's. */
  async function resolveAlias(spelling: string): Promise<{ id: number; name: string; siren: string | null }[]> {
    const rows = await query<{ id: unknown; name: string; siren: string | null }>(
      `SELECT DISTINCT o.id, o.name, o.siren
         FROM organisation_alias a JOIN organisation o ON o.id = a.organisation_id
        WHERE a.normalised = ? AND (a.contract_id IS NULL OR a.contract_id = ?)`,
      [normaliseText(spelling), contractId],
    );
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (process.env.SEED_TIMINGS) console.log(`seed timings on ${TEST_DATABASE_TYPE} (ms): ${JSON.stringify(timings)}`);
    await db?.drop();
  });

  it('creates everything on an empty database', async () => {
    expect(await isSeeded(db.dataSource)).toBe(false);
    const summary = await timedSeed('first');
    for (const table of SEED_TABLES) {
      expect({ table, updated: summary[table].updated, unchanged: summary[table].unchanged }).toEqual({ table, updated: 0, unchanged: 0 });
    }
    expect(summary.contract.created).toBe(1);
    expect(summary.axes.created).toBe(4);
    expect(summary.orientations.created).toBe(16);
    expect(summary.organisations.created).toBe(DOUAISIS_DATASET.organisations.length);
    expect(summary.programmes.created).toBe(DOUAISIS_DATASET.programmes.length);
    expect(await isSeeded(db.dataSource)).toBe(true);
    expect(await isSeeded(db.dataSource, 'CRTE-NOWHERE')).toBe(false);
  });

  it('loads the contract, its 4 axes and 16 orientations as the dataset words them', async () => {
    const [contract] = await query<{ id: unknown; name: string; signed_on: unknown; start_year: unknown; end_year: unknown }>(
      `SELECT id, name, signed_on, start_year, end_year FROM contract WHERE code = ?`,
      [CONTRACT_CODE],
    );
    contractId = Number(contract.id);
    const signedOn = contract.signed_on instanceof Date ? contract.signed_on.toISOString().slice(0, 10) : String(contract.signed_on);
    expect({ signedOn, start: Number(contract.start_year), end: Number(contract.end_year) }).toEqual({
      signedOn: '2022-02-01',
      start: 2021,
      end: 2026,
    });

    const axes = await query<{ number: unknown; title: string }>(`SELECT number, title FROM axis WHERE contract_id = ? ORDER BY number`, [contractId]);
    expect(axes.map((a) => ({ number: Number(a.number), title: a.title }))).toEqual(
      DOUAISIS_DATASET.contract.axes.map((a) => ({ number: a.number, title: a.title })),
    );

    const orientations = await query<{ code: string; title: string; axis_number: unknown }>(
      `SELECT o.code, o.title, a.number AS axis_number FROM orientation o JOIN axis a ON a.id = o.axis_id
        WHERE o.contract_id = ? AND a.contract_id = ? ORDER BY o.code`,
      [contractId, contractId],
    );
    expect(orientations.map((o) => o.code)).toEqual([
      '1.1', '1.2', '1.3', '1.4',
      '2.1', '2.2', '2.3',
      '3.1', '3.2', '3.3', '3.4',
      '4.1', '4.2', '4.3', '4.4', '4.5',
    ]);
    const expected = DOUAISIS_DATASET.contract.axes.flatMap((a) => a.orientations.map((o) => ({ code: o.code, title: o.title, axis: a.number })));
    expect(orientations.map((o) => ({ code: o.code, title: o.title, axis: Number(o.axis_number) }))).toEqual(
      expected.sort((x, y) => x.code.localeCompare(y.code)),
    );
  });

  it('records signatories, perimeter EPCIs and every partner', async () => {
    const parties = await query<{ role: string; key_name: string; siren: string | null }>(
      `SELECT p.role, o.name AS key_name, o.siren FROM contract_party p JOIN organisation o ON o.id = p.organisation_id
        WHERE p.contract_id = ?`,
      [contractId],
    );
    const byRole = (role: string) => parties.filter((p) => p.role === role);
    expect(byRole('SIGNATORY')).toHaveLength(3);
    expect(byRole('PERIMETER').map((p) => p.siren).sort()).toEqual([DOUAISIS_AGGLO_SIREN, COEUR_D_OSTREVENT_SIREN].sort());

    const orgName = (key: string) => DOUAISIS_DATASET.organisations.find((o) => o.key === key)!.name;
    expect(byRole('SIGNATORY').map((p) => p.key_name).sort()).toEqual(DOUAISIS_DATASET.contract.signatoryKeys.map(orgName).sort());
    const partnerNames = [...new Set(DOUAISIS_DATASET.contract.partnerKeys)].map(orgName).sort();
    expect(byRole('PARTNER').map((p) => p.key_name).sort()).toEqual(partnerNames);
    expect(parties).toHaveLength(3 + 2 + partnerNames.length);
  });

  it('loads the 55 communes of the perimeter exactly as Etalab lists them', async () => {
    const epcis = await query<{ id: unknown; siren: string; kind: string }>(
      `SELECT id, siren, kind FROM organisation WHERE siren IN (?, ?)`,
      [DOUAISIS_AGGLO_SIREN, COEUR_D_OSTREVENT_SIREN],
    );
    expect(epcis).toHaveLength(2);
    expect(epcis.every((e) => e.kind === 'EPCI')).toBe(true);
    const epciIdBySiren = new Map(epcis.map((e) => [e.siren, Number(e.id)]));

    const communes = await query<{ name: string; siren: string; insee_code: string; kind: string; parent_siren: string }>(
      `SELECT c.name, c.siren, c.insee_code, c.kind, p.siren AS parent_siren
         FROM organisation c JOIN organisation p ON p.id = c.parent_id
        WHERE c.kind = 'COMMUNE' AND c.parent_id IN (?, ?)`,
      [epciIdBySiren.get(DOUAISIS_AGGLO_SIREN), epciIdBySiren.get(COEUR_D_OSTREVENT_SIREN)],
    );
    expect(communes).toHaveLength(55);
    expect(communes.filter((c) => c.parent_siren === DOUAISIS_AGGLO_SIREN)).toHaveLength(35);
    expect(communes.filter((c) => c.parent_siren === COEUR_D_OSTREVENT_SIREN)).toHaveLength(20);

    const fromEtalab = [DOUAISIS_AGGLO_SIREN, COEUR_D_OSTREVENT_SIREN].flatMap((siren) => {
      const epci = ETALAB_EPCIS.find((e) => e.code === siren);
      if (!epci) throw new Error(`EPCI ${siren} missing from @etalab/decoupage-administratif`);
      return epci.membres.map((m) => ({ insee: m.code, siren: m.siren, name: m.nom, epci: siren }));
    });
    const sortByInsee = <T extends { insee: string }>(rows: T[]) => rows.sort((a, b) => a.insee.localeCompare(b.insee));
    expect(sortByInsee(communes.map((c) => ({ insee: c.insee_code, siren: c.siren, name: c.name, epci: c.parent_siren })))).toEqual(
      sortByInsee(fromEtalab),
    );
  });

  it('resolves the spellings files use to exactly one, right, organisation', async () => {
    const cases: [string, { name?: string; siren?: string }][] = [
      ['CCCO', { siren: COEUR_D_OSTREVENT_SIREN }],
      ["Coeur d'Ostrevent", { siren: COEUR_D_OSTREVENT_SIREN }],
      ["Cœur d’Ostrevent", { siren: COEUR_D_OSTREVENT_SIREN }],
      ["Communauté de communes Cœur d'Ostrevent", { siren: COEUR_D_OSTREVENT_SIREN }],
      ['DA', { siren: DOUAISIS_AGGLO_SIREN }],
      ['Douaisis Agglo', { siren: DOUAISIS_AGGLO_SIREN }],
      ['BdT', { name: 'Banque des Territoires' }],
      ['Banque des territoires', { name: 'Banque des Territoires' }],
      ['Caisse des dépôts', { name: 'Banque des Territoires' }],
      ['Etat', { name: 'État' }],
      ['Région', { siren: '200053742' }],
      ['Département', { siren: '225900018' }],
      ['Ville de Douai', { siren: '215901786' }],
      ['59178', { siren: '215901786' }],
    ];
    for (const [spelling, expected] of cases) {
      const found = await resolveAlias(spelling);
      expect({ spelling, count: found.length }).toEqual({ spelling, count: 1 });
      expect({ spelling, ...found[0] }).toMatchObject({ spelling, ...expected });
    }
    // Contract aliases are stored with the contract, global ones without.
    const [da] = await query<{ contract_id: unknown }>(`SELECT contract_id FROM organisation_alias WHERE normalised = ?`, [normaliseText('DA')]);
    expect(Number(da.contract_id)).toBe(contractId);
    const [bdt] = await query<{ contract_id: unknown }>(`SELECT contract_id FROM organisation_alias WHERE normalised = ?`, [normaliseText('BdT')]);
    expect(bdt.contract_id).toBeNull();
  });

  it('loads the funding programmes with their operators', async () => {
    const rows = await query<{ code: string; operator: string | null }>(
      `SELECT p.code, o.name AS operator FROM programme p LEFT JOIN organisation o ON o.id = p.operator_id`,
    );
    const codes = rows.map((r) => r.code);
    for (const code of ['DETR', 'DSIL', 'DSID', 'DPV', 'FNADT', 'FONDS_VERT', 'FONDS_FRICHES', 'FEDER']) expect(codes).toContain(code);
    expect(rows.find((r) => r.code === 'DETR')!.operator).toBe('État');
    expect(rows.find((r) => r.code === 'FEDER')!.operator).toBe('Région Hauts-de-France');
  });

  it('changes nothing when run a second time', async () => {
    const before = await snapshot();
    const summary = await timedSeed('second');
    for (const table of SEED_TABLES) {
      expect({ table, ...summary[table], unchanged: undefined }).toEqual({ table, created: 0, updated: 0, unchanged: undefined });
      expect(summary[table].unchanged).toBeGreaterThan(0);
    }
    expect(summary.orientations.unchanged).toBe(16);
    expect(summary.organisations.unchanged).toBe(DOUAISIS_DATASET.organisations.length);
    expect(await snapshot()).toEqual(before);
  });

  it('applies a corrected orientation title on re-seed, and nothing else', async () => {
    const corrected = cloneDataset();
    corrected.contract.axes[1].orientations[2].title = 'Développer l’offre touristique du Douaisis';
    const before = await snapshot();

    const summary = await seedReferenceData(db.dataSource, corrected);
    expect(summary.orientations).toEqual({ created: 0, updated: 1, unchanged: 15 });
    for (const table of SEED_TABLES.filter((t) => t !== 'orientations')) {
      expect({ table, created: summary[table].created, updated: summary[table].updated }).toEqual({ table, created: 0, updated: 0 });
    }
    const [row] = await query<{ title: string }>(`SELECT title FROM orientation WHERE contract_id = ? AND code = '2.3'`, [contractId]);
    expect(row.title).toBe('Développer l’offre touristique du Douaisis');
    expect(await snapshot()).toEqual(before);

    // The original dataset puts the title back.
    const restored = await seedReferenceData(db.dataSource);
    expect(restored.orientations).toEqual({ created: 0, updated: 1, unchanged: 15 });
  });

  it('updates a renamed organisation and moves its updated_at only', async () => {
    const renamed = cloneDataset();
    renamed.organisations.find((o) => o.key === 'ADEME')!.name = 'ADEME – Agence de la transition écologique';
    // MariaDB's DATETIME keeps whole seconds: age the row so that the change shows whatever the clock.
    await query(`UPDATE organisation SET updated_at = '2001-01-01 00:00:00' WHERE short_name = 'ADEME'`);
    const before = await snapshot();
    const summary = await seedReferenceData(db.dataSource, renamed);
    expect(summary.organisations).toEqual({ created: 0, updated: 1, unchanged: DOUAISIS_DATASET.organisations.length - 1 });
    // The new name is a new global spelling.
    expect(summary.aliases.created).toBe(1);
    const after = await snapshot();
    const [ademe] = await query<{ id: unknown }>(`SELECT id FROM organisation WHERE short_name = 'ADEME'`);
    const changed = Object.keys(after.updatedAt).filter((key) => after.updatedAt[key] !== before.updatedAt[key]);
    expect(changed).toEqual([`organisation#${ademe.id}`]);
    // Never deleted: the old name stays an alias; the original dataset renames it back.
    expect(await resolveAlias('ADEME – Agence de la transition écologique')).toHaveLength(1);
    expect((await seedReferenceData(db.dataSource)).organisations.updated).toBe(1);
  });

  it('refuses an alias that already means another organisation, and writes nothing', async () => {
    const conflicting = cloneDataset();
    // A title fix the failed seed must not apply.
    conflicting.contract.axes[0].orientations[0].title = 'Titre qui ne doit pas être enregistré';
    const bdt = conflicting.organisations.find((o) => o.key === 'BANQUE_DES_TERRITOIRES')!;
    bdt.aliases = bdt.aliases.filter((a) => a !== 'BdT');
    conflicting.organisations.find((o) => o.key === 'ANCT')!.aliases.push('BdT');
    const before = await snapshot();

    await expect(seedReferenceData(db.dataSource, conflicting)).rejects.toThrow(
      /alias "BdT".*"Banque des Territoires".*"Agence nationale de la cohésion des territoires"/,
    );
    expect(await snapshot()).toEqual(before);
    const [row] = await query<{ title: string }>(`SELECT title FROM orientation WHERE contract_id = ? AND code = '1.1'`, [contractId]);
    expect(row.title).toBe(DOUAISIS_DATASET.contract.axes[0].orientations[0].title);
  });

  it('refuses a dataset that gives one spelling to two organisations, and writes nothing', async () => {
    const conflicting = cloneDataset();
    conflicting.contract.axes[0].orientations[0].title = 'Titre qui ne doit pas être enregistré';
    conflicting.organisations.find((o) => o.key === 'SMTD')!.contractAliases = ['CCCO'];
    const before = await snapshot();

    const error: Error = await seedReferenceData(db.dataSource, conflicting).then(
      () => new Error('the seed did not fail'),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/alias "CCCO"/);
    expect(error.message).toContain('"CA Coeur d\'Ostrevent"');
    expect(error.message).toContain('"Syndicat mixte des transports du Douaisis"');
    expect(await snapshot()).toEqual(before);
  });
});
