import { Action } from '../../src/action/action.entity';
import { importFile, rollbackBatch } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';

const HEADER = "N° action;Intitulé de l'action;Maître d'ouvrage;Date de début;Date de fin;2023;2024";
const csv = (...rows: string[]) => Buffer.from([HEADER, ...rows].join('\r\n'), 'utf8');

/** An annex 3's « Date de début » / « Date de fin »: stored on the actions it creates, or its lead's; a rollback gives the old ones back. */
describe(`action dates read from an annex 3 on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
  });
  afterAll(async () => db?.drop());

  const dates = async (code: string) => {
    const action = await db.dataSource.getRepository(Action).findOneByOrFail({ code });
    return [action.startDate, action.endDate];
  };
  const send = (buffer: Buffer) => importFile(db.dataSource, { buffer, fileName: 'annexe3.csv', kind: ImportKind.ANNEX3, source: 'Douaisis Agglo', contract: 'CRTE-DOUAISIS' });

  it('stores them on a new action, changes them from its lead’s next file, and a rollback restores them', async () => {
    const first = await send(csv('DA-90;Voie verte de la Scarpe;Douaisis Agglo;01/03/2023;31/12/2024;1000;2000'));
    expect(first.status).toBe('APPLIED');
    expect(await dates('DA-90')).toEqual(['2023-03-01', '2024-12-31']);

    const second = await send(csv('DA-90;Voie verte de la Scarpe;Douaisis Agglo;;30/06/2025;1000;2000'));
    expect(second.status).toBe('APPLIED');
    // An empty cell keeps what the contract says.
    expect(await dates('DA-90')).toEqual(['2023-03-01', '2025-06-30']);

    await rollbackBatch(db.dataSource, second.batchId!);
    expect(await dates('DA-90')).toEqual(['2023-03-01', '2024-12-31']);

    const wrong = await send(csv('DA-90;Voie verte de la Scarpe;Douaisis Agglo;31/02/2023;;1000;2000'));
    expect(wrong.status).toBe('REJECTED');
    expect(wrong.issues.filter((issue) => issue.severity === 'ERROR').map((issue) => [issue.code, issue.cell])).toEqual([['DATE_INVALID', 'D2']]);
    expect(await dates('DA-90')).toEqual(['2023-03-01', '2024-12-31']);
  }, 120000);
});
