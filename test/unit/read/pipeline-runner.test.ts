/**
 * The pipeline gives the same preview in its worker (large files, pipeline.runner.ts) as on the main
 * thread: the CSV decoded and split there, a workbook's packed sheets rebuilt there, the preview's lines and
 * issues sent back in pieces, the reading warnings first.
 */
import { readFileSync } from 'node:fs';
import { loadContractReference } from '../../../src/import-batch/load-reference';
import { runPipelineOn } from '../../../import/pipeline.runner';
import { PIECE_ITEMS } from '../../../import/pipeline.worker';
import { readUploadedFilePacked } from '../../../import/read/read-file';
import { findSource, importTargetContract } from '../../../src/import-batch/import-preview.service';
import { ImportKind } from '../../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../../src/seed/seed.service';
import { bigAnnex3Csv } from '../../../bench/upload-files';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { fixturePath } from '../../support/fixtures';
import { ContractReference } from '../../../import/resolve/contract-reference';

describe('the pipeline in its worker', () => {
  let db: TestDatabase;
  let reference: ContractReference;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    reference = await loadContractReference(db.dataSource, await importTargetContract(db.dataSource, null));
  }, 60_000);
  afterAll(() => db?.drop());

  const cases: Array<[string, () => Buffer, string, string]> = [
    // Windows-1252, decimal commas: decoded the same way in the worker.
    ['a CSV in Windows-1252', () => Buffer.from(readFileSync(fixturePath('annexe3-ademe-2021-2023.csv'), 'utf8').replace(/^\uFEFF/, '').replace('Étude', 'Étude\u00A0€'), 'latin1'), 'ademe.csv', 'ADEME'],
    ['a CSV of more lines than a piece', () => bigAnnex3Csv(PIECE_ITEMS * 2 + 7), 'gros.csv', 'ADEME'],
    ['a workbook', () => readFileSync(fixturePath('annexe3-banque-des-territoires-2023.xlsx')), 'bdt.xlsx', 'Banque des Territoires'],
  ];
  it.each(cases)('%s: the same preview and result either way', async (_label, build, fileName, sourceName) => {
    const source = findSource(reference, sourceName, reference.contract.code);
    const input = { kind: ImportKind.ANNEX3, reference, sourceOrganisationId: source.id, authority: 'source' as const, year: null };
    const here = await runPipelineOn(await readUploadedFilePacked(build(), fileName), input, { withResult: true, offThread: false });
    const there = await runPipelineOn(await readUploadedFilePacked(build(), fileName), input, { withResult: true, offThread: true });
    expect(there.preview).toEqual(here.preview);
    expect(there.result!.resolved).toEqual(here.result!.resolved);
    expect(there.result!.issues).toEqual(here.result!.issues);
    expect(here.preview.lines.length).toBeGreaterThan(0);
    // Showing a preview asks for nothing more.
    const previewOnly = await runPipelineOn(await readUploadedFilePacked(build(), fileName), input, { withResult: false, offThread: true });
    expect(previewOnly.result).toBeNull();
    expect(previewOnly.preview).toEqual(here.preview);
  }, 60_000);

  it('refusals come back as the read would give them, in French', async () => {
    const source = findSource(reference, 'ADEME', reference.contract.code);
    const input = { kind: ImportKind.ANNEX3, reference, sourceOrganisationId: source.id, authority: 'admin' as const, year: null };
    const read = await readUploadedFilePacked(Buffer.from('a;b\n"x;y\n', 'utf8'), 'cassé.csv');
    await expect(runPipelineOn(read, input, { withResult: false, offThread: true })).rejects.toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringMatching(/guillemet/) });
    // A heap too small for the file: the worker dies alone, the file is refused as too complex.
    const big = await readUploadedFilePacked(bigAnnex3Csv(100_000), 'gros.csv');
    await expect(runPipelineOn(big, input, { withResult: false, offThread: true, heapMb: 16 })).rejects.toMatchObject({ code: 'FILE_TOO_COMPLEX' });
  }, 60_000);
});
