/** The progress store's public surface: what the scenario engine and the API use. */
export {
  ProgressStore,
  notStarted,
  type AttemptRecord,
  type GoogleProfile,
  type ScenarioProgress,
  type ScenarioStatus,
  type User,
} from './progress-store.js';
export { ProgressSchemaError } from './progress-database.js';
export { PROGRESS_SCHEMA_VERSION } from './progress-schema.js';
export { anonymousLearnerId, isAnonymousToken, newAnonymousToken, userLearnerId } from './learner-id.js';
