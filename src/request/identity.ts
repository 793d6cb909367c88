import { Role } from '../kernel/role.enum';

/** Who is asking: resolved from the bearer token once per request. */
export interface Identity {
  tokenId: number;
  name: string;
  role: Role;
  organisationId: number | null;
  /**
   * The contracts this identity may read and write (ids), decided once at authentication
   * (src/auth/contract-scope.ts); null: every contract (admin, or a token tied to no organisation; absent likewise).
   */
  contractIds?: readonly number[] | null;
}
