import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportParquet, exportedTables, partitionName } from '../../src/export/parquet-export.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { capturedCli } from '../helpers/cli.js';
import { gql, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const DAY = 86_400_000;

function nightly(n: number): SyntheticApp {
  return {
    appId: `app-nightly-${n}`,
    name: 'nightly-etl',
    startTime: 1_700_000_000_000 + n * DAY,
    executors: [{ id: '1', cores: 4 }, { id: '2', cores: 4 }],
    sparkProperties: { 'spark.executor.memory': '2g' },
    durationMs: 120_000 + n * 1_000,
    jobs: [{ jobId: 0, stages: [{ stageId: 0, name: 'join at Etl.scala:88', tasks: Array.from({ length: 40 }, () => ({ durationMs: 5_000, memoryBytesSpilled: 400 * MB, diskBytesSpilled: 100 * MB })) }] }],
  };
}

/** The README's DuckDB block, run over `dir` instead of the directory the README names. */
function readmeDuckDbQueries(dir: string): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const block = /```sql\n(-- Fleet questions over the export, DuckDB[\s\S]*?)```/.exec(readme);
  expect(block, 'README has the DuckDB fleet block').not.toBeNull();
  return block![1]!.replaceAll('spark-sword-export/', `${dir}/`).split(/;\s*\n/).map((q) => q.trim()).filter((q) => q.replace(/--.*$/gm, '').trim() !== '');
}

interface FleetResult {
  fleet: {
    totals: { applications: number; allocatedCoreHours: number; usedCoreHours: number; wastedCoreHours: number; memoryGbHours: number; cost: number };
    groups: Array<{ key: string; series: Array<{ appKey: string; durationMs: number; cost: number }>; recurringInsights: Array<{ type: string; target: string; runs: number }> }>;
  };
}
const FleetDocument = parse(`query FleetOverview($name: String) {
  fleet(filter: { name: $name }) {
    totals { applications allocatedCoreHours usedCoreHours wastedCoreHours memoryGbHours cost }
    groups { key series { appKey durationMs cost } recurringInsights { type target runs } }
  }
}`) as TypedDocumentNode<FleetResult, { name?: string }>;

interface CostResult {
  application: { cost: { allocatedCoreHours: number; idleShare: number; cost: number; prices: { perCoreHour: number; perGbHour: number; source: string } } };
}
const CostDocument = parse(`query RunCostOf($id: ID!, $price: Float) {
  application(id: $id) { cost(pricePerCoreHour: $price) { allocatedCoreHours idleShare cost prices { perCoreHour perGbHour source } } }
}`) as TypedDocumentNode<CostResult, { id: string; price?: number }>;
const BadFleetDocument = parse(`query FleetBackwards {
  fleet(filter: { from: "2026-12-02T00:00:00Z", to: "2026-12-01T00:00:00Z" }) { totals { applications } }
}`) as TypedDocumentNode<unknown, Record<string, never>>;

