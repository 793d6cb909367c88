import { ClassType, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Action } from '../action/action.entity';
import { Axis } from '../contract/axis.entity';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { RequestContext } from '../request/context';
import { FundingGroup } from './funding-group';

// Apart from funding-group.ts, which the loaders and services use: the fields read through the request's
// loaders need the request context, and the loaders must not depend on it.

/** The object fields of a group type, shared by every type that extends FundingGroup. */
export function createFundingGroupResolver<T extends FundingGroup>(groupType: ClassType<T>) {
  @Resolver(() => groupType)
  abstract class FundingGroupResolver {
    @FieldResolver(() => Contract, { nullable: true })
    contract(@Root() group: FundingGroup, @Ctx() { loaders }: RequestContext) {
      return group.contractId ? loaders.contractById.load(group.contractId) : null;
    }

    @FieldResolver(() => Axis, { nullable: true })
    axis(@Root() group: FundingGroup, @Ctx() { loaders }: RequestContext) {
      return group.axisId ? loaders.axisById.load(group.axisId) : null;
    }

    @FieldResolver(() => Orientation, { nullable: true })
    orientation(@Root() group: FundingGroup, @Ctx() { loaders }: RequestContext) {
      return group.orientationId ? loaders.orientationById.load(group.orientationId) : null;
    }

    @FieldResolver(() => Action, { nullable: true })
    action(@Root() group: FundingGroup, @Ctx() { loaders }: RequestContext) {
      return group.actionId ? loaders.actionById.load(group.actionId) : null;
    }

    @FieldResolver(() => Organisation, { nullable: true })
    funder(@Root() group: FundingGroup, @Ctx() { loaders }: RequestContext) {
      return group.funderId ? loaders.organisationById.load(group.funderId) : null;
    }

    @FieldResolver(() => Programme, { nullable: true })
    programme(@Root() group: FundingGroup, @Ctx() { loaders }: RequestContext) {
      return group.programmeId ? loaders.programmeById.load(group.programmeId) : null;
    }

    @FieldResolver(() => Organisation, { nullable: true })
    beneficiary(@Root() group: FundingGroup, @Ctx() { loaders }: RequestContext) {
      return group.beneficiaryId ? loaders.organisationById.load(group.beneficiaryId) : null;
    }

    @FieldResolver(() => Organisation, { nullable: true, description: 'EPCI du périmètre' })
    territory(@Root() group: FundingGroup, @Ctx() { loaders }: RequestContext) {
      return group.territoryId ? loaders.organisationById.load(group.territoryId) : null;
    }
  }
  return FundingGroupResolver;
}
