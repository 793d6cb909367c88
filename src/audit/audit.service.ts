import { EntityManager } from 'typeorm';
import { Identity } from '../request/identity';
import { AuditEvent } from './audit-event.entity';

/** What a write can be; the list grows, rows never change meaning. */
export type AuditAction =
  | 'IMPORT_PREVIEW'
  | 'IMPORT_APPLY'
  | 'IMPORT_ROLLBACK'
  | 'IMPORT_ABANDON'
  | 'IMPORT_CORRECT'
  | 'FUNDING_CREATE'
  | 'FUNDING_UPDATE'
  | 'FUNDING_END'
  | 'ACTION_CREATE'
  | 'ACTION_UPDATE'
  | 'INDICATOR_CREATE'
  | 'INDICATOR_UPDATE'
  | 'INDICATOR_VALUE_SET'
  | 'INDICATOR_VALUE_DELETE'
  | 'REPORT_SAVE'
  | 'REPORT_DELETE'
  | 'TOKEN_CREATE'
  | 'TOKEN_REVOKE'
  | 'CONTRACT_CREATE'
  | 'CONTRACT_UPDATE'
  | 'AXIS_CREATE'
  | 'ORIENTATION_CREATE'
  | 'AMENDMENT_RECORD'
  | 'MEETING_CREATE'
  | 'MEETING_UPDATE'
  | 'MEETING_DELETE'
  | 'DECISION_CREATE'
  | 'DECISION_UPDATE'
  | 'DECISION_DELETE';

export type AuditTargetKind = 'import_batch' | 'action' | 'indicator' | 'saved_report' | 'api_token' | 'contract' | 'axis' | 'orientation' | 'meeting' | 'decision' | 'amendment';

export interface AuditEventInput {
  action: AuditAction;
  target: { kind: AuditTargetKind; id: string | number | null };
  /** A few facts worth keeping (status, code, counts); never a secret. */
  detail?: Record<string, unknown>;
}

/** Who writes: a token's identity, or the command line (no token: whoever can reach the database). */
export interface AuditActor {
  tokenId: number | null;
  name: string;
  role: string;
  organisationId: number | null;
}

/**
 * Called by a service inside the transaction of its write, with what the write gave: the audit row
 * commits or rolls back with the write itself.
 */
export type AuditHook<T> = (manager: EntityManager, result: T) => Promise<unknown>;

const DETAIL_MAX = 2000;

/**
 * The command line's actor, with the powers of whoever holds the database: the person named by `--by`
 * (role 'cli' still tells it from a token), else `cli:USER`.
 */
export function cliActor(by: string | null = null): AuditActor {
  return { tokenId: null, name: (by ?? (process.env.USER ? `cli:${process.env.USER}` : 'cli')).slice(0, 255), role: 'cli', organisationId: null };
}

/** Writes one audit row with `manager`, which must be the transaction of the write it records. */
export async function recordAudit(manager: EntityManager, actor: Identity | AuditActor | null, event: AuditEventInput): Promise<void> {
  // Every write path requires a writer before writing; an anonymous actor here is a programming error.
  if (!actor) throw new Error(`Audit ${event.action} sans auteur : une écriture doit toujours être attribuée.`);
  let detail = event.detail ? JSON.stringify(event.detail) : null;
  if (detail && detail.length > DETAIL_MAX) detail = JSON.stringify({ truncated: detail.slice(0, DETAIL_MAX - 40) });
  await manager.insert(AuditEvent, {
    occurredAt: new Date(),
    action: event.action,
    targetKind: event.target.kind,
    targetId: event.target.id === null ? null : String(event.target.id).slice(0, 100),
    tokenId: actor.tokenId,
    actorName: actor.name.slice(0, 255),
    actorRole: String(actor.role).slice(0, 10),
    organisationId: actor.organisationId,
    detail,
  });
}

/** The event of an import batch's write: its id, the status it ended in, and its counts when it has them. */
export function batchEvent(
  action: Extract<AuditAction, `IMPORT_${string}`>,
  result: { batchId: number; status: string; counts?: { lines: number; errors: number; warnings: number }; total?: string },
): AuditEventInput {
  const { batchId, status, counts, total } = result;
  return { action, target: { kind: 'import_batch', id: batchId }, detail: { status, ...(counts ? { lines: counts.lines, errors: counts.errors, warnings: counts.warnings } : {}), ...(total ? { total } : {}) } };
}
