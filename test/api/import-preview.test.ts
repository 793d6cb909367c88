import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { ImportIssue } from '../../src/import-batch/import-issue.entity';
import { Funding } from '../../src/funding/funding.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { runCrte, spawnCrte } from '../support/cli';
import { fixturePath } from '../support/fixtures';


describe(`crte import --dry-run on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
  });
  afterAll(async () => db?.drop());

  async function preview(file: string, kind: string, source: string, extra: string[] = []) {
    // In this process (test/support/cli.ts); the refusals below run as a real process, for its exit code.
    return runCrte(['import', file, '--kind', kind, '--source', source, '--dry-run', '--json', ...extra], db.url);
  }

  it('previews the Banque des Territoires file: 10 lines, 20 100 000 €, stored as a batch, nothing applied', async () => {
    const { code, json } = await preview(fixturePath('annexe3-banque-des-territoires-2023.xlsx'), 'annex3', 'BdT');
    expect(code).toBe(0);
    expect(json).toMatchObject({ status: 'PREVIEWED', layout: 'by-year', total: '20100000.00', counts: { lines: 10, errors: 0 } });
    expect(json.lines[0]).toMatchObject({ amount: '2500000.00', year: 2023, funder: 'Banque des Territoires', stage: 'PLANNED', instrument: 'LOAN', action: 'DA-01', sheet: 'Programmation 2023', cell: 'I6' });
    const batch = await db.dataSource.getRepository(ImportBatch).findOneByOrFail({ id: json.batchId });
    expect(batch).toMatchObject({ status: 'PREVIEWED', lineCount: 10, total: '20100000.00', layout: 'by-year', fileName: 'annexe3-banque-des-territoires-2023.xlsx' });
    expect(await db.dataSource.getRepository(ImportIssue).countBy({ batchId: json.batchId })).toBe(json.issues.length);
    expect(await db.dataSource.getRepository(Funding).count()).toBe(0);
  });

  it('previews the Douaisis Agglo file: generic columns resolved on the territory and the lead', async () => {
    const { code, json } = await preview(fixturePath('annexe3-douaisis-agglo-2022.xlsx'), 'annex3', 'Douaisis Agglo');
    expect(code).toBe(0);
    expect(json).toMatchObject({ status: 'PREVIEWED', layout: 'by-funder', total: '19650000.00', counts: { lines: 14, errors: 0 } });
    const funders = json.lines.map((line: { action: string; funder: string; amount: string }) => `${line.action} ${line.funder} ${line.amount}`);
    expect(funders).toContain('DA-01 Région Hauts-de-France 2500000.00');
    expect(funders).toContain('DA-01 CA Douaisis Agglo 8000000.00');
    expect(funders).toContain('DOU-03 Douai 180000.00');
    expect(funders).toContain('DOU-05 Département du Nord 250000.00');
  });

  it('previews the ADEME CSV and the dotations table with the README’s totals', async () => {
    const ademe = await preview(fixturePath('annexe3-ademe-2021-2023.csv'), 'annex3', 'ADEME');
    expect(ademe.code).toBe(0);
    expect(ademe.json.counts.lines).toBe(13);
    const dotations = await preview(fixturePath('dotations-detr-dsil-fnadt-2017-2021.xlsx'), 'dotations', 'Etat');
    expect(dotations.code).toBe(0);
    expect(dotations.json).toMatchObject({ total: '22794044.74', counts: { lines: 30, errors: 0 } });
    const beneficiaries = new Set(dotations.json.lines.map((line: { beneficiary: string }) => line.beneficiary));
    expect(beneficiaries.size).toBe(2);
  });

  it('rejects a file with errors (exit 1), keeps every issue with its cell, and stores the rejection', async () => {
    const file = join(db.config.type === 'sqlite' ? join(db.config.path, '..') : '/tmp', `bad-${Date.now()}.xlsx`);
    const sheet = XLSX.utils.aoa_to_sheet([
      ['N° action', 'Intitulé', 'Orientation', "Maître d'ouvrage", 2022, 2023],
      ['DA-01', 'Quartier d’affaires EuraDouai', '9.9', 'Douaisis Agglo', '1,050 000 €', 1000],
      ['DA-02', 'CFA', '2.1', 'Douaisis Agglo', -5, 1000],
    ]);
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, sheet, 'Prog');
    writeFileSync(file, XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }));
    const { code, json } = await preview(file, 'annex3', 'Douaisis Agglo');
    expect(code).toBe(1);
    expect(json.status).toBe('REJECTED');
    expect(json.issues.filter((issue: { severity: string }) => issue.severity === 'ERROR').map((issue: { code: string; cell: string }) => [issue.code, issue.cell])).toEqual([
      ['UNKNOWN_ORIENTATION', 'C2'],
      ['AMOUNT_AMBIGUOUS', 'E2'],
      ['AMOUNT_NEGATIVE', 'E3'],
    ]);
    const batch = await db.dataSource.getRepository(ImportBatch).findOneByOrFail({ id: json.batchId });
    expect(batch).toMatchObject({ status: 'REJECTED', errorCount: 3 });
  });

  it('rejects a file that is not a spreadsheet with a French message, and answers a usage error with 2', async () => {
    const pdf = join(db.config.type === 'sqlite' ? join(db.config.path, '..') : '/tmp', `scan-${Date.now()}.pdf`);
    writeFileSync(pdf, Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n'), Buffer.alloc(2048, 7)]));
    const notSpreadsheet = await preview(pdf, 'annex3', 'ADEME');
    expect(notSpreadsheet.code).toBe(1);
    expect(notSpreadsheet.json.issues[0].code).toMatch(/^FILE_/);
    const unknownSource = await spawnCrte(['import', fixturePath('annexe3-ademe-2021-2023.csv'), '--kind', 'annex3', '--source', 'Inconnue SA', '--dry-run'], db.url);
    expect(unknownSource.code).toBe(2);
    expect(unknownSource.stderr).toContain('Inconnue SA');
    const badKind = await spawnCrte(['import', fixturePath('annexe3-ademe-2021-2023.csv'), '--kind', 'annex9', '--source', 'ADEME', '--dry-run'], db.url);
    expect(badKind.code).toBe(2);
  });
});
