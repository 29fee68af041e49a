import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { insightsByApp } from '../../src/store/insights-store.js';
import { everyBrokenRule } from '../helpers/insight-invariants.js';
import { randomApplication, randomSource } from '../helpers/random-log.js';
import { buildEventLog } from '../helpers/synthetic-log.js';
import { failingRestPaths, gql, useServerWithLogs } from '../helpers/server.js';

const dashboard = parse(`query Dashboard($id: ID!) {
  application(id: $id) {
    id duration stats { totalTasks }
    stages { stageId attemptId status numTasks duration executorRunTime taskSummary { duration } tasks(first: 3) { nodes { taskId duration } } }
    jobs { jobId status duration } executors { id totalCores } sqlExecutions { id duration } dag { nodes { stageId } }
    insights(first: 20) { type title }
  }
}`) as unknown as TypedDocumentNode<{
  application: { duration: string | null; stages: Array<{ stageId: number; duration: string | null }>; jobs: Array<{ jobId: number; duration: string | null }> };
}, { id: string }>;

/** The log of `seed`'s random application with a share of its events lost (the first two kept) and a few moved. */
function damagedLog(seed: number, lostShare: number): string {
  const random = randomSource(seed * 7);
  const lines = buildEventLog(randomApplication(seed)).split('\n').filter((line) => line.trim() !== '');
  const kept = lines.filter((_line, i) => i < 2 || random() >= lostShare);
  for (let moves = 0; moves < 5; moves += 1) {
    const from = 2 + Math.floor(random() * (kept.length - 3));
    const to = Math.min(kept.length - 1, from + 1 + Math.floor(random() * 5));
    [kept[from], kept[to]] = [kept[to]!, kept[from]!];
  }
  return kept.join('\n');
}

/**
 * Logs a listener lost events of, or wrote a few out of order (a driver under pressure drops events; copies get
 * truncated and concatenated): each is stored, every answer about it comes without an error and with no negative
 * duration, and its insights keep the model's rules.
 */
describe('logs with lost and reordered events', () => {
  const suite = useServerWithLogs('damaged');

  it('are stored and answered with possible numbers, whatever was lost', async () => {
    const problems: string[] = [];
    const appKeys: string[] = [];
    for (const seed of Array.from({ length: 30 }, (_, i) => 7_000 + i)) {
      const path = join(suite.scratch(), `damaged-${seed}.json`);
      writeFileSync(path, damagedLog(seed, 0.15));
      const report = await ingestPaths(suite.server().temp.database, [path]);
      if (report.failures.length > 0) {
        problems.push(`${seed}: ${report.failures[0]!.error.message.slice(0, 200)}`);
        continue;
      }
      const id = report.applications[0]!.appKey;
      appKeys.push(id);
      const answer = await gql(suite.server().graphqlUrl, dashboard, { id });
      if (answer.errors) problems.push(`${seed}: ${JSON.stringify(answer.errors).slice(0, 300)}`);
      const application = answer.data?.application;
      const durations = [application?.duration, ...(application?.stages ?? []).map((s) => s.duration), ...(application?.jobs ?? []).map((j) => j.duration)];
      if (durations.some((duration) => duration !== null && duration !== undefined && Number(duration) < 0)) problems.push(`${seed}: a negative duration`);
      const restPaths = ['', '/jobs', '/stages', '/allexecutors', '/executors', '/sql', '/environment'];
      problems.push(...(await failingRestPaths(suite.server(), id, restPaths)).map((failing) => `${seed}: ${failing}`));
    }
    const rows = (await suite.server().temp.database.query('SELECT appKey, duration::DOUBLE AS duration FROM v_applications')) as Array<{ appKey: string; duration: number | null }>;
    const insights = (await insightsByApp(suite.server().temp.database, appKeys)).flat();
    problems.push(...everyBrokenRule(insights, new Map(rows.map((row) => [row.appKey, row.duration]))));
    expect(problems).toEqual([]);
  }, 300_000);
});
