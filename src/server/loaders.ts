import { DataSource } from 'typeorm';
import { createActionLoaders } from '../action/action.loaders';
import { createAmendmentLoaders } from '../amendment/amendment.loaders';
import { createContractLoaders } from '../contract/contract.loaders';
import { createActionFundingLoaders } from '../funding/action-funding.loaders';
import { createFundingLoaders } from '../funding/funding.loaders';
import { createIndicatorLoaders } from '../indicator/indicator.loaders';
import { createMeetingLoaders } from '../meeting/meeting.loaders';
import { createOrganisationLoaders } from '../organisation/organisation.loaders';
import { Loaders } from '../request/context';

/** Built once per request, so that caches never outlive it nor leak between users. */
export function createLoaders(dataSource: DataSource): Loaders {
  return {
    ...createContractLoaders(dataSource),
    ...createOrganisationLoaders(dataSource),
    ...createActionLoaders(dataSource),
    ...createFundingLoaders(dataSource),
    ...createActionFundingLoaders(dataSource),
    ...createIndicatorLoaders(dataSource),
    ...createMeetingLoaders(dataSource),
    ...createAmendmentLoaders(dataSource),
  };
}
