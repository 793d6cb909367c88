import { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { cachedAggregate } from './aggregate-cache';

/**
 * Query fields whose whole answer is cached like an aggregate, wrapped once in the built schema (their
 * resolvers live with their types; the cache is a concern of the server):
 *
 * - `actions` ordered by FUNDING_TOTAL or COVERAGE: the ordering sums every counted line of the stage
 *   (100 000 lines: tens of ms on SQLite) for a page of ten. The page (ids, totalCount, cursors) is
 *   cached, keyed by the filter's contract version and every argument; the fields of its actions
 *   (fundingTotal, lead…) are still resolved per request, through the request's loaders.
 */
const wrapped = new WeakSet<GraphQLSchema>();

export function cacheCostlyFields(schema: GraphQLSchema): void {
  if (wrapped.has(schema)) return;
  wrapped.add(schema);
  const actions = schema.getQueryType()?.getFields().actions;
  const resolve = actions?.resolve as GraphQLFieldResolver<unknown, { dataSource?: never }> | undefined;
  if (!actions || !resolve) return;
  actions.resolve = function cachedActions(source, args, context, info) {
    const order = (args as { orderBy?: { field?: string } | null }).orderBy?.field;
    const dataSource = context?.dataSource;
    if ((order !== 'FUNDING_TOTAL' && order !== 'COVERAGE') || !dataSource) return resolve.call(this, source, args, context, info);
    const contract = (args as { filter?: { contract?: string | null } | null }).filter?.contract ?? null;
    return cachedAggregate(dataSource, 'actionsByFunding', contract, args, async () => resolve.call(this, source, args, context, info));
  };
}
