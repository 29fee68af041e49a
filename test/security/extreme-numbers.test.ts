import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { buildEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';
import { failingRestPaths, gql, useServerWithLogs } from '../helpers/server.js';
import {
  ApplicationEnvironmentDocument,
  ApplicationExecutorsDocument,
  ApplicationJobsDocument,
  ApplicationSqlExecutionsDocument,
  ApplicationStagesDocument,
  StageTaskSummaryDocument,
  StageTasksDocument,
} from '../generated/graphql.js';

/** An application with SQL, two executors, a shuffle and a job: most event types Spark logs, each with its numbers. */
function app(appId: string): SyntheticApp {
  return {
    appId,
    executors: [{ id: '1', cores: 4 }, { id: '2', cores: 4 }],
    sqlExecutions: [{ executionId: 0, jobIds: [0], plan: { name: 'Exchange', children: [{ name: 'Scan parquet' }] } }],
    jobs: [
      {
        jobId: 0,
        stages: [
          {
            stageId: 0,
            rddInfo: [{ 'RDD ID': 3, Name: 'scan', 'Parent IDs': [], 'Number of Partitions': 4 }],
            tasks: Array.from({ length: 4 }, (_, i) => ({ durationMs: 1_000 * (i + 1), shuffleReadBytes: 2 ** 20, executorId: String((i % 2) + 1) })),
          },
          { stageId: 1, parentIds: [0], tasks: Array.from({ length: 4 }, () => ({ durationMs: 2_000 })) },
        ],
      },
    ],
  };
}

const everyField = parse(`query EveryField($id: ID!) {
  application(id: $id) {
    id duration stats { totalTasks }
    stages { stageId attemptId numTasks duration executorRunTime taskSummary { duration } tasks(first: 3) { nodes { taskId index attempt duration } } }
    jobs { jobId duration stageIds } executors { id totalCores } sqlExecutions { id duration } dag { nodes { stageId } }
    insights(first: 5) { type }
  }
}`) as unknown as TypedDocumentNode<unknown, { id: string }>;

/**
 * The log of {@link app} with what the builder leaves out: a resource profile, and the profile each executor runs on.
 */
function appLog(appId: string): string {
  const profile = JSON.stringify({
    Event: 'SparkListenerResourceProfileAdded',
    'Resource Profile Id': 0,
    'Executor Resource Requests': { cores: { 'Resource Name': 'cores', Amount: 4, 'Discovery Script': '', Vendor: '' } },
    'Task Resource Requests': { cpus: { 'Resource Name': 'cpus', Amount: 1 } },
  });
  return buildEventLog(app(appId))
    .split('\n')
    .flatMap((line) => (line.startsWith('{"Event":"SparkListenerApplicationStart"') ? [line, profile] : [line]))
    .map((line) => (line.startsWith('{"Event":"SparkListenerExecutorAdded"') ? line.replace('"Log Urls":{}', '"Log Urls":{},"Resource Profile Id":0') : line))
    .join('\n');
}

/** The operations a frontend runs on one application, each with every field of its type (test/operations). */
const operations: ReadonlyArray<TypedDocumentNode<unknown, never>> = [
  ApplicationStagesDocument, ApplicationJobsDocument, ApplicationExecutorsDocument, ApplicationEnvironmentDocument,
  ApplicationSqlExecutionsDocument, StageTasksDocument, StageTaskSummaryDocument,
] as unknown as ReadonlyArray<TypedDocumentNode<unknown, never>>;

const restPaths = ['', '/jobs', '/stages', '/allexecutors', '/stages/0/0/taskList', '/stages/0/0/taskSummary', '/sql', '/environment'];

/**
 * Values no Spark writes that a 64-bit integer still holds (larger ones, 1e308 and NaN are refused by the JSON reader
 * itself, see test/ingest/integrity.test.ts): the smallest 64-bit integer, the first past 32 bits, and one past the
 * largest time a JavaScript Date holds (±8.64e15 ms), but not past 2^53.
 */
const EXTREMES = ['-9223372036854775808', '2147483648', '9000000000000000'];

describe('a log with an extreme number in any numeric field of any event', () => {
  const suite = useServerWithLogs('extremes', { 'good.json': appLog('app-good') });

  /** Every problem an application's answers show: a GraphQL error, or a REST status other than 200. */
  async function problemsAnswering(id: string, paths: readonly string[] = restPaths): Promise<string[]> {
    const graphql: string[] = [];
    for (const document of [everyField, ...operations] as Array<TypedDocumentNode<unknown, Record<string, unknown>>>) {
      const answer = await gql(suite.server().graphqlUrl, document, { id, stageId: 0, first: 10 });
      if (answer.status !== 200 || answer.errors) graphql.push(`GraphQL ${answer.status} ${JSON.stringify(answer.errors).slice(0, 200)}`);
    }
    return [...graphql, ...(await failingRestPaths(suite.server(), id, paths))];
  }

  it('is rejected as bad input or stored, and then it and every other application answer every query', async () => {
    const lines = appLog('app-extreme').split('\n');
    const fields = new Set<string>();
    const problems: string[] = [];
    for (const [index, line] of lines.entries()) {
      const event = /"Event":"([^"]+)"/.exec(line)?.[1] ?? 'unknown';
      for (const number of line.matchAll(/"([^"]+)":(-?\d+(?:\.\d+)?)/g)) {
        const field = `${event} ${number[1]}`;
        if (fields.has(field)) continue;
        fields.add(field);
        for (const value of EXTREMES) {
          const crafted = [...lines];
          crafted[index] = `${line.slice(0, number.index)}"${number[1]}":${value}${line.slice(number.index! + number[0].length)}`;
          const path = join(suite.scratch(), `extreme-${fields.size}-${EXTREMES.indexOf(value)}.json`);
          writeFileSync(path, crafted.join('\n'));
          const report = await ingestPaths(suite.server().temp.database, [path]);
          const failure = report.failures[0]?.error;
          if (failure && !(failure instanceof BadInputError)) problems.push(`${field} = ${value}: ${failure.message.slice(0, 200)}`);
          // Only a stored log can change what queries answer.
          if (report.applications.length === 0) continue;
          problems.push(...(await problemsAnswering('app-extreme')).map((p) => `${field} = ${value}: ${p}`));
          // Views read every application's rows: the other application is asked what spans them.
          problems.push(...(await problemsAnswering('app-good', ['/stages', '/allexecutors'])).map((p) => `${field} = ${value}, app-good: ${p}`));
        }
      }
    }
    expect(fields.size).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  }, 600_000);
});
