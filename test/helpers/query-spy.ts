import { vi } from 'vitest';
import { AnalysisDatabase } from '../../src/store/database.js';

/**
 * Records the SQL of every query made through `database` or any handle of it (the server gives each request its
 * own, see AnalysisDatabase.forRequest), until `restore`.
 */
export function spyOnQueries(database: AnalysisDatabase): { sql: () => string[]; restore: () => void } {
  const query = vi.spyOn(AnalysisDatabase.prototype, 'query');
  return {
    sql: () => query.mock.calls.filter((_, i) => (query.mock.contexts[i] as AnalysisDatabase).base === database).map(([sql]) => sql),
    restore: () => query.mockRestore(),
  };
}
