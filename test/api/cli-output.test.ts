import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { ImportBatch } from '../../src/provenance/import-batch.entity';
import { Organisation } from '../../src/organisation/organisation.entity';
import { createToken } from '../../src/auth/token.service';
import { Role } from '../../src/kernel/role.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { runCrte } from '../support/cli';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const ADEME_FILE = fixturePath('annexe3-ademe-2021-2023.csv');
const PERSON = 'Camille Martin';

/** The ADEME file's stage columns, summed from the file itself: an empty cell is no line, `0` is one. */
function stageSumsOfAdemeFile(): { label: string; cents: bigint; lines: number }[] {
  const [header, ...rows] = readFileSync(ADEME_FILE, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((line) => line.split(';'));
  const columns = [
    { label: 'Demandé', column: 'montant_demande' },
    { label: 'Attribué', column: 'montant_attribue' },
    { label: 'Payé', column: 'montant_paye' },
  ];
  return columns.map(({ label, column }) => {
    const index = header.indexOf(column);
    const cells = rows.map((row) => row[index]).filter((cell) => cell !== '');
    const cents = cells.reduce((sum, cell) => {
      const [whole, fraction = ''] = cell.split(',');
      return sum + BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
    }, 0n);
    return { label, cents, lines: cells.length };
  });
}

/** French print, by Intl (not the code under test): groups split by U+202F, two decimals, « € ». */
function french(cents: bigint): string {
  const text = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(cents) / 100);
  return `${text.replace(/[\u00a0\u202f ]/g, '\u202f')} €`;
}

