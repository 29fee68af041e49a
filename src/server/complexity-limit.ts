import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import {
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
  type ComplexityEstimator,
  type ComplexityEstimatorArgs,
} from 'graphql-query-complexity';

/**
 * Most work one request may ask for: every field costs 1, lists cost their (page or assumed) size times
 * one element, and fields that compute over a whole application or stage cost what that work is worth.
 * One page of 1,000 tasks with every metric costs about 60,000.
 */
export const MAX_QUERY_COMPLEXITY = 100_000;

/** Cost from which a query counts as expensive for the per-client rate limit. */
const EXPENSIVE_QUERY_COST = 10_000;

/** How one field is costed: its own work plus its children's, times how many elements it returns. */
type FieldCost = (args: Record<string, unknown>, childComplexity: number) => number;

/** A list whose size the query sets (`first`), capped at the largest size its validation accepts. */
const paged = (argument: string, fallback: number, max: number): FieldCost => (args, child) =>
  1 + Math.min(Math.max(Number(args[argument] ?? fallback) || fallback, 1), max) * Math.max(child, 1);

/** A list whose size the data sets: costed at a size a large application reaches. */
const listOf = (assumedSize: number, ownCost = 1): FieldCost => (_args, child) => ownCost + assumedSize * Math.max(child, 1);

/** A field that computes over a whole application or stage (reads every task): a fixed cost plus its children. */
const work = (cost: number): FieldCost => (_args, child) => cost + child;

function lengthOf(value: unknown, fallback: number): number {
  return Array.isArray(value) ? value.length : fallback;
}

/**
 * What each field costs when not 1 + its children. Sizes assumed for unpaged lists are those of a large
 * application (hundreds of stages and jobs); the fixed costs were set from measurements of the expensive
 * fields: a simulation replays every task of the application for each executor count (about 15 MB and
 * 0.2 s on a 13,504-task log), a task summary sorts every metric of a stage's tasks.
 */
export const FIELD_COSTS: Readonly<Record<string, FieldCost>> = {
  'Query.applications': paged('first', 20, 100),
  'Query.simulateShape': work(1_000),
  // Both read every stage and job of two runs, or costs of every stored run: whole-database work.
  'Query.compareApplications': work(2_000),
  'Query.fleet': work(5_000),
  'Application.cost': work(200),
  'Mutation.runScenario': work(1_000),
  'Mutation.analyzeNotebook': work(2_000),
  'Mutation.uploadEventLog': work(5_000),
  'Application.stages': listOf(100),
  'Application.jobs': listOf(100),
  'Application.executors': listOf(50),
  'Application.sqlExecutions': listOf(50),
  'Application.insights': paged('first', 50, 500),
  'Application.dag': work(100),
  'Application.simulation': (args, child) => 2_000 + 1_000 * lengthOf(args.executorCounts, 8) + child,
  'Job.stages': listOf(20),
  'Stage.attempts': listOf(4),
  'Stage.insights': listOf(10),
  'Stage.tasks': (args, child) => 20 + paged('first', 100, 1000)(args, child),
  'Stage.taskSummary': (args, child) => 500 + 50 * lengthOf(args.quantiles, 5) + child,
  'SqlExecution.plan': work(100),
  'SqlExecution.insights': listOf(10),
  'SqlPlan.nodes': listOf(50),
  'SqlPlan.edges': listOf(50),
  'SqlPlanNode.metrics': listOf(5),
  'StageGraph.nodes': listOf(100),
  'StageGraph.edges': listOf(100),
};

/** The estimator reading {@link FIELD_COSTS}; fields not in it fall through to the next estimator. */
function fieldCostEstimator(costs: Readonly<Record<string, FieldCost>> = FIELD_COSTS): ComplexityEstimator {
  return ({ type, field, args, childComplexity }: ComplexityEstimatorArgs) => {
    const cost = costs[`${type.name}.${field.name}`];
    return cost ? cost(args, childComplexity) : undefined;
  };
}

/** Options of the complexity plugin. */
export interface ComplexityLimitOptions {
  maximum?: number;
  /** Called with the request's context for a query costing EXPENSIVE_QUERY_COST or more; may throw (rate limit). */
  onExpensive?: (context: unknown, cost: number) => void;
}

/**
 * Apollo plugin that refuses an operation whose estimated cost passes {@link MAX_QUERY_COMPLEXITY}, before
 * any resolver runs, with a message that says the cost and the limit.
 */
export function complexityLimitPlugin(schema: GraphQLSchema, options: ComplexityLimitOptions = {}): ApolloServerPlugin {
  const maximum = options.maximum ?? MAX_QUERY_COMPLEXITY;
  // The estimators hold no per-request state: built once, not for every request.
  const estimators = [fieldCostEstimator(), fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })];
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, contextValue }) {
          // Variables that do not fit their types are Apollo's to reject (BAD_USER_INPUT) when it executes;
          // getComplexity would throw on them first and the error would surface as an internal one.
          if (!operation || !variablesAreValid(schema, operation, request.variables)) return;
          const complexity = getComplexity({
            schema,
            query: document,
            operationName: request.operationName,
            variables: request.variables,
            estimators,
          });
          if (complexity > maximum) {
            throw new GraphQLError(
              `Query is too complex: its estimated cost is ${complexity}, the limit is ${maximum}. ` +
                'Ask for fewer fields, fewer aliases or smaller pages (first:); simulations and task summaries cost ' +
                'the most.',
              // Refused before anything ran: the client's request, not the server, is at fault (400, not 500).
              { extensions: { code: 'BAD_USER_INPUT', http: { status: 400, headers: new Map() } } },
            );
          }
          if (complexity >= EXPENSIVE_QUERY_COST) options.onExpensive?.(contextValue, complexity);
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
