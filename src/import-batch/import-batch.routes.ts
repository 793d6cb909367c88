import { json, Request, Response, Router } from 'express';
import { DataSource } from 'typeorm';
import { loadContractReference } from './load-reference';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../import/read/read-file';
import { ReferenceOrganisation } from '../../import/resolve/contract-reference';
import { authenticateHttp, requireHttpContractAccess, requireHttpWriter, requireImportSource } from '../auth/http-authorisation';
import { Identity } from '../request/identity';
import { Role } from '../kernel/role.enum';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { ContractParty } from '../contract/contract-party.entity';
import { Contract } from '../contract/contract.entity';
import { findContract } from '../contract/contract.lookups';
import { HttpError } from '../request/http-error';
import { sendLargeJson } from '../request/json-answer';
import { batchEvent, recordAudit } from '../audit/audit.service';
import { route } from '../request/http-route';
import { MultipartUpload, readMultipart, UploadedFile } from '../request/uploads';
import { applyStoredBatch, ImportConflictError, importFile, rollbackBatch } from './import-apply.service';
import { correctPreviewCell } from './cell-correction.service';
import { ImportBatch } from '../provenance/import-batch.entity';
import { FILE_IMPORT_KINDS, ImportKind } from '../kernel/import-batch.enum';
import { findSource, importTargetContract, previewImport, stateKindRefusal } from './import-preview.service';
import { buildImportTemplate, isTemplateKind, TemplateOptions, XLSX_CONTENT_TYPE } from './import-templates';

/**
 * The HTTP side of imports:
 * - `POST /api/imports` (multipart/form-data: `file`, `kind`, `source`, `year`, `programme`, `contract`, `dryRun`) →
 *   the JSON preview of `crte import --json`: 200 when PREVIEWED, 422 when REJECTED;
 * - `GET /api/templates/:kind.xlsx[?contract=CODE]` → the blank workbook of a kind.
 */

/** The upload cap: the same as the reader's, so that a file the route accepts is never refused as too large. */
export const MAX_UPLOAD_BYTES = DEFAULT_MAX_UPLOAD_BYTES;

const FORM_FIELDS = ['kind', 'source', 'year', 'programme', 'contract', 'dryRun', 'allowPartial'] as const;
const KINDS = FILE_IMPORT_KINDS as readonly string[];

/** A checked upload: what previewImport (or applying) needs, the source and contract already resolved. */
export interface ImportUpload {
  file: UploadedFile;
  kind: ImportKind;
  year: number | null;
  /** A grants list of one programme: its programme (« Fonds vert »). */
  programme: string | null;
  dryRun: boolean;
  allowPartial: boolean;
  contract: Contract;
  source: ReferenceOrganisation;
  identity: Identity;
}

export function createImportRouter(dataSource: DataSource): Router {
  const router = Router();
  router.post('/api/imports', route((req, res) => postImport(dataSource, req, res)));
  router.post('/api/imports/:id/apply', route((req, res) => postApply(dataSource, req, res)));
  router.post('/api/imports/:id/rollback', route((req, res) => postRollback(dataSource, req, res)));
  router.post('/api/imports/:id/corrections', json({ limit: '16kb' }), route((req, res) => postCorrection(dataSource, req, res)));
  router.get('/api/templates/:kind.xlsx', route((req, res) => getTemplate(dataSource, req, res)));
  return router;
}

// ---------------------------------------------------------------------------------------------------
// POST /api/imports
// ---------------------------------------------------------------------------------------------------

async function postImport(dataSource: DataSource, req: Request, res: Response): Promise<void> {
  // Who asks comes first: an anonymous or read-only caller is answered before its file is read.
  const identity = requireHttpWriter(await authenticateHttp(dataSource, req.headers.authorization));
  const form = checkForm(await readMultipart(req, { fileField: 'file', fields: FORM_FIELDS, maxFileBytes: MAX_UPLOAD_BYTES }));
  // Another contract is refused before its organisations are searched for the source.
  requireHttpContractAccess(identity, await importTargetContract(dataSource, form.contract));
  const { contract, source, stateId } = await resolveImportTarget(dataSource, form.contract, form.source);
  requireImportSource(identity, source);
  // The State's figures (annex 2, dotations, grants lists): refused before the file is read.
  const refusal = identity.role === Role.ADMIN ? null : stateKindRefusal(form.kind, source, stateId, identity.name);
  if (refusal) throw new HttpError(403, refusal, 'kind');
  const upload: ImportUpload = { file: form.file, kind: form.kind, year: form.year, programme: form.programme, dryRun: form.dryRun, allowPartial: form.allowPartial, contract, source, identity };
  if (!upload.dryRun) return applyUpload(dataSource, upload, res);

  const result = await previewImport(dataSource, {
    buffer: upload.file.buffer,
    fileName: upload.file.fileName,
    kind: upload.kind,
    // By id: the organisation checked above, whatever spelling the form used.
    source: String(upload.source.id),
    contract: upload.contract.code,
    year: upload.year,
    programme: upload.programme,
    uploadedBy: identity.name,
    uploadedByTokenId: identity.tokenId,
  }, (manager, r) => recordAudit(manager, identity, batchEvent('IMPORT_PREVIEW', r)));
  await sendLargeJson(res, result.status === 'PREVIEWED' ? 200 : 422, result);
}

