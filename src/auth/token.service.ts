import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { ApiToken } from './api-token.entity';
import { Identity } from './identity';
import { Role } from './role.enum';

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
  await dataSource.getRepository(ApiToken).save(token);
  return { secret, token };
}

/** Resolves an `Authorization: Bearer …` header; no header means anonymous, a bad token is refused. */
export async function authenticate(dataSource: DataSource, authorization: string | undefined): Promise<Identity | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new InvalidTokenError();
  const hash = hashToken(match[1]);
  const token = await dataSource.getRepository(ApiToken).findOne({ where: { tokenHash: hash, revokedAt: IsNull() } });
  // The lookup is by hash, so timing reveals nothing of the secret; compare again in constant time anyway.
  if (!token || !timingSafeEqual(Buffer.from(token.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) throw new InvalidTokenError();
  await touchLastUsed(dataSource, token);
  return { tokenId: token.id, name: token.name, role: token.role, organisationId: token.organisationId };
}

/** Records when a token was last used, at most once a minute, so that reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

async function touchLastUsed(dataSource: DataSource, token: ApiToken): Promise<void> {
  const now = new Date();
  if (token.lastUsedAt && now.getTime() - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  await dataSource.getRepository(ApiToken).update(token.id, { lastUsedAt: now });
}
