import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, NonEmptyArray } from 'type-graphql';
import { ActionResolver } from '../action/action.resolver';
import { authChecker } from '../auth/auth-checker';
import { AxisResolver, ContractResolver } from '../contract/contract.resolver';
import { OrientationResolver } from '../contract/orientation.resolver';
import { FundingResolver } from '../funding/funding.resolver';
import { IndicatorResolver } from '../indicator/indicator.resolver';
import { OrganisationResolver } from '../organisation/organisation.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  ContractResolver,
  AxisResolver,
  OrientationResolver,
  ActionResolver,
  FundingResolver,
  IndicatorResolver,
  OrganisationResolver,
];

let schema: Promise<GraphQLSchema> | undefined;

/** The schema is built once per process: type-graphql's metadata is global. */
export function getSchema(): Promise<GraphQLSchema> {
  schema ??= buildSchema({ resolvers: RESOLVERS, authChecker, authMode: 'error', validate: false });
  return schema;
}

/** The SDL committed as schema/schema.graphql: sorted, so that it only changes when the schema does. */
export async function printSchemaFile(): Promise<string> {
  return printSchema(lexicographicSortSchema(await getSchema())) + '\n';
}
