import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { ImportKind, ImportStatus, IssueSeverity } from '../../src/kernel/import-batch.enum';
import { ImportIssue } from '../../src/import-batch/import-issue.entity';
import { previewImport } from '../../src/import-batch/import-preview.service';
import { Organisation } from '../../src/organisation/organisation.entity';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { QueryCounter } from '../support/query-counter';
import { faultyWorkbook } from '../support/workbook-edit';
import { startTestServer, TestServer } from '../support/server';

const BATCHES = `query ($filter: ImportBatchFilter, $first: Int, $after: String) {
  importBatches(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id kind status fileName source { name } }
  }
}`;
const BATCH = `query ($id: ID!, $severity: IssueSeverity, $first: Int) {
  importBatch(id: $id) {
    id status kind layout lineCount errorCount total uploadedBy contract { code } source { name shortName }
    issues(severity: $severity, first: $first) { severity code sheet cell rawValue message }
  }
}`;

describe(`importBatches and importBatch on ${TEST_DATABASE_TYPE}`, () => {
  const counter = new QueryCounter();
  let api: TestServer;
  let dataSource: DataSource;
  const tokens = { admin: '', editorBdt: '', editorAdeme: '', readerBdt: '' };
  /** The batches, oldest first, by name. */
  const ids: Record<'bdtPreview' | 'rejected' | 'ademePreview' | 'dotationsApplied' | 'bdtSuperseded' | 'bdtApplied' | 'annex2Rejected', number> = {
    bdtPreview: 0,
    rejected: 0,
    ademePreview: 0,
    dotationsApplied: 0,
    bdtSuperseded: 0,
    bdtApplied: 0,
    annex2Rejected: 0,
  };

  async function preview(file: string | { buffer: Buffer; name: string }, kind: ImportKind, source: string): Promise<number> {
    const buffer = typeof file === 'string' ? readFileSync(fixturePath(file)) : file.buffer;
    const fileName = typeof file === 'string' ? file : file.name;
    return (await previewImport(dataSource, { buffer, fileName, kind, source, uploadedBy: 'test' })).batchId;
  }

  /** Marks a batch as the apply side would leave it (that side is tested with it). */
  async function mark(id: number, status: ImportStatus): Promise<void> {
    await dataSource.getRepository(ImportBatch).update(id, { status, appliedAt: new Date() });
  }

  async function ok<T = any>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const { status, body } = await api.graphql<T>(query, variables, token);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data!;
  }

  async function visibleIds(token?: string): Promise<number[]> {
    const data = await ok(BATCHES, { first: 500 }, token);
    expect(data.importBatches.totalCount).toBe(data.importBatches.nodes.length);
    return data.importBatches.nodes.map((node: { id: string }) => Number(node.id));
  }

  beforeAll(async () => {
    const db = await createTestDatabase({ logger: counter });
    api = await startTestServer({ db, prepare: async ({ dataSource }) => void (await seedReferenceData(dataSource)) });
    dataSource = api.db.dataSource;
    const organisations = dataSource.getRepository(Organisation);
    const bdt = await organisations.findOneByOrFail({ name: 'Banque des Territoires' });
    const ademe = await organisations.findOneByOrFail({ shortName: 'ADEME' });
    tokens.admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    tokens.editorBdt = (await createToken(dataSource, { name: 'BdT', role: Role.EDITOR, organisationId: bdt.id })).secret;
    tokens.editorAdeme = (await createToken(dataSource, { name: 'ADEME', role: Role.EDITOR, organisationId: ademe.id })).secret;
    tokens.readerBdt = (await createToken(dataSource, { name: 'Power BI BdT', role: Role.READER, organisationId: bdt.id })).secret;

    ids.bdtPreview = await preview('annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'Banque des Territoires');
    ids.rejected = await preview({ buffer: faultyWorkbook(), name: 'programmation.xlsx' }, ImportKind.ANNEX3, 'Douaisis Agglo');
    ids.ademePreview = await preview('annexe3-ademe-2021-2023.csv', ImportKind.ANNEX3, 'ADEME');
    ids.dotationsApplied = await preview('dotations-detr-dsil-fnadt-2017-2021.xlsx', ImportKind.DOTATIONS, 'Etat');
    ids.bdtSuperseded = await preview('annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'BdT');
    ids.bdtApplied = await preview('annexe3-banque-des-territoires-2023.xlsx', ImportKind.ANNEX3, 'BdT');
    ids.annex2Rejected = await preview('annexe2-bilan-plan-de-relance-douaisis.xlsx', ImportKind.ANNEX2, 'Etat');
    await mark(ids.dotationsApplied, ImportStatus.APPLIED);
    await mark(ids.bdtSuperseded, ImportStatus.SUPERSEDED);
    await mark(ids.bdtApplied, ImportStatus.APPLIED);
  }, 120000);
  afterAll(async () => api?.close());

  const all = () => Object.values(ids).sort((a, b) => b - a);

  describe('importBatches', () => {
    it('lists every batch to an admin, newest first, page after page', async () => {
      const seen: number[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const data: any = await ok(BATCHES, { first: 3, after }, tokens.admin);
        const page = data.importBatches;
        expect(page.totalCount).toBe(7);
        expect(page.nodes.length).toBeLessThanOrEqual(3);
        seen.push(...page.nodes.map((node: { id: string }) => Number(node.id)));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        pages++;
      } while (after);
      expect(pages).toBe(3);
      expect(seen).toEqual(all());
    });

    it('filters by contract, kind, source and status', async () => {
      const ofFilter = async (filter: Record<string, unknown>) =>
        (await ok(BATCHES, { filter }, tokens.admin)).importBatches.nodes.map((node: { id: string }) => Number(node.id));
      expect(await ofFilter({ contract: 'CRTE-DOUAISIS' })).toEqual(all());
      expect(await ofFilter({ contract: 'CRTE-AILLEURS' })).toEqual([]);
      expect(await ofFilter({ kind: 'DOTATIONS' })).toEqual([ids.dotationsApplied]);
      expect(await ofFilter({ kind: 'ANNEX2' })).toEqual([ids.annex2Rejected]);
      const bdt = [ids.bdtApplied, ids.bdtSuperseded, ids.bdtPreview];
      expect(await ofFilter({ source: 'Banque des Territoires' })).toEqual(bdt);
      const bdtId = (await dataSource.getRepository(Organisation).findOneByOrFail({ name: 'Banque des Territoires' })).id;
      expect(await ofFilter({ source: String(bdtId) })).toEqual(bdt);
      expect(await ofFilter({ source: 'ADEME' })).toEqual([ids.ademePreview]);
      expect(await ofFilter({ status: ['REJECTED'] })).toEqual([ids.annex2Rejected, ids.rejected]);
      expect(await ofFilter({ status: 'APPLIED' })).toEqual([ids.bdtApplied, ids.dotationsApplied]);
      expect(await ofFilter({ source: 'Banque des Territoires', status: ['PREVIEWED', 'SUPERSEDED'], kind: 'ANNEX3', contract: 'CRTE-DOUAISIS' })).toEqual([
        ids.bdtSuperseded,
        ids.bdtPreview,
      ]);
    });

    it('refuses a bad cursor or page size', async () => {
      const badCursor = await api.graphql(BATCHES, { after: 'nimporte' }, tokens.admin);
      expect(badCursor.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
      const badSize = await api.graphql(BATCHES, { first: 0 }, tokens.admin);
      expect(badSize.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('reads a page of batches with their issues, source and contract in as many statements for 2 batches as for 7', async () => {
      const query = `query ($first: Int) { importBatches(first: $first) { nodes { id source { name } contract { code } issues { code } } } }`;
      await ok(query, { first: 1 }, tokens.admin); // the token's last use is written once a minute: not in the counts below
      counter.reset();
      const small = await ok(query, { first: 2 }, tokens.admin);
      const smallCount = counter.count;
      counter.reset();
      const large = await ok(query, { first: 7 }, tokens.admin);
      expect(small.importBatches.nodes).toHaveLength(2);
      expect(large.importBatches.nodes).toHaveLength(7);
      expect(counter.count).toBe(smallCount);
      // The token, the count, the page, then one statement each for issues, sources and contracts.
      expect(counter.count).toBeLessThanOrEqual(6);
    });
  });

  describe('importBatch', () => {
    it('gives a batch with its source, contract and issues, errors first at their cells', async () => {
      const { importBatch } = await ok(BATCH, { id: String(ids.rejected) }, tokens.admin);
      expect(importBatch).toMatchObject({
        id: String(ids.rejected),
        status: 'REJECTED',
        kind: 'ANNEX3',
        errorCount: 3,
        uploadedBy: 'test',
        contract: { code: 'CRTE-DOUAISIS' },
        source: { shortName: 'Douaisis Agglo' },
      });
      const errors = importBatch.issues.filter((issue: { severity: string }) => issue.severity === 'ERROR');
      expect(errors.map((issue: any) => [issue.code, issue.sheet, issue.cell])).toEqual([
        ['UNKNOWN_ORIENTATION', 'Prog', 'C2'],
        ['AMOUNT_AMBIGUOUS', 'Prog', 'E2'],
        ['AMOUNT_NEGATIVE', 'Prog', 'E3'],
      ]);
      expect(importBatch.issues.slice(0, 3)).toEqual(errors);
      expect(errors[1].rawValue).toBe('1,050 000 €');
    });

    it('sorts issues errors first, then by sheet, row and column (AA after B, row 10 after row 2), whatever their stored order', async () => {
      const batchId = ids.dotationsApplied;
      const repository = dataSource.getRepository(ImportIssue);
      await repository.delete({ batchId });
      const stored: Array<[IssueSeverity, string | null, string | null]> = [
        [IssueSeverity.WARNING, 'Prog', 'B10'],
        [IssueSeverity.ERROR, 'Prog', 'AA2'],
        [IssueSeverity.ERROR, 'Prog', 'C10'],
        [IssueSeverity.WARNING, null, null],
        [IssueSeverity.ERROR, 'Prog', 'B2'],
        [IssueSeverity.ERROR, 'Annexe', 'Z99'],
        [IssueSeverity.WARNING, 'Prog', 'A3'],
      ];
      for (const [severity, sheet, cell] of stored) {
        await repository.insert({ batchId, severity, code: `CODE_${cell ?? 'FILE'}`, message: 'Anomalie de test', sheet, cell, rawValue: null });
      }
      const read = async (variables: Record<string, unknown>) =>
        (await ok(BATCH, { id: String(batchId), ...variables })).importBatch.issues.map((issue: any) => `${issue.severity} ${issue.sheet ?? '-'}!${issue.cell ?? '-'}`);
      expect(await read({})).toEqual(['ERROR Annexe!Z99', 'ERROR Prog!B2', 'ERROR Prog!AA2', 'ERROR Prog!C10', 'WARNING -!-', 'WARNING Prog!A3', 'WARNING Prog!B10']);
      expect(await read({ severity: 'WARNING' })).toEqual(['WARNING -!-', 'WARNING Prog!A3', 'WARNING Prog!B10']);
      expect(await read({ first: 2 })).toEqual(['ERROR Annexe!Z99', 'ERROR Prog!B2']);
      expect(await read({ severity: 'ERROR', first: 10 })).toHaveLength(4);
      const badFirst = await api.graphql(BATCH, { id: String(batchId), first: 0 });
      expect(badFirst.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('answers null for an unknown or malformed id', async () => {
      expect((await ok(BATCH, { id: '999999' }, tokens.admin)).importBatch).toBeNull();
      expect((await ok(BATCH, { id: 'abc' }, tokens.admin)).importBatch).toBeNull();
    });
  });

  describe('who sees what', () => {
    const applied = () => [ids.bdtApplied, ids.bdtSuperseded, ids.dotationsApplied];

    it('shows applied batches to anyone, unapplied previews to no anonymous caller nor reader', async () => {
      expect(await visibleIds()).toEqual(applied());
      expect(await visibleIds(tokens.readerBdt)).toEqual(applied());
      for (const id of [ids.bdtPreview, ids.rejected, ids.ademePreview, ids.annex2Rejected]) {
        expect((await ok(BATCH, { id: String(id) })).importBatch).toBeNull();
        expect((await ok(BATCH, { id: String(id) }, tokens.readerBdt)).importBatch).toBeNull();
      }
      expect((await ok(BATCH, { id: String(ids.bdtApplied) })).importBatch.status).toBe('APPLIED');
    });

    it('shows an editor its own organisation’s previews, not the others’', async () => {
      expect(await visibleIds(tokens.editorBdt)).toEqual([ids.bdtApplied, ids.bdtSuperseded, ids.dotationsApplied, ids.bdtPreview]);
      expect(await visibleIds(tokens.editorAdeme)).toEqual([ids.bdtApplied, ids.bdtSuperseded, ids.dotationsApplied, ids.ademePreview]);
      expect((await ok(BATCH, { id: String(ids.bdtPreview) }, tokens.editorBdt)).importBatch.status).toBe('PREVIEWED');
      expect((await ok(BATCH, { id: String(ids.bdtPreview) }, tokens.editorAdeme)).importBatch).toBeNull();
      expect((await ok(BATCH, { id: String(ids.rejected) }, tokens.editorBdt)).importBatch).toBeNull();
      // Filters never reveal more: the count is of visible batches only.
      const filtered = await ok(BATCHES, { filter: { status: ['PREVIEWED', 'REJECTED'] } }, tokens.editorBdt);
      expect(filtered.importBatches.totalCount).toBe(1);
    });

    it('shows everything to an admin', async () => {
      expect(await visibleIds(tokens.admin)).toEqual(all());
      expect((await ok(BATCH, { id: String(ids.ademePreview) }, tokens.admin)).importBatch.status).toBe('PREVIEWED');
    });

    it('follows READ_REQUIRES_TOKEN: no anonymous read at all', async () => {
      const closed = await startTestServer({ db: api.db, config: { readRequiresToken: true } });
      try {
        const anonymous = await closed.graphql(BATCHES, {});
        expect(anonymous.status).toBe(401);
        const reader = await closed.graphql(BATCHES, {}, tokens.readerBdt);
        expect(reader.body.data!.importBatches.totalCount).toBe(3);
      } finally {
        await closed.server.close();
      }
    });
  });
});
