import { AuthChecker } from 'type-graphql';
import { RequestContext } from '../server/context';
import { Role } from './role.enum';

/**
 * `@Authorized(...roles)`: the request must carry a valid token whose role is listed (any role when
 * none is). Which organisation's data an editor may touch is checked where the data is known.
 */
export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  const identity = context.identity;
  if (!identity) return false;
  return roles.length === 0 || roles.includes(identity.role);
};