describe('Parquet export', () => {
  let server: TestServer;
  let dir: string;
  let out: string;
  beforeAll(async () => {
    server = await startTestServer({ COST_PER_CORE_HOUR: '0.05', COST_PER_GB_HOUR: '0.01' });
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-export-'));
    out = join(dir, 'lake');
    await ingestPaths(server.temp.database, [
      ...[1, 2, 3].map((n) => writeEventLog(dir, nightly(n))),
      eventLogPath('apache-spark', 'local-1430917381535_1'), // an attempt key with a "/"
      eventLogPath('spark4', 'local-1776286786993.zstd'), // SQL plans
    ]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one file per table and application, and skips what is already exported', async () => {
    const first = await exportParquet(server.temp.database, out);
    expect(first.exported).toHaveLength(5);
    expect(first.filesWritten).toBe(5 * exportedTables.length);
    for (const table of exportedTables) {
      expect(readdirSync(join(out, table)).sort()).toEqual(first.exported.map(partitionName).sort());
    }
    const again = await exportParquet(server.temp.database, out);
    expect(again).toMatchObject({ exported: [], filesWritten: 0 });
    expect(again.unchanged).toHaveLength(5);
    expect(readdirSync(join(out, 'tasks', partitionName('app-nightly-1')))).toHaveLength(1);
  });

  it('round-trips: the README\'s DuckDB fleet questions over the export give the API\'s numbers', async () => {
    const api = await gql(server.graphqlUrl, FleetDocument, { name: 'nightly' });
    expect(api.errors).toBeUndefined();
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const [totalsSql, seriesSql, recurringSql] = readmeDuckDbQueries(out);
      const [totals] = (await connection.runAndReadAll(totalsSql!)).getRowObjectsJS() as Array<Record<string, number | bigint>>;
      const expected = api.data!.fleet.totals;
      expect(Number(totals!.applications)).toBe(expected.applications);
      expect(Number(totals!.allocatedCoreHours)).toBeCloseTo(expected.allocatedCoreHours, 3);
      expect(Number(totals!.usedCoreHours)).toBeCloseTo(expected.usedCoreHours, 3);
      expect(Number(totals!.wastedCoreHours)).toBeCloseTo(expected.wastedCoreHours, 3);
      expect(Number(totals!.cost)).toBeCloseTo(expected.cost, 3);
      const series = (await connection.runAndReadAll(seriesSql!)).getRowObjectsJS() as Array<Record<string, unknown>>;
      const apiSeries = api.data!.fleet.groups.find((g) => g.key === 'nightly-etl')!.series;
      expect(series.map((row) => [row.appKey, Number(row.durationMs)])).toEqual(apiSeries.map((run) => [run.appKey, run.durationMs]));
      series.forEach((row, i) => expect(Number(row.cost)).toBeCloseTo(apiSeries[i]!.cost, 3));
      const recurring = (await connection.runAndReadAll(recurringSql!)).getRowObjectsJS() as Array<Record<string, unknown>>;
      const apiSpill = api.data!.fleet.groups[0]!.recurringInsights.find((i) => i.type === 'spill')!;
      expect(recurring.find((row) => row.type === 'spill')).toMatchObject({ stage: 'join at Etl.scala:88', runs: BigInt(apiSpill.runs) });
      expect(apiSpill).toMatchObject({ target: "stage 'join at Etl.scala:88'", runs: 3 });
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('replaces only a re-ingested application\'s files, new ones in place before old ones go', async () => {
    const folder = join(out, 'tasks', partitionName('app-nightly-2'));
    const before = readdirSync(folder);
    const untouched = readdirSync(join(out, 'tasks', partitionName('app-nightly-3')));
    await ingestPaths(server.temp.database, [writeEventLog(dir, nightly(2))]);
    const report = await exportParquet(server.temp.database, out);
    expect(report.exported).toEqual(['app-nightly-2']);
    const after = readdirSync(folder);
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    expect(readdirSync(join(out, 'tasks', partitionName('app-nightly-3')))).toEqual(untouched);
    expect(readdirSync(folder).some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it('Application.cost says which price it used; a backwards time window and a price past any price are refused', async () => {
    const configured = await gql(server.graphqlUrl, CostDocument, { id: 'app-nightly-1' });
    expect(configured.errors).toBeUndefined();
    expect(configured.data!.application.cost.prices).toEqual({
      perCoreHour: 0.05, perGbHour: 0.01,
      source: 'COST_PER_CORE_HOUR=0.05 (server configuration), COST_PER_GB_HOUR=0.01 (server configuration)',
    });
    const given = await gql(server.graphqlUrl, CostDocument, { id: 'app-nightly-1', price: 1 });
    const { allocatedCoreHours, cost } = given.data!.application.cost;
    expect(given.data!.application.cost.prices.source).toContain('pricePerCoreHour=1 (request)');
    expect(cost).toBeGreaterThan(configured.data!.application.cost.cost);
    expect(cost).toBeGreaterThanOrEqual(allocatedCoreHours);
    const bad = await gql(server.graphqlUrl, BadFleetDocument, {});
    expect(bad.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(bad.errors![0]!.message).toContain('"from"');
    // 1e308 a core-hour made every cost Infinity, which GraphQL's Float cannot carry (an internal error).
    const unpriceable = await gql(server.graphqlUrl, CostDocument, { id: 'app-nightly-1', price: 1e308 });
    expect(unpriceable.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(JSON.stringify(unpriceable.errors)).toContain('pricePerCoreHour');
  });

  it('keeps plan nodes, task quantiles and attempts with a "/" in their key readable', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
      const attempts = await read(`SELECT DISTINCT appKey FROM read_parquet('${out}/applications/*/*.parquet') WHERE appKey LIKE '%/%'`);
      expect(attempts).toEqual([{ appKey: 'local-1430917381535/1' }]);
      const nodes = await read(`SELECT count(*) AS n, count(*) FILTER (WHERE parentNodeId IS NULL) AS roots, count(DISTINCT executionId) AS executions
        FROM read_parquet('${out}/sql_plan_nodes/*/*.parquet') WHERE appKey = 'local-1776286786993'`);
      expect(Number(nodes[0]!.roots)).toBe(Number(nodes[0]!.executions));
      expect(Number(nodes[0]!.n)).toBeGreaterThan(Number(nodes[0]!.roots));
      const quantiles = await read(`SELECT durationQuantiles AS q FROM read_parquet('${out}/stage_task_quantiles/*/*.parquet') WHERE appKey = 'app-nightly-1'`);
      expect(quantiles).toEqual([{ q: [5000, 5000, 5000, 5000, 5000] }]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('spark-sword export writes the same layout, takes --since and refuses a bad date', async () => {
    const cli = capturedCli();
    const db = join(dir, 'cli.duckdb');
    expect(await cli.run(['ingest', writeEventLog(dir, nightly(9)), '--db', db])).toBe(0);
    const lake = join(dir, 'cli-lake');
    expect(await cli.run(['export', '--parquet', lake, '--db', db, '--json'])).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ exported: ['app-nightly-9'], filesWritten: exportedTables.length });
    expect(existsSync(join(lake, 'applications', 'app=app-nightly-9'))).toBe(true);
    expect(await cli.run(['export', '--parquet', lake, '--db', db, '--since', '2999-01-01'])).toBe(0);
    expect(cli.stdout).toContain('exported 0 applications');
    expect(await cli.run(['export', '--parquet', lake, '--db', db, '--since', 'yesterday'])).toBe(2);
    expect(cli.stderr).toContain('--since takes an ISO-8601 date');
    // A file where the directory goes, and a directory that cannot be made (Node's recursive mkdir loops forever
    // on /proc, which refuses new entries with ENOENT).
    expect(await cli.run(['export', '--parquet', db, '--db', db])).toBe(2);
    expect(cli.stderr).toContain(`${db} is not a directory`);
    expect(await cli.run(['export', '--parquet', '/proc/spark-sword-export', '--db', db])).toBe(2);
    expect(cli.stderr).toContain('/proc/spark-sword-export cannot be created (ENOENT)');
  });
});
