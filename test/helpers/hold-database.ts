/**
 * Run in a child process (through jiti) by tests that need a database file held by another process:
 * `hold-database.ts DB [URL]`. Opens the file, records URL as the server serving it when given, prints
 * "ready" and holds the file until killed.
 */
import { writeServerFile } from '../../src/server/server-file.js';
import { AnalysisDatabase } from '../../src/store/database.js';

const [dbPath, url] = process.argv.slice(2);
// Kept referenced until killed: an unreferenced database may be collected, and its file let go, while the test runs.
const held = await AnalysisDatabase.open(dbPath!, { memoryLimit: '128MB', threads: 1 });
if (url) writeServerFile(dbPath!, url);
process.stdout.write('ready\n');
setInterval(() => held, 60_000);
