import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadContractReference } from '../../import/apply/load-reference';
import { BatchMeta, prepareStoredFile, storePreview, StoredFile } from '../../import/apply/store-preview';
import { PipelineResult, preparePipeline } from '../../import/pipeline';
import { runPipelineOn } from '../../import/pipeline.runner';
import { isReadError } from '../../import/read/read-error';
import { readUploadedFilePacked, refillSpareWorkers } from '../../import/read/read-file';
import { PreviewReport } from '../../import/report/preview-report';
import { ContractReference, ReferenceOrganisation } from '../../import/resolve/contract-reference';
import { OrganisationIndex } from '../../import/resolve/organisation-index';
import { Contract } from '../contract/contract.entity';
import { ImportKind } from './import-batch.enums';
import { AuditHook } from '../audit/audit.service';

export interface PreviewRequest {
  buffer: Buffer;
  fileName: string;
  kind: ImportKind;
  /** The organisation that sends the file, by any spelling, SIREN or id. */
  source: string;
  /** Contract code; may be left out when the database holds one contract. */
  contract?: string | null;
  year?: number | null;
  uploadedBy?: string | null;
  uploadedByTokenId?: number | null;
  onProgress?: (stage: PreviewStage, done: number) => void;
}

export type PreviewStage = 'lecture' | 'analyse' | 'enregistrement';

export interface PreviewResult extends PreviewReport {
  batchId: number;
}

/** A request that cannot be served as asked (unknown contract or source): the caller's mistake. */
export class ImportRequestError extends Error {
  /** The request field at fault ('contract', 'source'), for HTTP answers. */
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Reads a partner's file and stores what applying it would do, without changing any data: the preview
 * and every issue become an import batch (PREVIEWED, or REJECTED when any ERROR was found).
 */
/** What reading and checking a file gave, before anything is stored. */
export interface PreparedImport {
  contract: Contract;
  reference: ContractReference;
  meta: BatchMeta;
  report: PreviewReport;
  /** Null when the file could not be read at all, or when not asked for (a preview). */
  result: PipelineResult | null;
  /** The file as import_file_chunk will keep it. */
  storedFile: StoredFile;
}

/**
 * Reads and checks a file against the contract; writes nothing. `withResult` false (a preview): only the
 * report is kept (`result` null), which spares rebuilding a large file's parse on the main thread.
 */
export async function prepareImport(dataSource: DataSource, request: PreviewRequest, options: { withResult?: boolean } = {}): Promise<PreparedImport> {
  const progress = request.onProgress ?? (() => undefined);
  const contract = await findContract(dataSource, request.contract ?? null);
  progress('lecture', 0);
  // The file is read (workbooks in workers) while the contract is loaded from the database. Settled into a
  // value at once: when the request turns out to be wrong (an unknown source), the read's outcome is dropped.
  const reading = readUploadedFilePacked(request.buffer, request.fileName).then(
    (packed) => ({ packed, error: null }),
    (error: unknown) => ({ packed: null, error }),
  );
  // Compressed in the thread pool meanwhile; settled at once, like the read.
  const storing = prepareStoredFile(request.buffer).then(
    (stored) => stored,
    (): StoredFile => ({ bytes: request.buffer, encoding: null }),
  );
  preparePipeline(request.kind);
  const reference = await loadContractReference(dataSource, contract);
  const source = findSource(reference, request.source, contract.code);
  const meta: BatchMeta = {
    contractId: contract.id,
    kind: request.kind,
    sourceId: source.id,
    year: request.year ?? null,
    fileName: request.fileName,
    sha256: createHash('sha256').update(request.buffer).digest('hex'),
    sizeBytes: request.buffer.length,
    uploadedBy: request.uploadedBy ?? null,
    uploadedByTokenId: request.uploadedByTokenId ?? null,
  };

  const read = await reading;
  let error = read.error;
  if (read.packed) {
    progress('analyse', 0.4);
    try {
      // A large file's cells are built and checked in a worker (import/pipeline.runner.ts).
      const run = await runPipelineOn(read.packed, { kind: request.kind, reference, sourceOrganisationId: meta.sourceId, year: request.year }, { withResult: options.withResult ?? true });
      return { contract, reference, meta, report: run.report, result: run.result, storedFile: await storing };
    } catch (caught) {
      error = caught;
    }
  }
  if (!isReadError(error)) throw error;
  const report: PreviewReport = {
    status: 'REJECTED',
    layout: '',
    counts: { lines: 0, errors: 1, warnings: 0, newActions: 0, newOrganisations: 0 },
    total: '0.00',
    lines: [],
    issues: [{ severity: 'ERROR', code: error.code, message: error.message, sheet: null, cell: null, value: null }],
  };
  return { contract, reference, meta, report, result: null, storedFile: await storing };
}

/**
 * Reads a partner's file and stores what applying it would do, without changing any data: the preview,
 * every issue and the file itself become an import batch (PREVIEWED, or REJECTED when any ERROR was found).
 */
export async function previewImport(dataSource: DataSource, request: PreviewRequest, audit?: AuditHook<PreviewResult>): Promise<PreviewResult> {
  try {
    return await storePrepared(dataSource, request, await prepareImport(dataSource, request, { withResult: false }), audit);
  } finally {
    refillSpareWorkers();
  }
}

async function storePrepared(dataSource: DataSource, request: PreviewRequest, prepared: PreparedImport, audit?: AuditHook<PreviewResult>): Promise<PreviewResult> {
  request.onProgress?.('enregistrement', 0.9);
  const result = await dataSource.transaction(async (manager) => {
    const batch = await storePreview(manager, prepared.meta, prepared.report, prepared.storedFile);
    const stored: PreviewResult = { batchId: batch.id, ...prepared.report };
    await audit?.(manager, stored);
    return stored;
  });
  request.onProgress?.('enregistrement', 1);
  return result;
}

/** The organisation that sends a file: by id, SIREN, name or any alias. */
export function findSource(reference: ContractReference, text: string, contractCode: string): ReferenceOrganisation {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed) && trimmed.length < 9) {
    const byId = reference.organisations.find((organisation) => organisation.id === Number(trimmed));
    if (byId) return byId;
  }
  const match = new OrganisationIndex(reference).find(trimmed);
  if (match.status === 'found') return match.organisation;
  throw new ImportRequestError(
    match.status === 'ambiguous'
      ? `La source « ${text} » peut désigner ${match.candidates.map((c) => c.name).join(' ou ')} : précisez.`
      : `La source « ${text} » n'est pas une organisation connue du contrat ${contractCode}.`,
    'source',
  );
}

export async function findContract(dataSource: DataSource, code: string | null): Promise<Contract> {
  if (code) {
    const contract = await dataSource.getRepository(Contract).findOne({ where: { code } });
    if (!contract) throw new ImportRequestError(`Le contrat « ${code} » n'existe pas.`, 'contract');
    return contract;
  }
  const contracts = await dataSource.getRepository(Contract).find({ take: 2 });
  if (contracts.length === 1) return contracts[0];
  throw new ImportRequestError(
    contracts.length ? 'Plusieurs contrats existent : précisez le code du contrat (--contract, ou le champ « contract »).' : "Aucun contrat n'est chargé : lancez « npx crte seed ».",
    'contract',
  );
}
