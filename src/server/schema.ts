import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { NonEmptyArray } from 'type-graphql';
import { ActionMutations } from '../action/action.mutations';
import { ActionResolver } from '../action/action.resolver';
import { OrientationActionsResolver } from '../action/orientation-actions.resolver';
import { AmendmentMutations } from '../contract-admin/amendment.mutations';
import { AmendmentResolver, ContractAmendmentsResolver } from '../amendment/amendment.resolver';
import { MeResolver } from '../auth/me.resolver';
import { ContractMutations } from '../contract-admin/contract.mutations';
import { AxisResolver, ContractResolver } from '../contract/contract.resolver';
import { OrganisationListResolver } from '../contract/organisation-list.resolver';
import { OrientationResolver } from '../contract/orientation.resolver';
import { StructureMutations } from '../contract/structure.mutations';
import { ActionListResolver } from '../funding/action-list.resolver';
import { CrossCheckResolver } from '../funding/cross-check.resolver';
import { FundingConflictResolver } from '../funding/funding-conflicts.resolver';
import { FundingTotalResolver } from '../funding/funding-totals.resolver';
import { FundingResolver, FundingSourceResolver } from '../funding/funding.resolver';
import { ActionFundingResolver, AxisFundingResolver, OrientationFundingResolver } from '../funding/structure-funding.resolver';
import { ManualFundingMutations } from '../funding/manual-funding.mutations';
import { ImportBatchLineageResolver } from '../import-batch/import-batch-lineage.resolver';
import { ImportBatchMutations } from '../import-batch/import-batch.mutations';
import { ImportBatchResolver } from '../import-batch/import-batch.resolver';
import { IndicatorMutations } from '../indicator/indicator.mutations';
import { IndicatorResolver } from '../indicator/indicator.resolver';
import { ActionIndicatorsResolver, OrientationIndicatorsResolver } from '../indicator/structure-indicators.resolver';
import { MeetingMutations } from '../meeting/meeting.mutations';
import { ActionDecisionsResolver, DecisionResolver, MeetingAgendaItemResolver, MeetingMemberResolver, MeetingResolver } from '../meeting/meeting.resolver';
import { ProgressResolver } from '../progress/progress.resolver';
import { OrganisationResolver } from '../organisation/organisation.resolver';
import { SavedReportResolver } from '../report/saved-report.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { TokenResolver } from '../auth/token.resolver';
import { RelanceAmountResolver, RelanceResolver } from '../relance/relance.resolver';
import { buildStreamlinedSchema } from './fast-resolvers';
import { preloadFields } from './preloaded-fields';
// Registers the kernel's enums with type-graphql: it must run before buildSchema.
import './graphql-enums';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  ContractResolver,
  ContractMutations,
  AxisResolver,
  OrientationResolver,
  StructureMutations,
  AmendmentMutations,
  AmendmentResolver,
  ContractAmendmentsResolver,
  ActionResolver,
  ActionListResolver,
  OrientationActionsResolver,
  ActionMutations,
  FundingResolver,
  ActionFundingResolver,
  AxisFundingResolver,
  OrientationFundingResolver,
  FundingSourceResolver,
  ManualFundingMutations,
  FundingConflictResolver,
  FundingTotalResolver,
  CrossCheckResolver,
  ImportBatchResolver,
  ImportBatchMutations,
  ImportBatchLineageResolver,
  IndicatorResolver,
  ActionIndicatorsResolver,
  OrientationIndicatorsResolver,
  IndicatorMutations,
  OrganisationResolver,
  OrganisationListResolver,
  ProgressResolver,
  MeResolver,
  SavedReportResolver,
  AuditResolver,
  TokenResolver,
  RelanceResolver,
  RelanceAmountResolver,
  MeetingResolver,
  MeetingMutations,
  MeetingMemberResolver,
  MeetingAgendaItemResolver,
  DecisionResolver,
  ActionDecisionsResolver,
];

let schema: Promise<GraphQLSchema> | undefined;

/**
 * The schema is built once per process: type-graphql's metadata is global. With the fast resolvers
 * (fast-resolvers.ts): a global middleware or a custom container is refused at build. The relations read
 * with their rows are property reads (preloaded-fields.ts).
 */
export function getSchema(): Promise<GraphQLSchema> {
  schema ??= buildStreamlinedSchema({ resolvers: RESOLVERS, validate: false }).then((built) => preloadFields(built));
  return schema;
}

/** The SDL committed as schema/schema.graphql: sorted, so that it only changes when the schema does. */
export async function printSchemaFile(): Promise<string> {
  return printSchema(lexicographicSortSchema(await getSchema())) + '\n';
}
