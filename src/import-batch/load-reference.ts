import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Action } from '../action/action.entity';
import { ContractParty } from '../contract/contract-party.entity';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { Contract } from '../contract/contract.entity';
import { Indicator } from '../indicator/indicator.entity';
import { Orientation } from '../contract/orientation.entity';
import { Axis } from '../contract/axis.entity';
import { Amendment } from '../amendment/amendment.entity';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { OrganisationAlias } from '../organisation/organisation-alias.entity';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { ContractReference } from '../../import/resolve/contract-reference';

/** Loads, in a handful of statements, everything the resolve stage needs to know of a contract. */
export async function loadContractReference(db: DataSource | EntityManager, contract: Contract): Promise<ContractReference> {
  const manager = 'manager' in db ? db.manager : db;
  const [axes, orientations, organisations, aliases, parties, programmes, actions, indicators, amendments] = await Promise.all([
    manager.find(Axis, { where: { contractId: contract.id }, order: { number: 'ASC' } }),
    manager.find(Orientation, { where: { contractId: contract.id }, order: { id: 'ASC' } }),
    manager.find(Organisation),
    manager.find(OrganisationAlias, { where: [{ contractId: IsNull() }, { contractId: contract.id }] }),
    manager.find(ContractParty, { where: { contractId: contract.id } }),
    manager.find(Programme),
    manager.find(Action, { where: { contractId: contract.id } }),
    manager.find(Indicator, { where: { contractId: contract.id }, select: { id: true, code: true, actionId: true, orientationId: true }, order: { id: 'ASC' } }),
    manager.find(Amendment, { where: { contractId: contract.id }, select: { id: true, number: true } }),
  ]);
  const amendmentNumber = new Map(amendments.map((amendment) => [amendment.id, amendment.number]));
  const byId = new Map(organisations.map((organisation) => [organisation.id, organisation]));
  const partyOfKind = (kind: OrganisationKind) => parties.map((party) => byId.get(party.organisationId)).find((organisation) => organisation?.kind === kind)?.id ?? null;
  return {
    contract: { id: contract.id, code: contract.code, startYear: contract.startYear, endYear: contract.endYear },
    orientations: orientations.map(({ id, code, title, axisId, parentId, closedOn, closedByAmendmentId }) => ({
      id,
      code,
      title,
      axisId,
      parentId,
      closedOn,
      closedBy: closedByAmendmentId === null ? null : (amendmentNumber.get(closedByAmendmentId) ?? null),
    })),
    axes: axes.map((axis) => ({ id: axis.id, code: axis.code ?? String(axis.number), title: axis.title })),
    organisations: organisations.map(({ id, name, shortName, kind, siren, inseeCode, parentId }) => ({ id, name, shortName, kind, siren, inseeCode, parentId })),
    aliases: aliases.map(({ organisationId, contractId, normalised }) => ({ organisationId, contractId, normalised })),
    perimeterEpciIds: parties.filter((party) => party.role === ContractPartyRole.PERIMETER).map((party) => party.organisationId),
    regionId: partyOfKind(OrganisationKind.REGION),
    departmentId: partyOfKind(OrganisationKind.DEPARTMENT),
    stateId: partyOfKind(OrganisationKind.STATE),
    programmes: programmes.map(({ id, code, name, operatorId }) => ({ id, code, name, operatorId })),
    actions: actions.map(({ id, code, title, normalisedTitle, leadId, totalCost, status, orientationId, startDate, endDate }) => ({
      id,
      code,
      title,
      normalisedTitle,
      leadId,
      totalCost,
      status,
      orientationId,
      startDate,
      endDate,
    })),
    indicators: indicators.map(({ code, actionId, orientationId }) => ({ code, actionId, orientationId })),
  };
}

