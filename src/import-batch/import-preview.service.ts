import { createHash } from 'node:crypto';
import { contractScope } from '../auth/contract-scope';
import { contractRefusalMessage } from '../request/authorisation';
import { DataSource } from 'typeorm';
import { loadContractReference } from './load-reference';
import { BatchMeta, prepareStoredFile, storePreview, StoredFile } from './store-preview';
import { PipelineResult, preparePipeline } from '../../import/pipeline';
import { runPipelineOn } from '../../import/pipeline.runner';
import { isReadError } from '../../import/read/read-error';
import { readUploadedFilePacked, refillSparesAfter } from '../../import/read/read-file';
import { ImportPreview } from '../../import/preview/import-preview';
import { ContractReference, ReferenceOrganisation } from '../../import/resolve/contract-reference';
import { OrganisationIndex } from '../../import/resolve/organisation-index';
import { SenderAuthority } from '../../import/resolve/resolve';
import { CellCorrection } from '../../import/common/model';
import { ApiToken } from '../auth/api-token.entity';
import { Role } from '../kernel/role.enum';
import { Contract } from '../contract/contract.entity';
import { findContract } from '../contract/contract.lookups';
import { ImportKind } from '../kernel/import-batch.enum';
import { AuditHook } from '../audit/audit.service';
import { RequestRefusal } from '../request/http-error';

export interface PreviewRequest {
  buffer: Buffer;
  fileName: string;
  kind: ImportKind;
  /** The organisation that sends the file, by any spelling, SIREN or id. */
  source: string;
  /** Contract code; may be left out when the database holds one contract. */
  contract?: string | null;
  year?: number | null;
  /** The programme given with the upload, for a grants list of one programme (« Fonds vert »). */
  programme?: string | null;
  uploadedBy?: string | null;
  /**
   * The token that sent the file: what it may write (its role and organisation) is read from the database.
   * Left out only by in-process callers that act as administrators (the CLI, seeds, benches); every HTTP
   * route passes it.
   */
  uploadedByTokenId?: number | null;
  /** Cells read as a person corrected them in the stored preview (import_cell_correction). */
  corrections?: CellCorrection[];
  onProgress?: (stage: PreviewStage, done: number) => void;
}

export type PreviewStage = 'lecture' | 'analyse' | 'enregistrement';

export interface PreviewResult extends ImportPreview {
  batchId: number;
}

/** A request that cannot be served as asked (unknown contract or source): the caller's mistake. */
export class ImportRequestError extends RequestRefusal {
  /** The request field at fault ('contract', 'source'), for HTTP answers; 403 when the sender may not. */
  constructor(message: string, field?: string, status: 400 | 403 = 400) {
    super(message, field, status);
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
  preview: ImportPreview;
  /** Null when the file could not be read at all, or when not asked for (a preview). */
  result: PipelineResult | null;
  /** The file as import_file_chunk will keep it. */
  storedFile: StoredFile;
}

/**
 * Reads and checks a file against the contract; writes nothing. `withResult` false (a preview): only the
 * preview is kept (`result` null), which spares rebuilding a large file's parse on the main thread.
 */
export async function prepareImport(dataSource: DataSource, request: PreviewRequest, options: { withResult?: boolean } = {}): Promise<PreparedImport> {
  const progress = request.onProgress ?? (() => undefined);
  const contract = await importTargetContract(dataSource, request.contract ?? null);
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
  const authority = await senderAuthority(dataSource, request.uploadedByTokenId ?? null, source, request.kind, reference.stateId, contract);
  const meta: BatchMeta = {
    contractId: contract.id,
    kind: request.kind,
    sourceId: source.id,
    year: request.year ?? null,
    programme: request.programme?.trim().slice(0, 100) || null,
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
      const run = await runPipelineOn(read.packed, { kind: request.kind, reference, sourceOrganisationId: meta.sourceId, authority, year: request.year, programme: request.programme ?? null, corrections: request.corrections ?? [] }, { withResult: options.withResult ?? true });
      return { contract, reference, meta, preview: run.preview, result: run.result, storedFile: await storing };
    } catch (caught) {
      error = caught;
    }
  }
  if (!isReadError(error)) throw error;
  const preview: ImportPreview = {
    status: 'REJECTED',
    layout: '',
    counts: { lines: 0, errors: 1, warnings: 0, notes: 0, newActions: 0, newOrganisations: 0 },
    total: '0.00',
    lines: [],
    issues: [{ severity: 'ERROR', code: error.code, message: error.message, sheet: null, cell: null, value: null }],
  };
  return { contract, reference, meta, preview, result: null, storedFile: await storing };
}

/**
 * Reads a partner's file and stores what applying it would do, without changing any data: the preview,
 * every issue and the file itself become an import batch (PREVIEWED, or REJECTED when any ERROR was found).
 */
