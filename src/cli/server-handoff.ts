import { openAsBlob, statSync } from 'node:fs';
import { basename } from 'node:path';
import { BadInputError } from '../errors.js';
import type { IngestReport } from '../ingest/ingest-service.js';
import type { ServerFile } from '../server/server-file.js';

// The CLI replaces what it ingests again, with or without a server in between (an uploader token may only
// replace its own uploads; the server says so when it refuses).
const uploadMutation = `mutation CliUpload($file: Upload!) {
  uploadEventLog(file: $file, replace: true) {
    applications { id appId attemptId name completed sourceName eventsRead eventsSkipped }
    warnings { line message }
  }
}`;

interface UploadAnswer {
  data?: {
    uploadEventLog: {
      applications: Array<{
        id: string; appId: string; attemptId: string | null; name: string | null; completed: boolean;
        sourceName: string; eventsRead: number | string; eventsSkipped: number | string;
      }>;
      warnings: Array<{ line: number | null; message: string }>;
    };
  } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * Ingests `paths` through the server that owns the database (its uploadEventLog mutation), for a CLI run
 * while that server holds the file's lock. Files and zips only: a directory has to be zipped first.
 * `token` (SPARK_SWORD_TOKEN), when set, is sent as a bearer token.
 */
export async function ingestThroughServer(
  server: ServerFile,
  paths: readonly string[],
  token?: string,
): Promise<IngestReport> {
  const report: IngestReport = { applications: [], failures: [], skipped: [] };
  for (const path of paths) {
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      report.failures.push({ sourceName: path, error: new BadInputError(`${path} does not exist.`) });
      continue;
    }
    if (!isFile) {
      report.failures.push({
        sourceName: path,
        error: new BadInputError(
          `${path} is a directory, and the server at ${server.url} (pid ${server.pid}) holds the database: ` +
            'zip the directory and pass the zip, or stop the server and ingest again',
        ),
      });
      continue;
    }
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: uploadMutation, variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', await openAsBlob(path), basename(path));
    const headers: Record<string, string> = { 'apollo-require-preflight': 'true' };
    if (token) headers.authorization = `Bearer ${token}`;
    let answer: UploadAnswer;
    try {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', body: form, headers });
      answer = (await response.json()) as UploadAnswer;
    } catch (error) {
      report.failures.push({
        sourceName: path,
        error: new Error(`the server at ${server.url} did not answer: ${error instanceof Error ? error.message : String(error)}`),
      });
      continue;
    }
    const result = answer.data?.uploadEventLog;
    if (!result) {
      const first = answer.errors?.[0];
      const message = first?.message ?? 'the server answered without a result';
      const bad = first?.extensions?.code === 'BAD_USER_INPUT' || first?.extensions?.code === 'PAYLOAD_TOO_LARGE';
      report.failures.push({ sourceName: path, error: bad ? new BadInputError(message) : new Error(message) });
      continue;
    }
    result.applications.forEach((app, index) => {
      report.applications.push({
        appKey: app.id,
        appId: app.appId,
        attemptId: app.attemptId,
        name: app.name,
        completed: app.completed,
        sourceName: app.sourceName,
        eventsRead: Number(app.eventsRead),
        eventsSkipped: Number(app.eventsSkipped),
        skippedEventTypes: {},
        // The server reports an upload's warnings together: they are shown under its first application.
        warnings: index === 0 ? result.warnings : [],
      });
    });
  }
  return report;
}
