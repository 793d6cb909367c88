import type DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { anyId, byIdLoader, groupLoader } from '../common/batch-loader';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { OrganisationAlias } from './organisation-alias.entity';
import { Organisation } from './organisation.entity';

export interface OrganisationLoaders {
  organisationById: DataLoader<number, Organisation | null>;
  aliasesByOrganisation: DataLoader<number, OrganisationAlias[]>;
  communesByEpci: DataLoader<number, Organisation[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends OrganisationLoaders {}
}

export function createOrganisationLoaders(dataSource: DataSource): OrganisationLoaders {
  const organisations = dataSource.getRepository(Organisation);
  return {
    organisationById: byIdLoader((ids) => organisations.find({ where: { id: anyId(dataSource, ids) } })),
    aliasesByOrganisation: groupLoader(
      (ids) => dataSource.getRepository(OrganisationAlias).find({ where: { organisationId: anyId(dataSource, ids) }, order: { id: 'ASC' } }),
      (alias) => alias.organisationId,
    ),
    /** The communes of EPCIs (other bodies attached to an EPCI, such as its tourist office, are not members). */
    communesByEpci: groupLoader(
      (ids) => organisations.find({ where: { parentId: anyId(dataSource, ids), kind: OrganisationKind.COMMUNE }, order: { name: 'ASC' } }),
      (organisation) => organisation.parentId!,
    ),
  };
}