/** Reading and applying in one go (`dryRun` false or absent): APPLIED or UNCHANGED 200, REJECTED 422. */
async function applyUpload(dataSource: DataSource, upload: ImportUpload, res: Response): Promise<void> {
  const result = await importFile(dataSource, {
    buffer: upload.file.buffer,
    fileName: upload.file.fileName,
    kind: upload.kind,
    source: String(upload.source.id),
    contract: upload.contract.code,
    year: upload.year,
    programme: upload.programme,
    uploadedBy: upload.identity.name,
    uploadedByTokenId: upload.identity.tokenId,
    allowPartial: upload.allowPartial,
  }, (manager, r) => recordAudit(manager, upload.identity, batchEvent('IMPORT_APPLY', r)));
  await sendLargeJson(res, result.status === 'REJECTED' ? 422 : 200, result);
}

// ---------------------------------------------------------------------------------------------------
// POST /api/imports/:id/apply and /api/imports/:id/rollback
// ---------------------------------------------------------------------------------------------------

/** The batch named in the path, once the caller may write in its source's name. */
async function batchForWriter(dataSource: DataSource, req: Request): Promise<{ batch: ImportBatch; identity: Identity }> {
  const identity = requireHttpWriter(await authenticateHttp(dataSource, req.headers.authorization));
  const id = String(req.params.id);
  if (!/^\d{1,10}$/.test(id)) throw new HttpError(400, `« ${id} » n'est pas un numéro de lot.`, 'id');
  const batch = await dataSource.getRepository(ImportBatch).findOne({ where: { id: Number(id) }, relations: { source: true } });
  if (!batch) throw new HttpError(404, `Le lot n° ${id} n'existe pas.`, 'id');
  requireHttpContractAccess(identity, { id: batch.contractId, code: await contractCodeOf(dataSource, batch.contractId) });
  requireImportSource(identity, batch.source);
  return { batch, identity };
}

/** APPLIED or UNCHANGED 200, REJECTED 422; 409 when the batch is no longer a preview (another request came first). */
async function postApply(dataSource: DataSource, req: Request, res: Response): Promise<void> {
  const { batch, identity } = await batchForWriter(dataSource, req);
  const allowPartial = TRUE_WORDS.has(String(req.query.allowPartial ?? '').toLowerCase());
  const result = await conflictAs409(() => applyStoredBatch(dataSource, batch.id, { allowPartial }, (manager, r) => recordAudit(manager, identity, batchEvent('IMPORT_APPLY', r))));
  await sendLargeJson(res, result.status === 'REJECTED' ? 422 : 200, result);
}

/** ROLLED_BACK 200; 409 when the batch is not (or no longer) applied, or a later batch must be rolled back first. */
async function postRollback(dataSource: DataSource, req: Request, res: Response): Promise<void> {
  const { batch, identity } = await batchForWriter(dataSource, req);
  res.json(await conflictAs409(() => rollbackBatch(dataSource, batch.id, (manager, r) => recordAudit(manager, identity, batchEvent('IMPORT_ROLLBACK', r)))));
}

/**
 * `POST /api/imports/:id/corrections` `{ "sheet": "Annexe 2", "cell": "C10", "value": "1 050 000 €" }`: a doubtful
 * cell of a stored preview read as corrected (cell-correction.service.ts) → the preview checked again, with the
 * batch's corrections (200); 403 for anyone but the file's sender or an admin; 409 once the batch is applied.
 */
async function postCorrection(dataSource: DataSource, req: Request, res: Response): Promise<void> {
  const { batch, identity } = await batchForWriter(dataSource, req);
  const body = (typeof req.body === 'object' && req.body) || {};
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
  const result = await conflictAs409(() =>
    correctPreviewCell(dataSource, identity, batch.id, { sheet: text('sheet'), cell: text('cell'), value: text('value') }, (manager, r) => recordAudit(manager, identity, batchEvent('IMPORT_CORRECT', r))),
  );
  await sendLargeJson(res, 200, result);
}

async function conflictAs409<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ImportConflictError) throw new HttpError(409, error.message, error.field);
    throw error;
  }
}

