import { GraphQLError } from 'graphql';
import { RequestContext } from './context';
import { Identity } from './identity';
import { Role } from '../kernel/role.enum';

/** Only the identity matters here: services can be called with a bare `{ identity }`. */
export type AuthContext = Pick<RequestContext, 'identity'>;

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/** Any write needs a token whose role may write (admin or editor); returns who is writing. */
export function requireWriter(ctx: AuthContext): Identity {
  const identity = ctx.identity;
  if (!identity) throw unauthenticated("Un jeton d'accès est requis pour modifier les données.");
  if (identity.role !== Role.ADMIN && identity.role !== Role.EDITOR) {
    throw forbidden(`Le jeton « ${identity.name} » est en lecture seule : il ne permet pas de modifier les données.`);
  }
  return identity;
}

/** Writes no organisation owns (orientation-level data, for instance) are for administrators only. */
export function requireAdmin(ctx: AuthContext, why: string): Identity {
  const identity = requireWriter(ctx);
  if (identity.role !== Role.ADMIN) throw forbidden(`Réservé aux administrateurs : ${why}.`);
  return identity;
}

/**
 * An admin writes anything; an editor only data whose owner (an action's maître d’ouvrage) is its own
 * organisation. `why` completes the message, e.g. "l'action DA-01 a pour maître d’ouvrage CCCO".
 */
export function requireOrganisationWrite(ctx: AuthContext, organisationId: number | null, why?: string): Identity {
  const identity = requireWriter(ctx);
  if (identity.role === Role.ADMIN) return identity;
  if (identity.organisationId === null) {
    throw forbidden(`Le jeton d’éditeur « ${identity.name} » n’est rattaché à aucune organisation : il ne peut rien modifier.`);
  }
  if (organisationId === null) {
    throw forbidden(
      `Un éditeur ne peut modifier que les données dont son organisation est maître d’ouvrage ; ${why ?? "celles-ci n’ont pas de maître d’ouvrage"} (réservé aux administrateurs).`,
    );
  }
  if (organisationId !== identity.organisationId) {
    throw forbidden(
      `Un éditeur ne peut modifier que les données dont son organisation est maître d’ouvrage ; ${why ?? 'celles-ci relèvent d’une autre organisation'}.`,
    );
  }
  return identity;
}

/**
 * The contracts the caller may see, the one answer every contract-taking entry asks: null for every
 * contract (anonymous when reads are open, an admin, a token tied to no organisation), else the ids of the
 * contracts the token's organisation belongs to (docs/design.md, « Who may see which contract »).
 */
export function visibleContractIds(ctx: AuthContext): readonly number[] | null {
  return ctx.identity?.contractIds ?? null;
}

export function mayAccessContract(ctx: AuthContext, contractId: number): boolean {
  const ids = visibleContractIds(ctx);
  return ids === null || ids.includes(contractId);
}

/** The French refusal of a contract outside the caller's scope, shared by GraphQL (FORBIDDEN) and HTTP (403). */
export function contractRefusalMessage(identity: Pick<Identity, 'name'> | null, code: string): string {
  return `Le jeton « ${identity?.name ?? ''} » ne donne pas accès au contrat « ${code} » : son organisation n’est ni partie à ce contrat ni dans son périmètre.`;
}

/** FORBIDDEN unless the caller may see this contract. */
export function requireContractAccess(ctx: AuthContext, contract: { id: number; code: string }): void {
  if (!mayAccessContract(ctx, contract.id)) {
    throw new GraphQLError(contractRefusalMessage(ctx.identity, contract.code), { extensions: { code: 'FORBIDDEN', field: 'contract' } });
  }
}