describe(`crte import, apply, rollback on a terminal, on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let admin: string;
  const stages = stageSumsOfAdemeFile();

  beforeAll(async () => {
    api = await startTestServer({ prepare: (db) => seedReferenceData(db.dataSource).then(() => undefined) });
    admin = (await createToken(api.db.dataSource, { name: 'admin', role: Role.ADMIN, organisationId: null })).secret;
  });
  afterAll(async () => api?.close());

  it('the oracle reads the README’s figures from the file', () => {
    // test/fixtures/partners/README.md: requested 1 762 000 €, granted 1 046 000,50 €, paid 83 200 €, 13 lines.
    expect(stages.map(({ cents }) => cents)).toEqual([176200000n, 104600050n, 8320000n]);
    expect(stages.reduce((sum, { lines }) => sum + lines, 0)).toBe(13);
    expect(french(104600050n)).toBe('1\u202f046\u202f000,50 €');
  });

  let previewId: number;

  it('prints a preview in French: the layout’s and the kind’s names, one total per stage and none of all stages', async () => {
    const { code, stdout } = await runCrte(['import', ADEME_FILE, '--kind', 'annex3', '--source', 'ADEME', '--dry-run', '--by', `  ${PERSON} `], api.db.url);
    expect(code).toBe(0);
    previewId = Number(/^Lot n° (\d+) : aperçu prêt$/m.exec(stdout)?.[1]);
    expect(previewId).toBeGreaterThan(0);
    expect(stdout).toContain('Nature : Annexe 3 — investissements\n');
    expect(stdout).toContain('Disposition : une ligne par action, financeur et année\n');
    expect(stdout).toContain('Lignes : 13\n');
    for (const { label, cents, lines } of stages) {
      expect(stdout).toMatch(new RegExp(`^ +${label} : +${french(cents)} \\(${lines} lignes\\)$`, 'm'));
    }
    // No stage is planned in this file; no sum of the stages anywhere; no English layout, no dot decimals.
    expect(stdout).not.toContain('Prévu');
    expect(stdout).not.toContain(french(stages.reduce((sum, { cents }) => sum + cents, 0n)));
    expect(stdout).not.toMatch(/long|\d\.\d\d/);
    // Not a terminal: no progress line.
    expect(stdout).not.toContain('\r');
  });

  it('records who imported (--by) on the batch, in GraphQL and in the audit, as a web import records its token’s name', async () => {
    const { code, stdout } = await runCrte(['apply', String(previewId), '--by', PERSON], api.db.url);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Lot n° ${previewId} : appliqué$`, 'm'));
    for (const { label, cents } of stages) expect(stdout).toMatch(new RegExp(`^ +${label} : +${french(cents)} `, 'm'));

    const { body } = await api.graphql(`query ($id: ID!) { importBatch(id: $id) { status uploadedBy } }`, { id: String(previewId) }, admin);
    expect(body.data?.importBatch).toEqual({ status: 'APPLIED', uploadedBy: PERSON });

    const rollback = await runCrte(['rollback', String(previewId), '--by', PERSON], api.db.url);
    expect(rollback.code).toBe(0);
    const events = await api.db.dataSource.getRepository(AuditEvent).find({ where: { targetKind: 'import_batch', targetId: String(previewId) }, order: { id: 'ASC' } });
    expect(events.map((event) => [event.action, event.actorName, event.actorRole, event.tokenId])).toEqual([
      ['IMPORT_PREVIEW', PERSON, 'cli', null],
      ['IMPORT_APPLY', PERSON, 'cli', null],
      ['IMPORT_ROLLBACK', PERSON, 'cli', null],
    ]);
  });

  it('refuses an empty --by with a usage error', async () => {
    const { code, stderr } = await runCrte(['import', ADEME_FILE, '--kind', 'annex3', '--source', 'ADEME', '--dry-run', '--by', '  '], api.db.url);
    expect(code).toBe(2);
    expect(stderr).toContain('--by attend le nom');
  });

  it('imports with a token’s rights and under its name (--token), as over HTTP, and refuses what the token may not', async () => {
    const { dataSource } = api.db;
    const ademe = await dataSource.getRepository(Organisation).findOneByOrFail({ shortName: 'ADEME' });
    const { secret, token } = await createToken(dataSource, { name: 'ADEME — service financements', role: Role.EDITOR, organisationId: ademe.id });
    const own = await runCrte(['import', ADEME_FILE, '--kind', 'annex3', '--source', 'ADEME', '--dry-run', '--json', '--token', secret], api.db.url);
    expect(own.code).toBe(0);
    expect(await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: own.json.batchId })).toMatchObject({ uploadedBy: 'ADEME — service financements', uploadedByTokenId: token.id });
    const event = await dataSource.getRepository(AuditEvent).findOneByOrFail({ targetKind: 'import_batch', targetId: String(own.json.batchId) });
    expect(event).toMatchObject({ action: 'IMPORT_PREVIEW', tokenId: token.id, actorName: 'ADEME — service financements', actorRole: 'editor', organisationId: ademe.id });

    const batches = await dataSource.getRepository(ImportBatch).count();
    const others = await runCrte(['import', ADEME_FILE, '--kind', 'annex3', '--source', 'Banque des Territoires', '--dry-run', '--token', secret], api.db.url);
    expect(others.code).toBe(2);
    expect(others.stderr).toContain('qu\'au nom de sa propre organisation');
    const unknown = await runCrte(['import', ADEME_FILE, '--kind', 'annex3', '--source', 'ADEME', '--dry-run', '--token', 'pas-un-jeton'], api.db.url);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--token : jeton d’accès inconnu ou révoqué.');
    expect(await dataSource.getRepository(ImportBatch).count()).toBe(batches);
  });

  it('draws a progress line only on a terminal, and never under --json (whose shape is unchanged)', async () => {
    const terminal = await runCrte(['import', ADEME_FILE, '--kind', 'annex3', '--source', 'ADEME', '--dry-run'], api.db.url, { tty: true });
    expect(terminal.code).toBe(0);
    expect(terminal.stdout).toMatch(/^\r\x1b\[KLecture… 0 %/);
    // Erased before the summary, which reads as on a pipe.
    expect(terminal.stdout.slice(terminal.stdout.lastIndexOf('\r\x1b[K') + 4)).toMatch(/^Lot n° \d+ : aperçu prêt\n/);

    const json = await runCrte(['import', ADEME_FILE, '--kind', 'annex3', '--source', 'ADEME', '--dry-run', '--json'], api.db.url, { tty: true });
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain('\r');
    expect(Object.keys(json.json).sort()).toEqual(['batchId', 'counts', 'issues', 'layout', 'lines', 'status', 'total']);
    const all = stages.reduce((sum, { cents }) => sum + cents, 0n);
    expect(json.json).toMatchObject({ layout: 'long', total: `${all / 100n}.${String(all % 100n).padStart(2, '0')}`, counts: { lines: 13 } });
  });

  it('corrects a doubtful cell of a preview (import correct) and lists the corrections (import corrections), in French, with the HTTP route’s rules', async () => {
    const { dataSource } = api.db;
    // Douaisis Agglo's programmation with one doubtful amount (E2), written as a partner would.
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(
      book,
      XLSX.utils.aoa_to_sheet([
        ['N° action', 'Intitulé', 'Orientation', "Maître d'ouvrage", 2022, 2023],
        ['DA-01', 'Quartier d’affaires EuraDouai', '2.1', 'Douaisis Agglo', '1,050 000 €', 1000],
      ]),
      'Prog',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'crte-correct-')), 'programmation-da.xlsx');
    writeFileSync(file, XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    const rejected = await runCrte(['import', file, '--kind', 'annex3', '--source', 'Douaisis Agglo', '--contract', 'CRTE-DOUAISIS', '--dry-run'], api.db.url);
    expect(rejected.code).toBe(1);
    const batchId = /^Lot n° (\d+) : REJETÉ$/m.exec(rejected.stdout)![1];

    // Refused: a cell the check did not doubt, a missing value (before the database is opened), another organisation's editor.
    const plain = await runCrte(['import', 'correct', batchId, '--cell', 'F2', '--value', '1000'], api.db.url);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain(`La cellule F2 n’a ni erreur ni avertissement dans l’aperçu n° ${batchId}`);
    const noValue = await runCrte(['import', 'correct', batchId, '--cell', 'E2'], api.db.url);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('--value est obligatoire');
    const ademe = await dataSource.getRepository(Organisation).findOneByOrFail({ shortName: 'ADEME' });
    const { secret } = await createToken(dataSource, { name: 'ADEME — instruction', role: Role.EDITOR, organisationId: ademe.id });
    const stranger = await runCrte(['import', 'correct', batchId, '--cell', 'E2', '--value', '1050000', '--token', secret], api.db.url);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('Seul l’expéditeur du fichier (« cli');

    // The sheet found from the cell's issue; the preview checked again is ready: exit 0.
    const corrected = await runCrte(['import', 'correct', batchId, '--cell', 'e2', '--value', '1 050 000 €', '--by', PERSON], api.db.url);
    expect(corrected.code).toBe(0);
    expect(corrected.stdout).toContain(`Cellule Prog!E2 corrigée : « 1,050 000 € » lu « 1 050 000 € » (par ${PERSON}).\n`);
    expect(corrected.stdout).toMatch(new RegExp(`^Lot n° ${batchId} : aperçu prêt$`, 'm'));
    expect(corrected.stdout).toMatch(new RegExp(`^ +Prévu : +${french(105_000_000n + 100_000n)} \\(2 lignes\\)$`, 'm'));
    const listed = await runCrte(['import', 'corrections', batchId], api.db.url);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^Corrections du lot n° ${batchId} \\(1\\) :\\n  Prog!E2 : « 1,050 000 € » lu « 1 050 000 € » — par ${PERSON}, le \\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d\\n$`));
    const event = await dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'IMPORT_CORRECT', targetId: batchId });
    expect(event).toMatchObject({ actorName: PERSON, actorRole: 'cli', tokenId: null });
  });
});