interface ImportForm {
  file: UploadedFile;
  kind: ImportKind;
  source: string;
  year: number | null;
  programme: string | null;
  contract: string | null;
  dryRun: boolean;
  allowPartial: boolean;
}

const TRUE_WORDS = new Set(['true', '1', 'oui', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'non', 'no', 'off', '']);

/** The form's fields, checked: 400 naming the field at fault. */
export function checkForm({ file, fields }: MultipartUpload): ImportForm {
  const missing = [!file && 'file', !fields.kind?.trim() && 'kind', !fields.source?.trim() && 'source'].filter((name): name is string => !!name);
  if (missing.length) {
    const names = missing.map((name) => `« ${name} »`).join(', ');
    throw new HttpError(400, missing.length > 1 ? `Champs obligatoires manquants : ${names}.` : `Le champ ${names} est obligatoire.`, missing[0]);
  }
  const kind = fields.kind.trim();
  if (!KINDS.includes(kind)) throw new HttpError(400, `Le champ « kind » doit valoir ${KINDS.join(', ')} (reçu « ${kind} »).`, 'kind');
  let year: number | null = null;
  const yearText = fields.year?.trim();
  if (yearText) {
    year = Number(yearText);
    if (!/^\d{4}$/.test(yearText) || year < 1950 || year > 2100) throw new HttpError(400, `Le champ « year » doit être une année sur quatre chiffres (reçu « ${yearText} »).`, 'year');
  }
  const dryRunText = (fields.dryRun ?? '').trim().toLowerCase();
  if (!TRUE_WORDS.has(dryRunText) && !FALSE_WORDS.has(dryRunText)) {
    throw new HttpError(400, `Le champ « dryRun » doit valoir true ou false (reçu « ${fields.dryRun} »).`, 'dryRun');
  }
  return {
    file: file!,
    kind: kind as ImportKind,
    source: fields.source.trim(),
    year,
    programme: fields.programme?.trim().slice(0, 100) || null,
    contract: fields.contract?.trim() || null,
    dryRun: TRUE_WORDS.has(dryRunText),
    allowPartial: TRUE_WORDS.has((fields.allowPartial ?? '').trim().toLowerCase()),
  };
}

/**
 * The contract and the source organisation of an upload, found as previewImport finds them (the source by
 * id, SIREN, INSEE code, name or alias), so that permissions are checked before anything is stored.
 */
export async function resolveImportTarget(
  dataSource: DataSource,
  contractCode: string | null,
  sourceText: string,
): Promise<{ contract: Contract; source: ReferenceOrganisation; stateId: number | null }> {
  const contract = await importTargetContract(dataSource, contractCode);
  const reference = await loadContractReference(dataSource, contract);
  return { contract, source: findSource(reference, sourceText, contract.code), stateId: reference.stateId };
}

// ---------------------------------------------------------------------------------------------------
// GET /api/templates/:kind.xlsx
// ---------------------------------------------------------------------------------------------------

async function getTemplate(dataSource: DataSource, req: Request, res: Response): Promise<void> {
  const kind = String(req.params.kind);
  if (kind === ImportKind.GRANTS) {
    throw new HttpError(
      404,
      "Pas de modèle pour les listes nationales de subventions (grants) : ce sont les données ouvertes de l'État, à déposer telles qu'elles sont publiées.",
      'kind',
    );
  }
  if (!isTemplateKind(kind)) throw new HttpError(404, `Modèle inconnu « ${kind} » : modèles disponibles annex3, annex2, dotations, indicators.`, 'kind');

  const options: TemplateOptions = {};
  const code = typeof req.query.contract === 'string' ? req.query.contract.trim() : '';
  if (code) {
    const contract = await findContract(dataSource.manager, code);
    if (!contract) throw new HttpError(404, `Le contrat « ${code} » n'existe pas.`, 'contract');
    options.years = Array.from({ length: contract.endYear - contract.startYear + 1 }, (_, index) => contract.startYear + index);
    options.contractName = `${contract.name} (${contract.code})`;
    const perimeter = await dataSource.getRepository(ContractParty).find({
      where: { contractId: contract.id, role: ContractPartyRole.PERIMETER },
      relations: { organisation: true },
      order: { id: 'ASC' },
    });
    options.territories = perimeter.map((party) => party.organisation.shortName ?? party.organisation.name);
  }
  const template = buildImportTemplate(kind, options);
  res.status(200).attachment(template.fileName).type(XLSX_CONTENT_TYPE).set('Cache-Control', 'no-cache').send(template.buffer);
}

async function contractCodeOf(dataSource: DataSource, contractId: number): Promise<string> {
  const rows: { code: string }[] = await dataSource.query('SELECT code FROM contract WHERE id = ?', [contractId]);
  return rows[0]?.code ?? String(contractId);
}
