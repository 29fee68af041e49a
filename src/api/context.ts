import type { Logger } from 'pino';
import type { ApiTokenStore } from '../auth/api-tokens.js';
import type { LearnerSession } from '../auth/learner-session.js';
import type { Principal } from '../auth/roles.js';
import type { Config } from '../config.js';
import type { LogDirectoryWatcher } from '../ingest/log-directory-watcher.js';
import type { ProgressStore } from '../learning/progress/progress-store.js';
import type { AnalysisDatabase } from '../store/database.js';

/** Per-request batch loaders, created lazily by domain modules so a request never repeats a lookup. */
export class RequestLoaders {
  private readonly loaders = new Map<string, unknown>();

  /** The loader registered under `key`, created by `create` on first use in this request. */
  get<T>(key: string, create: () => T): T {
    let loader = this.loaders.get(key) as T | undefined;
    if (loader === undefined) {
      loader = create();
      this.loaders.set(key, loader);
    }
    return loader;
  }
}

/** What every resolver receives. */
export interface ApiContext {
  db: AnalysisDatabase;
  config: Config;
  logger: Logger;
  loaders: RequestLoaders;
  /** Who is asking: signed-in user or anonymous learner; `learnerId()` is the only key to progress. */
  learner: LearnerSession;
  /** Learners' progress (its own DuckDB); always pass `await learner.learnerId()`, never a client-supplied id. */
  progress: ProgressStore;
  /** Who is asking for analysis data and with which role (AUTH_MODE); checked before any resolver runs. */
  principal: Principal;
  /** API tokens (AUTH_MODE=token), kept in the progress database. */
  tokens: ApiTokenStore;
  /** Whom rate limits count against: the token or account, else the client's address. */
  client: string;
  /** The LOG_DIRECTORY feed; null (or absent) when no directory is watched. */
  logDirectory?: LogDirectoryWatcher | null;
}
