import { DataSource } from 'typeorm';
import { ActionLoaders, createActionLoaders } from '../action/action.loaders';
import { ContractLoaders, createContractLoaders } from '../contract/contract.loaders';
import { createFundingLoaders, FundingLoaders } from '../funding/funding.loaders';
import { createIndicatorLoaders, IndicatorLoaders } from '../indicator/indicator.loaders';
import { createOrganisationLoaders, OrganisationLoaders } from '../organisation/organisation.loaders';

/**
 * The request's loaders, declared: each domain states its own (its *.loaders.ts), and none of them may
 * import the request context, which holds this interface.
 */
export interface Loaders extends ContractLoaders, OrganisationLoaders, ActionLoaders, FundingLoaders, IndicatorLoaders {}

/** Built once per request, so that caches never outlive it nor leak between users. */
export function createLoaders(dataSource: DataSource): Loaders {
  return {
    ...createContractLoaders(dataSource),
    ...createOrganisationLoaders(dataSource),
    ...createActionLoaders(dataSource),
    ...createFundingLoaders(dataSource),
    ...createIndicatorLoaders(dataSource),
  };
}
