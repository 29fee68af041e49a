import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/**
 * Most work one request may ask for: every field costs 1, paged lists cost their page size times a node.
 * A full page of 1,000 tasks with every metric costs about 60,000; pages of pages (every task of every
 * stage of 100 applications) go far over.
 */
export const MAX_QUERY_COMPLEXITY = 100_000;

/**
 * Apollo plugin that refuses an operation whose estimated cost passes {@link MAX_QUERY_COMPLEXITY}, before
 * any resolver runs, with a message that says the cost and the limit.
 */
export function complexityLimitPlugin(schema: GraphQLSchema, maximum = MAX_QUERY_COMPLEXITY): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          // Variables that do not fit their types are Apollo's to reject (BAD_USER_INPUT) when it executes;
          // getComplexity would throw on them first and the error would surface as an internal one.
          if (!operation || !variablesAreValid(schema, operation, request.variables)) return;
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

function variablesAreValid(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): boolean {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  return result.errors === undefined;
}
