import { GraphQLError } from 'graphql';
import { DataSource } from 'typeorm';
import { HttpError } from '../request/http-error';
import { contractRefusalMessage, mayAccessContract, requireWriter } from '../request/authorisation';
import { Identity } from '../request/identity';
import { Role } from '../kernel/role.enum';
import { authenticate, InvalidTokenError } from './token.service';

/**
 * The HTTP routes' side of authorisation.ts: the same rules and messages, as HttpErrors (401 without a
 * valid token, 403 for a role or organisation that may not do it).
 */

const BEARER_CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/** The caller of an HTTP route, or null when anonymous; a bad token is a 401. */
export async function authenticateHttp(dataSource: DataSource, authorization: string | undefined): Promise<Identity | null> {
  try {
    return await authenticate(dataSource, authorization);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new HttpError(401, error.message, undefined, BEARER_CHALLENGE);
    throw error;
  }
}

/** The message of GraphQL's refusal (server/app.ts buildContext), so that every door says the same. */
export const TOKEN_REQUIRED_MESSAGE = 'Un jeton d’accès est requis (en-tête « Authorization: Bearer … »).';

/**
 * The caller of a read route: a bad token is always a 401 (as in GraphQL); no token is a 401 only when
 * reads require one (READ_REQUIRES_TOKEN).
 */
export async function authenticateHttpReader(dataSource: DataSource, config: { readRequiresToken: boolean }, authorization: string | undefined): Promise<Identity | null> {
  const identity = await authenticateHttp(dataSource, authorization);
  if (config.readRequiresToken && !identity) throw new HttpError(401, TOKEN_REQUIRED_MESSAGE, undefined, BEARER_CHALLENGE);
  return identity;
}

/** A token that may write (admin or editor): 401 without one, 403 for a reader. */
export function requireHttpWriter(identity: Identity | null): Identity {
  try {
    return requireWriter({ identity });
  } catch (error) {
    if (error instanceof GraphQLError) {
      const unauthenticated = error.extensions.code === 'UNAUTHENTICATED';
      throw new HttpError(unauthenticated ? 401 : 403, error.message, undefined, unauthenticated ? BEARER_CHALLENGE : {});
    }
    throw error;
  }
}

/**
 * An import is written in the name of its source organisation: an admin imports for anyone, an editor
 * only files whose source is its own organisation.
 */
export function requireImportSource(identity: Identity, source: { id: number; name: string }): void {
  if (identity.role === Role.ADMIN) return;
  if (identity.organisationId === null) {
    throw new HttpError(403, `Le jeton d’éditeur « ${identity.name} » n’est rattaché à aucune organisation : il ne peut rien importer.`, 'source');
  }
  if (identity.organisationId !== source.id) {
    throw new HttpError(
      403,
      `Un éditeur ne peut importer que les fichiers de sa propre organisation : le jeton « ${identity.name} » ne permet pas d’importer au nom de « ${source.name} ».`,
      'source',
    );
  }
}

/** The HTTP form of requireContractAccess: 403 for a contract outside the token's scope. */
export function requireHttpContractAccess(identity: Identity | null, contract: { id: number; code: string }): void {
  if (!mayAccessContract({ identity }, contract.id)) throw new HttpError(403, contractRefusalMessage(identity, contract.code), 'contract');
}
