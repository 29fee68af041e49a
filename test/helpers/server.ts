import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { ProgressStore } from '../../src/learning/progress/progress-store.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { openTempDatabase, type TempDatabase } from './database.js';

/** A real Spark Sword server on a loopback port, over a real DuckDB file. */
export interface TestServer extends RunningServer {
  graphqlUrl: string;
  temp: TempDatabase;
  config: Config;
  /** The learners' progress store the server uses (a real DuckDB file). */
  progress: ProgressStore;
  /** Its file: pass it as `progressPath` to a later server to restart on the same progress. */
  progressPath: string;
  close: () => Promise<void>;
}

/** Options of `startTestServer` beyond configuration. */
export interface TestServerOptions {
  /** An existing progress DuckDB file to serve (kept on close); default a fresh temp file (removed on close). */
  progressPath?: string;
}

/**
 * Starts the server on 127.0.0.1 with a free port, a fresh analysis database and a progress database;
 * `env` overrides configuration.
 */
export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const temp = await openTempDatabase(env.DUCKDB_MEMORY_LIMIT);
  const progressDir = options.progressPath ? null : mkdtempSync(join(tmpdir(), 'spark-sword-test-progress-'));
  const progressPath = options.progressPath ?? join(progressDir!, 'progress.duckdb');
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PROGRESS_DB_PATH: progressPath,
    // Suites upload and query far faster than a person; test/security/rate-limits.test.ts turns the limits on.
    RATE_LIMIT_UPLOADS_PER_MINUTE: '0',
    RATE_LIMIT_EXPENSIVE_QUERIES_PER_MINUTE: '0',
    ...env,
  });
  const progress = await ProgressStore.open(progressPath);
  const server = await startServer({ config, db: temp.database, progress });
  return {
    ...server,
    graphqlUrl: `${server.url}/graphql`,
    temp,
    config,
    progress,
    progressPath,
    close: async () => {
      await server.stop();
      temp.dispose();
      progress.close();
      if (progressDir) rmSync(progressDir, { recursive: true, force: true });
    },
  };
}

/**
 * For a suite: a test server and a scratch folder for the logs its tests write, with `logs` (file name → log text)
 * written there and ingested before its tests; both are removed after them.
 */
export function useServerWithLogs(prefix: string, logs: Readonly<Record<string, string>> = {}): { server: () => TestServer; scratch: () => string } {
  let server: TestServer;
  let scratch: string;
  beforeAll(async () => {
    server = await startTestServer();
    scratch = mkdtempSync(join(tmpdir(), `spark-sword-${prefix}-`));
    const paths = Object.entries(logs).map(([name, text]) => {
      writeFileSync(join(scratch, name), text);
      return join(scratch, name);
    });
    if (paths.length > 0) await ingestPaths(server.temp.database, paths);
  });
  afterAll(async () => {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  return { server: () => server, scratch: () => scratch };
}

/** The History Server paths under one application (`''` for the application itself) that do not answer 200, with their status. */
export async function failingRestPaths(server: TestServer, appId: string, paths: readonly string[]): Promise<string[]> {
  const failing: string[] = [];
  for (const path of paths) {
    const response = await fetch(`${server.url}/api/v1/applications/${appId}${path}`);
    if (response.status !== 200) failing.push(`/api/v1/applications/${appId}${path} ${response.status}`);
  }
  return failing;
}

/** A GraphQL response as the wire carries it. */
export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } & Record<string, unknown> }>;
}

/** Sends a typed operation as JSON over HTTP and returns the parsed response. */
export async function gql<TResult, TVariables>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables?: TVariables,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TResult> & { status: number; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: response.status, headers: response.headers, ...((await response.json()) as GraphQLResponse<TResult>) };
}

/** Sends a query written as text and returns its data; a test fails if the answer carries errors. */
export async function graphqlData<T>(url: string, query: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  expect(body.errors).toBeUndefined();
  return body.data!;
}

/** Sends a typed mutation with one file as a GraphQL multipart request (the file streams from disk). */
export async function gqlUpload<TResult, TVariables>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  filePath: string,
  options: {
    variable?: string;
    preflight?: boolean;
    fileName?: string;
    /** Other variables of the operation (the file variable is added). */
    variables?: Omit<TVariables, 'file'>;
    headers?: Record<string, string>;
  } = {},
): Promise<GraphQLResponse<TResult> & { status: number; headers: Headers }> {
  const variable = options.variable ?? 'file';
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: print(document), variables: { ...options.variables, [variable]: null } }));
  form.set('map', JSON.stringify({ 0: [`variables.${variable}`] }));
  form.set('0', await openAsBlob(filePath), options.fileName ?? basename(filePath));
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...(options.preflight === false ? {} : { 'apollo-require-preflight': 'true' }), ...options.headers },
    body: form,
  });
  return { status: response.status, headers: response.headers, ...((await response.json()) as GraphQLResponse<TResult>) };
}
