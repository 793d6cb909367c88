import { Brackets, SelectQueryBuilder } from 'typeorm';
import { Identity } from '../request/identity';
import { mayAccessContract } from '../request/authorisation';
import { restrictToVisibleContracts } from '../contract/contract.lookups';
import { Role } from '../kernel/role.enum';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportStatus } from '../kernel/import-batch.enum';

/**
 * Who sees which batch. Reads follow the server's rule (open, unless READ_REQUIRES_TOKEN), except for the
 * previews never applied (PREVIEWED, REJECTED, ABANDONED): a partner's drafts and mistakes are seen only by the
 * administrators and by the editors of the batch's source organisation. Batches that were applied
 * (APPLIED, and later SUPERSEDED or ROLLED_BACK) are seen by every reader, like the figures they brought;
 * in both cases only within the contracts the caller's token may see (src/auth/contract-scope.ts).
 */
export const UNAPPLIED_STATUSES: readonly ImportStatus[] = [ImportStatus.PREVIEWED, ImportStatus.REJECTED, ImportStatus.ABANDONED];

export function canSeeBatch(identity: Identity | null, batch: Pick<ImportBatch, 'status' | 'sourceId' | 'contractId'>): boolean {
  // Never a batch of a contract outside the token's scope (src/auth/contract-scope.ts).
  if (!mayAccessContract({ identity }, batch.contractId)) return false;
  if (!UNAPPLIED_STATUSES.includes(batch.status)) return true;
  if (identity?.role === Role.ADMIN) return true;
  return identity?.role === Role.EDITOR && identity.organisationId !== null && identity.organisationId === batch.sourceId;
}

/** The SQL form of canSeeBatch, on a query over `import_batch` aliased `alias`. */
export function whereBatchVisible<T extends object>(query: SelectQueryBuilder<T>, identity: Identity | null, alias = 'batch'): SelectQueryBuilder<T> {
  restrictToVisibleContracts({ identity }, query, `${alias}.contract_id`);
  if (identity?.role === Role.ADMIN) return query;
  const parameters = { unappliedStatuses: [...UNAPPLIED_STATUSES], ownOrganisationId: identity?.organisationId ?? null };
  if (identity?.role === Role.EDITOR && identity.organisationId !== null) {
    return query.andWhere(
      new Brackets((where) => where.where(`${alias}.status NOT IN (:...unappliedStatuses)`).orWhere(`${alias}.source_id = :ownOrganisationId`)),
      parameters,
    );
  }
  return query.andWhere(`${alias}.status NOT IN (:...unappliedStatuses)`, parameters);
}