export async function previewImport(dataSource: DataSource, request: PreviewRequest, audit?: AuditHook<PreviewResult>): Promise<PreviewResult> {
  return refillSparesAfter(async () => storePrepared(dataSource, request, await prepareImport(dataSource, request, { withResult: false }), audit));
}

async function storePrepared(dataSource: DataSource, request: PreviewRequest, prepared: PreparedImport, audit?: AuditHook<PreviewResult>): Promise<PreviewResult> {
  request.onProgress?.('enregistrement', 0.9);
  const result = await dataSource.transaction(async (manager) => {
    const batch = await storePreview(manager, prepared.meta, prepared.preview, prepared.storedFile);
    const stored: PreviewResult = { batchId: batch.id, ...prepared.preview };
    await audit?.(manager, stored);
    return stored;
  });
  request.onProgress?.('enregistrement', 1);
  return result;
}

/**
 * What the sender of a file may write, from its token's row (not from the request, nor from the file): an
 * admin imports for anyone; an editor only as its own organisation. A revoked token keeps its row, so a
 * stored preview is applied with the rights of whoever sent it; a token that is gone is refused.
 */
export async function senderAuthority(
  dataSource: DataSource,
  tokenId: number | null,
  source: ReferenceOrganisation,
  kind: ImportKind,
  stateId: number | null,
  contract: { id: number; code: string },
): Promise<SenderAuthority> {
  if (tokenId === null) return 'admin';
  const token = await dataSource.getRepository(ApiToken).findOne({ where: { id: tokenId } });
  if (token?.role === Role.ADMIN) return 'admin';
  // The sender's contracts, read again from the database (a stored preview is applied with them).
  const scope = token ? await contractScope(dataSource.manager, token) : [];
  if (scope !== null && !scope.includes(contract.id)) throw new ImportRequestError(contractRefusalMessage(token ? { name: token.name } : null, contract.code), 'contract', 403);
  // The structure is the contract team's (createAxis and createOrientation require an admin): whatever
  // the file's « Structure pilote » says, only an admin token (or the command line) imports a plan.
  if (kind === ImportKind.PLAN) {
    throw new ImportRequestError(
      `Un plan d'action (plan) crée les axes, orientations et fiches actions du contrat ${contract.code} : seule l'équipe du contrat (un jeton administrateur) peut le déposer, pas le jeton « ${token?.name ?? '?'} ». Envoyez-lui le fichier, ou déposez vos financements en annexe 3 (annex3).`,
      'kind',
      403,
    );
  }
  if (token && token.role === Role.EDITOR && token.organisationId === source.id) {
    const refusal = stateKindRefusal(kind, source, stateId, token.name);
    if (refusal) throw new ImportRequestError(refusal, 'kind', 403);
    return 'source';
  }
  throw new ImportRequestError(
    token?.role === Role.EDITOR
      ? `Le jeton « ${token.name} » ne permet d'importer qu'au nom de sa propre organisation, pas de « ${source.shortName ?? source.name} ».`
      : "Ce jeton ne permet pas d'importer de fichier.",
    'source',
  );
}

/**
 * Annex 2 (the recovery-plan measures), dotations (the State grants received) and grants (the State's
 * national lists) hold the State's figures, which no mutation lets an editor write: they are imported by
 * the contract's team (an admin) or by an editor of the contract's State itself. Anyone else is refused
 * as a whole, before the file is read, rather than at every cell. Inside a State editor's file, each line
 * is still checked (a FEDER row of a dotations table is the Région's to declare).
 */
export const STATE_KINDS: ReadonlySet<ImportKind> = new Set([ImportKind.ANNEX2, ImportKind.DOTATIONS, ImportKind.GRANTS]);

const STATE_KIND_LABELS: Partial<Record<ImportKind, string>> = {
  annex2: 'Le bilan des mesures du plan de relance (annex2)',
  dotations: "Le tableau des dotations de l'État (dotations)",
  grants: "Une liste nationale des subventions de l'État (grants)",
};

/** Why an editor of `source` may not import a file of this kind, or null when it may. */
export function stateKindRefusal(kind: ImportKind, source: { id: number; name: string; shortName?: string | null }, stateId: number | null, tokenName: string): string | null {
  if (!STATE_KINDS.has(kind) || (stateId !== null && source.id === stateId)) return null;
  const name = source.shortName ?? source.name;
  return `${STATE_KIND_LABELS[kind]} donne des chiffres de l'État : seuls l'équipe du contrat (un jeton administrateur) et l'État lui-même peuvent déposer ce fichier, pas le jeton « ${tokenName} » de ${name}. ${name} dépose son annexe 3 (ses actions et leurs financements) ; ce que l'État lui attribue est déclaré par l'État.`;
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

/** The contract an import goes to: the one named, or else the only one loaded. */
export async function importTargetContract(dataSource: DataSource, code: string | null): Promise<Contract> {
  if (code) {
    const contract = await findContract(dataSource.manager, code);
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
