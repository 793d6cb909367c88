import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { ApiToken } from './api-token.entity';
import { Identity } from '../request/identity';
import { Role } from '../kernel/role.enum';
import { AuditHook } from '../audit/audit.service';
import { contractScope } from './contract-scope';

const TOKEN_PREFIX = 'crte_';

export class InvalidTokenError extends Error {
  constructor() {
    super('Jeton d’accès invalide ou révoqué.');
  }
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Creates a token and returns its secret, which is shown once and never stored. */
export async function createToken(
  dataSource: DataSource,
  input: { name: string; role: Role; organisationId: number | null },
  audit?: AuditHook<ApiToken>,
): Promise<{ secret: string; token: ApiToken }> {
  const secret = TOKEN_PREFIX + randomBytes(24).toString('base64url');
  const token = dataSource.getRepository(ApiToken).create({
    name: input.name,
    role: input.role,
    organisationId: input.organisationId,
    tokenHash: hashToken(secret),
    tokenPrefix: secret.slice(0, 12),
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
  });
  await dataSource.transaction(async (manager) => {
    await manager.getRepository(ApiToken).save(token);
    await audit?.(manager, token);
  });
  return { secret, token };
}

/**
 * Revokes a token at once: every request reads the token row afresh (no cache), so the next one is
 * refused. Conditional on `revoked_at IS NULL`, so that two revocations record one; null when no such token.
 */
export async function revokeToken(
  dataSource: DataSource,
  id: number,
  audit?: AuditHook<ApiToken>,
): Promise<{ token: ApiToken; alreadyRevoked: boolean } | null> {
  return dataSource.transaction(async (manager) => {
    const repository = manager.getRepository(ApiToken);
    const result = await repository.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    const token = await repository.findOne({ where: { id } });
    if (!token) return null;
    if (!result.affected) return { token, alreadyRevoked: true };
    await audit?.(manager, token);
    return { token, alreadyRevoked: false };
  });
}

/** Resolves an `Authorization: Bearer …` header; no header means anonymous, a bad token is refused. */
export async function authenticate(dataSource: DataSource, authorization: string | undefined): Promise<Identity | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new InvalidTokenError();
  const hash = hashToken(match[1]);
  const token = await dataSource.getRepository(ApiToken).findOne({ where: { tokenHash: hash, revokedAt: IsNull() } });
  // Why the indexed lookup is no timing oracle: the database compares SHA-256 digests, not secrets. How
  // long it takes can at best tell how many leading bytes of the *digest* a guess shares with a stored
  // one, and choosing a guess whose digest starts a certain way gives no control over the secret (a
  // preimage problem); the secret itself has 192 random bits. Nothing in JavaScript compares secrets or
  // digests with ===: the digest found is checked again with timingSafeEqual (both are 32 bytes).
  if (!token || !tokenHashMatches(token.tokenHash, hash)) throw new InvalidTokenError();
  await touchLastUsed(dataSource, token);
  const contractIds = await contractScope(dataSource.manager, token);
  return { tokenId: token.id, name: token.name, role: token.role, organisationId: token.organisationId, contractIds };
}

/** Constant-time equality of two hex SHA-256 digests; false (not a throw) when the lengths differ. */
export function tokenHashMatches(stored: string, computed: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(computed, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/** Records when a token was last used, at most once a minute, so that reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

async function touchLastUsed(dataSource: DataSource, token: ApiToken): Promise<void> {
  const now = new Date();
  if (token.lastUsedAt && now.getTime() - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  await dataSource.getRepository(ApiToken).update(token.id, { lastUsedAt: now });
}
