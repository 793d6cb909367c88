import { ActionStatus } from '../../src/kernel/action-status.enum';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';

/**
 * What the resolve stage knows of a contract: a plain snapshot loaded once per import
 * (src/import-batch/load-reference.ts), so that resolving is a pure function tested without a database.
 */
export interface ReferenceOrganisation {
  id: number;
  name: string;
  shortName: string | null;
  kind: OrganisationKind;
  siren: string | null;
  inseeCode: string | null;
  parentId: number | null;
}

export interface ReferenceAction {
  id: number;
  code: string;
  title: string;
  normalisedTitle: string;
  leadId: number | null;
  totalCost: string | null;
  status: ActionStatus;
  orientationId: number | null;
  /** ISO 'YYYY-MM-DD'. */
  startDate: string | null;
  endDate: string | null;
}

export interface ContractReference {
  contract: { id: number; code: string; startYear: number; endYear: number };
  /** Title and parent are loaded for a plan import (kind `plan`), which creates or renames the structure. */
  orientations: Array<{
    id: number;
    code: string;
    title?: string;
    axisId?: number;
    parentId?: number | null;
    /** Closed by an amendment on this date (AAAA-MM-JJ), that amendment's number: nothing new goes under it. */
    closedOn?: string | null;
    closedBy?: string | null;
  }>;
  /** The contract's axes (code as written, else the number), for a plan import. */
  axes?: Array<{ id: number; code: string; title: string }>;
  organisations: ReferenceOrganisation[];
  /** Normalised spellings: global ones (contractId null) and this contract's own. */
  aliases: Array<{ organisationId: number; contractId: number | null; normalised: string }>;
  /** The EPCIs of the perimeter. */
  perimeterEpciIds: number[];
  /** The contract's Région, Département and State, for generic funder columns. */
  regionId: number | null;
  departmentId: number | null;
  stateId: number | null;
  programmes: Array<{ id: number; code: string; name: string; operatorId: number | null }>;
  actions: ReferenceAction[];
  /** The contract's indicators and what each follows: who may write their values is its owner's lead. */
  indicators: ReferenceIndicator[];
}

export interface ReferenceIndicator {
  code: string;
  actionId: number | null;
  orientationId: number | null;
}
