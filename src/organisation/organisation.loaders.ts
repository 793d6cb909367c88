import { DataSource, In } from 'typeorm';
import { byIdLoader, groupLoader } from '../common/batch-loader';
import { OrganisationAlias } from './organisation-alias.entity';
import { Organisation } from './organisation.entity';

export function createOrganisationLoaders(dataSource: DataSource) {
  const organisations = dataSource.getRepository(Organisation);
  return {
    organisationById: byIdLoader((ids) => organisations.find({ where: { id: In([...ids]) } })),
    aliasesByOrganisation: groupLoader(
      (ids) => dataSource.getRepository(OrganisationAlias).find({ where: { organisationId: In([...ids]) }, order: { id: 'ASC' } }),
      (alias) => alias.organisationId,
    ),
    childrenByOrganisation: groupLoader(
      (ids) => organisations.find({ where: { parentId: In([...ids]) }, order: { name: 'ASC' } }),
      (organisation) => organisation.parentId!,
    ),
  };
}
