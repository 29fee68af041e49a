/**
 * Run in a child process (through jiti) by tests that kill an ingest: `ingest-child.ts DB LOG`. Ingests one
 * log into the database file with debug logs (one JSON line per stage) on stdout.
 */
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { AnalysisDatabase } from '../../src/store/database.js';

const [dbPath, logPath] = process.argv.slice(2);
const database = await AnalysisDatabase.open(dbPath!, { memoryLimit: '256MB', threads: 1 });
process.stdout.write('{"msg":"opened"}\n');
await ingestPaths(database, [logPath!]);
database.close();
