import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { rememberingValidator } from './common/validate-args.js';
import { ApplicationResolver } from './applications/application.resolver.js';
import { ApiTokenResolver } from './auth/api-token.resolver.js';
import { ComparisonResolver } from './comparison/comparison.resolver.js';
import { ApplicationCostResolver, FleetResolver } from './fleet/fleet.resolver.js';
import { AuthResolver } from './auth/auth.resolver.js';
import { EnvironmentResolver } from './environment/environment.resolver.js';
import { ExecutorResolver } from './executors/executor.resolver.js';
import { ApplicationJobsResolver } from './jobs/application-jobs.resolver.js';
import { JobResolver } from './jobs/job.resolver.js';
import { SqlExecutionPlanDescriptionResolver, SqlExecutionResolver } from './sql/sql-execution.resolver.js';
import { ApplicationStagesResolver } from './stages/application-stages.resolver.js';
import { StageResolver } from './stages/stage.resolver.js';
import { StageTasksResolver } from './tasks/stage-tasks.resolver.js';
import {
  ApplicationInsightsResolver,
  SqlExecutionInsightsResolver,
  StageInsightsResolver,
} from './insights/insight.resolver.js';
import { SqlPlanResolver } from './sql/sql-plan.resolver.js';
import { ApplicationSimulationResolver } from './simulation/simulation.resolver.js';
import { ShapeResolver } from './shape/shape.resolver.js';
import { UploadResolver } from './uploads/upload.resolver.js';
import { LogDirectoryResolver } from './log-directory/log-directory.resolver.js';
import { NotebookResolver } from './notebook/notebook.resolver.js';
import { scenarioCatalog } from '../learning/scenarios/catalog.js';
import { ProgressResolver } from './learning/progress.resolver.js';
import { IngestProgressResolver } from './uploads/ingest-progress.resolver.js';
import { ScenarioLogResolver, ScenarioResolver, ScenarioRunResolver } from './learning/scenario.resolver.js';

/** Every resolver of the API, one or more per domain module; a new module registers here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  ApplicationResolver,
  UploadResolver,
  IngestProgressResolver,
  LogDirectoryResolver,
  ExecutorResolver,
  EnvironmentResolver,
  SqlExecutionResolver,
  SqlExecutionPlanDescriptionResolver,
  ApplicationJobsResolver,
  JobResolver,
  ApplicationStagesResolver,
  StageResolver,
  StageTasksResolver,
  ApplicationInsightsResolver,
  StageInsightsResolver,
  SqlExecutionInsightsResolver,
  SqlPlanResolver,
  ApplicationSimulationResolver,
  NotebookResolver,
  ShapeResolver,
  AuthResolver,
  ApiTokenResolver,
  ScenarioResolver,
  ScenarioLogResolver,
  ScenarioRunResolver,
  ProgressResolver,
  ComparisonResolver,
  ApplicationCostResolver,
  FleetResolver,
];

/** Builds the executable schema from the resolver classes (code first), with argument validation on. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  // The scenario files are validated here, at start-up: a bad one stops the server with its file and path named.
  scenarioCatalog();
  return buildSchema({
    resolvers,
    // class-validator on every argument object, each distinct valid value checked once (validate-args.ts).
    validateFn: rememberingValidator({ forbidUnknownValues: false }),
  });
}
