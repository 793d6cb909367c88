import { EntityManager } from 'typeorm';
import { Role } from '../kernel/role.enum';

/**
 * Which contracts a token sees, decided here only (authenticate() stores it in the Identity): an admin, or
 * a token tied to no organisation (a contract team's), sees every contract (null); an organisation's token
 * sees the contracts its organisation belongs to:
 *  - a party of the contract (signatory, partner, perimeter EPCI: contract_party),
 *  - a commune of its perimeter (its parent is a perimeter EPCI),
 *  - the maître d’ouvrage (lead) of one of its actions.
 * Funding lines do not make a member: a file naming a funder must not open the contract to it.
 */
export async function contractScope(manager: EntityManager, identity: { role: string; organisationId: number | null }): Promise<number[] | null> {
  if (identity.role === Role.ADMIN || identity.organisationId === null) return null;
  const rows: { contract_id: number | string }[] = await manager.query(
    `SELECT party.contract_id FROM contract_party party WHERE party.organisation_id = ?
     UNION SELECT party.contract_id FROM contract_party party JOIN organisation commune ON commune.parent_id = party.organisation_id
       WHERE party.role = 'PERIMETER' AND commune.id = ?
     UNION SELECT action.contract_id FROM action WHERE action.lead_id = ?`,
    [identity.organisationId, identity.organisationId, identity.organisationId],
  );
  return [...new Set(rows.map((row) => Number(row.contract_id)))].sort((a, b) => a - b);
}
