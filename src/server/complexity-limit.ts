import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/** Most work one request may ask for: every field costs 1, list fields cost what their `complexity` says. */
export const MAX_QUERY_COMPLEXITY = 5000;

/**
 * Apollo plugin that refuses an operation whose estimated cost passes {@link MAX_QUERY_COMPLEXITY}, before
 * any resolver runs, with a message that says the cost and the limit.
 */
export function complexityLimitPlugin(schema: GraphQLSchema, maximum = MAX_QUERY_COMPLEXITY): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const complexity = getComplexity({
            schema,
            query: document,
            operationName: request.operationName,
            variables: request.variables,
            estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > maximum) {
            throw new GraphQLError(
              `Query is too complex: its estimated cost is ${complexity}, the limit is ${maximum}. ` +
                'Ask for fewer fields or smaller pages (first:).',
              { extensions: { code: 'BAD_USER_INPUT' } },
            );
          }
        },
      };
    },
  };
}
