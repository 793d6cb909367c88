import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLSchema } from 'graphql';

/**
 * How Apollo executes operations.
 *
 * Apollo's cache-control plugin, on by default, runs a hook at every field of every answer, and makes
 * Apollo wrap every resolver of the schema for it: on the nested query of bench:reports (~1 M fields)
 * that was a fifth of the execution time. The API sets no cache hint, so all it did was answer
 * `cache-control: no-store`: it is replaced by that header alone.
 */
export interface Execution {
  /** Spread into ApolloServer's options. */
  options: { schema: GraphQLSchema };
  plugins: ApolloServerPlugin[];
}

export function graphqlExecution<TContext extends object>(schema: GraphQLSchema): Execution {
  return { options: { schema }, plugins: [ApolloServerPluginCacheControlDisabled(), noStorePlugin<TContext>()] as ApolloServerPlugin[] };
}

function noStorePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}
