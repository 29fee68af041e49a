import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * Every /api/v1 answer, for every application of apache-spark/, spark4/ and vendors-and-workloads/, parses against
 * the response schema of history-server-openapi.yaml: the OpenAPI description third-party History Server clients
 * generate their models from. Each served path template is asked for every application (each job, SQL execution and
 * cached RDD; up to STAGES_PER_APP stages with their attempts, task summaries, task lists and task tables).
 */

const STAGES_PER_APP = 5;
const CONCURRENCY = 4;

interface OpenApi {
  paths: Record<string, { get?: { responses?: Record<string, { content?: Record<string, { schema?: object }> }> } }>;
  components: { schemas: Record<string, object> };
}

const spec = parseYaml(readFileSync(eventLogPath('history-server-openapi.yaml'), 'utf8')) as OpenApi;

/** A deep copy of a schema whose local `#/components/...` references point into the registered document. */
function relink(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(relink);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' ? `hs${value}` : relink(value)]),
  );
}

// OpenAPI 3.0 schemas: `nullable` is understood by Ajv; `format: int64`/`binary` name sizes, not text formats.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
ajv.addSchema({ $id: 'hs', components: relink(spec.components) as object });
const validators = new Map<string, ValidateFunction>();
function validatorFor(template: string): ValidateFunction {
  let validate = validators.get(template);
  if (!validate) {
    const schema = spec.paths[template]?.get?.responses?.['200']?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`history-server-openapi.yaml describes no JSON answer for GET ${template}`);
    validate = ajv.compile(relink(schema) as object);
    validators.set(template, validate);
  }
  return validate;
}

interface Probe {
  template: string;
  url: string;
}

let server: TestServer;
const answered = new Set<string>();
const violations: string[] = [];

async function check(probes: readonly Probe[]): Promise<unknown[]> {
  const bodies: unknown[] = new Array(probes.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const i = next++;
      const probe = probes[i]!;
      const response = await fetch(`${server.url}/api/v1${probe.url}`);
      const text = await response.text();
      if (response.status !== 200) {
        // A 404 History Server also gives (e.g. a task summary of a stage whose tasks reported nothing).
        expect(response.status, `${probe.url}: ${text}`).toBe(404);
        continue;
      }
      const body = JSON.parse(text) as unknown;
      bodies[i] = body;
      answered.add(probe.template);
      const validate = validatorFor(probe.template);
      if (!validate(body)) {
        violations.push(`${probe.url}: ${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 600)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return bodies;
}

interface AppInfo {
  id: string;
  attempts: Array<{ attemptId?: string }>;
}

beforeAll(async () => {
  server = await startTestServer();
  const logs = [
    ...readdirSync(eventLogPath('apache-spark')).map((name) => eventLogPath('apache-spark', name)),
    ...readdirSync(eventLogPath('spark4')).filter((name) => name.endsWith('.zstd')).map((name) => eventLogPath('spark4', name)),
    // Vendor builds and workloads (Databricks, EMR, Dataproc, GPU, UDFs, JDBC...): fields Spark's own logs never fill.
    ...['clusters', 'platforms', 'workloads'].flatMap((folder) =>
      readdirSync(eventLogPath('vendors-and-workloads', folder)).map((name) => eventLogPath('vendors-and-workloads', folder, name))),
  ];
  const report = await ingestPaths(server.temp.database, logs);
  expect(report.failures).toEqual([]);
}, 180_000);
afterAll(async () => server?.close());

describe('every /api/v1 answer parses against history-server-openapi.yaml', () => {
  it('for every application of apache-spark/, spark4/ and vendors-and-workloads/', async () => {
    const [apps] = (await check([
      { template: '/applications', url: '/applications' },
      { template: '/version', url: '/version' },
    ])) as [AppInfo[]];
    expect(apps.length).toBeGreaterThanOrEqual(19);

    for (const app of apps) {
      const bases = app.attempts.map((attempt) =>
        attempt.attemptId === undefined
          ? { template: '/applications/{appId}', url: `/applications/${app.id}` }
          : { template: '/applications/{appId}/{attemptId}', url: `/applications/${app.id}/${attempt.attemptId}` },
      );
      await check([{ template: '/applications/{appId}', url: `/applications/${app.id}` }, ...bases.filter((b) => b.template.endsWith('{attemptId}'))]);
      for (const base of bases) {
        const at = (path: string, url: string): Probe => ({ template: `${base.template}${path}`, url: `${base.url}${url}` });
        const [jobs, stages, rdds, sql] = (await check([
          at('/jobs', '/jobs'),
          at('/stages', '/stages'),
          at('/storage/rdd', '/storage/rdd'),
          at('/sql', '/sql'),
          at('/stages', '/stages?details=true'),
          at('/stages', '/stages?details=true&taskStatus=FAILED'),
          at('/executors', '/executors'),
          at('/allexecutors', '/allexecutors'),
          at('/allmiscellaneousprocess', '/allmiscellaneousprocess'),
          at('/environment', '/environment'),
        ])) as [Array<{ jobId: number }>, Array<{ stageId: number; attemptId: number; numTasks: number }>, Array<{ id: number }>, Array<{ id: number }>];
        const stageIds = [...new Set(stages.map((stage) => stage.stageId))].slice(0, STAGES_PER_APP);
        await check([
          ...jobs.map((job) => at('/jobs/{jobId}', `/jobs/${job.jobId}`)),
          ...rdds.map((rdd) => at('/storage/rdd/{rddId}', `/storage/rdd/${rdd.id}`)),
          ...sql.map((execution) => at('/sql/{executionId}', `/sql/${execution.id}`)),
          ...stageIds.map((id) => at('/stages/{stageId}', `/stages/${id}?withSummaries=true`)),
          ...stages
            .filter((stage) => stageIds.includes(stage.stageId))
            .flatMap((stage) => [
              at('/stages/{stageId}/{stageAttemptId}', `/stages/${stage.stageId}/${stage.attemptId}`),
              at('/stages/{stageId}/{stageAttemptId}/taskSummary', `/stages/${stage.stageId}/${stage.attemptId}/taskSummary`),
              at('/stages/{stageId}/{stageAttemptId}/taskList', `/stages/${stage.stageId}/${stage.attemptId}/taskList?length=20`),
              at(
                '/stages/{stageId}/{stageAttemptId}/taskTable',
                `/stages/${stage.stageId}/${stage.attemptId}/taskTable?numTasks=${stage.numTasks}&start=0&length=20&columnNameToSort=Index`,
              ),
            ]),
        ]);
      }
    }
    expect(violations.slice(0, 20)).toEqual([]);
    // Every path template Spark Sword serves was answered (and so checked) at least once.
    const templates = [...answered].map((t) => t.replace('/applications/{appId}/{attemptId}', '/applications/{appId}'));
    for (const path of ['/jobs/{jobId}', '/sql/{executionId}', '/stages/{stageId}', '/stages/{stageId}/{stageAttemptId}/taskTable', '/stages/{stageId}/{stageAttemptId}/taskSummary']) {
      expect(templates).toContain(`/applications/{appId}${path}`);
    }
    expect([...answered].some((t) => t.includes('{attemptId}/sql'))).toBe(true);
  }, 600_000);
});
