import { Role } from '../kernel/role.enum';

/** Who is asking: resolved from the bearer token once per request. */
export interface Identity {
  tokenId: number;
  name: string;
  role: Role;
  organisationId: number | null;
}
