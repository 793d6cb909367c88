import type { FormattedExecutionResult } from 'graphql';

/**
 * Runs a GraphQL operation through the same Apollo server as `/graphql` — the same validation, plugins and
 * limits — in the name of the caller whose `Authorization` header is given.
 */
export type GraphQLRunner = (request: {
  query: string;
  variables?: Record<string, unknown>;
  authorization?: string;
}) => Promise<FormattedExecutionResult>;
