/**
 * bulkInsert (src/import-batch/apply/bulk-insert.ts): many rows go to MySQL/MariaDB by LOAD DATA LOCAL INFILE,
 * fewer by multi-row INSERTs, and elsewhere always by INSERTs. Whatever the path, the rows must read back
 * exactly as TypeORM's own insert writes them, and a value the server cannot take must fail the
 * transaction, never be stored as something else.
 */
import { bulkInsert, tsvField } from '../../src/import-batch/apply/bulk-insert';
import { Contract } from '../../src/contract/contract.entity';
import { Funding } from '../../src/funding/funding.entity';
import { FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { ImportKind, ImportStatus } from '../../src/kernel/import-batch.enum';
import { Organisation } from '../../src/organisation/organisation.entity';
import { buildContractWithFunder } from '../support/builders';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';

const AWKWARD_TEXTS = ['Programmation 2023', 'tab\there', 'line\nbreak\r\nwindows', 'back\\slash', '\\N', 'NULL', '', 'émoji 🌱 « guillemets »', "apostrophe ' et \"", 'nul\0char'];

describe(`bulkInsert on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let contract: Contract;
  let funder: Organisation;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ contract, funder } = await buildContractWithFunder(db.dataSource, 'BULK', 'Chargement'));
  });
  afterAll(() => db?.drop());

  async function newBatch(): Promise<number> {
    const batch = await db.dataSource.getRepository(ImportBatch).save({
      contractId: contract.id,
      kind: ImportKind.ANNEX3,
      sourceId: funder.id,
      year: null,
      fileName: 'bulk.xlsx',
      sha256: 'x'.repeat(64),
      sizeBytes: 1,
      fileEncoding: null,
      layout: null,
      status: ImportStatus.PREVIEWED,
      uploadedBy: null,
      uploadedByTokenId: null,
      uploadedAt: new Date(),
      appliedAt: null,
      rolledBackAt: null,
      total: null,
    });
    return batch.id;
  }

  function rows(batchId: number, count: number): Array<Partial<Funding>> {
    // One moment with milliseconds, as `new Date()` gives: both paths must round it the same way.
    const createdAt = new Date(Date.UTC(2026, 10, 30, 7, 8, 9, 678));
    return Array.from({ length: count }, (_, i) => ({
      contractId: contract.id,
      actionId: null,
      funderId: funder.id,
      year: 2021 + (i % 6),
      amount: `${1_000_000 + i * 37}.${String(i % 100).padStart(2, '0')}`,
      stage: i % 2 ? FundingStage.PLANNED : FundingStage.GRANTED,
      instrument: FundingInstrument.SUBSIDY,
      approximate: i % 3 === 0,
      sourceId: funder.id,
      importKind: ImportKind.ANNEX3,
      batchId,
      sourceSheet: AWKWARD_TEXTS[i % AWKWARD_TEXTS.length],
      sourceCell: `G${i + 2}`,
      rawValue: i % 7 === 0 ? null : `${AWKWARD_TEXTS[(i + 3) % AWKWARD_TEXTS.length]} ${i}`,
      supersededByBatchId: null,
      supersededAt: null,
      createdAt,
    }));
  }

  async function readBack(batchId: number): Promise<unknown[]> {
    const found = await db.dataSource.getRepository(Funding).find({ where: { batchId }, order: { id: 'ASC' } });
    return found.map(({ id: _id, batchId: _batch, ...rest }) => rest);
  }

  it('writes 1 500 rows exactly as TypeORM’s own insert does', async () => {
    const bulk = await newBatch();
    const reference = await newBatch();
    await db.dataSource.transaction((manager) => bulkInsert(manager, Funding, rows(bulk, 1500)));
    await db.dataSource.transaction(async (manager) => {
      const all = rows(reference, 1500);
      for (let i = 0; i < all.length; i += 300) await manager.insert(Funding, all.slice(i, i + 300));
    });
    const [written, expected] = [await readBack(bulk), await readBack(reference)];
    expect(written).toHaveLength(1500);
    expect(written).toEqual(expected);
    expect(written[1]).toMatchObject({ sourceSheet: 'tab\there', amount: '1000037.01', approximate: false });
  });

  if (TEST_DATABASE_TYPE === 'mysql') {
    it('fails the transaction on a value the server would have changed, and writes nothing', async () => {
      const batchId = await newBatch();
      const bad = rows(batchId, 1200);
      // Too long for its varchar(20): an INSERT fails in strict mode, LOAD DATA LOCAL would truncate it.
      bad[700].sourceCell = 'X'.repeat(30);
      await expect(db.dataSource.transaction((manager) => bulkInsert(manager, Funding, bad))).rejects.toThrow(/LOAD DATA into funding: .*1 warnings/);
      expect(await readBack(batchId)).toEqual([]);
    });
  }
});

describe('tsvField', () => {
  it('escapes what LOAD DATA would read otherwise, and writes dates as the driver does', () => {
    expect(tsvField(null, 'Z')).toBe('\\N');
    expect(tsvField('\\N', 'Z')).toBe('\\\\N');
    expect(tsvField('a\tb\nc\r\\d\0', 'Z')).toBe('a\\tb\\nc\\r\\\\d\\0');
    expect(tsvField('plain « texte »', 'Z')).toBe('plain « texte »');
    expect(tsvField(12.5, 'Z')).toBe('12.5');
    expect(tsvField(true, 'Z')).toBe('1');
    expect(tsvField(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), 'Z')).toBe('2026-01-02 03:04:05.006');
    expect(tsvField(Buffer.from('x'), 'Z')).toBeNull();
  });
});
