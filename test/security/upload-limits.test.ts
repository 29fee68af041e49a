import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadEventLogDocument } from '../generated/graphql.js';
import { gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { buildZip } from '../helpers/zip.js';
import { writeLz4Zeros, zipBomb } from './bombs.js';
import { codeOf, query } from './helpers.js';

/** Uploads that would fill the disk or run for minutes: refused while decompressing, naming the limit. */
describe('upload footprint', () => {
  let server: TestServer;
  let scratch: string;
  let uploadDir: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-bombs-'));
    uploadDir = join(scratch, 'uploads');
    server = await startTestServer({ UPLOAD_TMP_DIR: uploadDir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const storedCount = async (): Promise<number> =>
    ((await query(server, '{ applications { totalCount } }')).body.data!.applications as { totalCount: number }).totalCount;
  const upload = (path: string) => gqlUpload(server.graphqlUrl, UploadEventLogDocument, path);
  const expectNothingLeft = async (): Promise<void> => {
    expect(await storedCount()).toBe(0);
    expect(readdirSync(uploadDir)).toEqual([]);
  };

  it('refuses a 42 MB .lz4 of zeros by its compression ratio, and stays responsive meanwhile', async () => {
    const bomb = join(scratch, 'zeros.lz4');
    await writeLz4Zeros(bomb, 42 * 1024 * 1024);
    const [result, other] = await Promise.all([upload(bomb), query(server, '{ applications { totalCount } }')]);
    expect(other.body.errors).toBeUndefined();
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(/zeros\.lz4 expands more than 100 times .* \(MAX_COMPRESSION_RATIO\): refused as a decompression bomb/);
    expect(Number(/\((\d+) bytes out of/.exec(result.errors![0]!.message)![1])).toBeLessThan(64 * 1024 * 1024);
    await expectNothingLeft();
  });

  it('refuses a zip bomb (1 MB deflating to 1 GiB) by its ratio', async () => {
    const bomb = join(scratch, 'bomb.zip');
    writeFileSync(bomb, await zipBomb(1024));
    const result = await upload(bomb);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(/bomb\.zip: eventlog expands more than 100 times .*MAX_COMPRESSION_RATIO/);
    // Stopped early: the output before refusal is a few megabytes, not the gigabyte inside.
    expect(Number(/\((\d+) bytes out of/.exec(result.errors![0]!.message)![1])).toBeLessThan(16 * 1024 * 1024);
    await expectNothingLeft();
  });

  it('refuses a gzip bomb, which DuckDB would otherwise inflate itself', async () => {
    const bomb = join(scratch, 'zeros.gz');
    writeFileSync(bomb, gzipSync(Buffer.alloc(64 * 1024 * 1024)));
    const result = await upload(bomb);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(/MAX_COMPRESSION_RATIO/);
    await expectNothingLeft();
  });

  it('refuses a zip of 10,000 entries from its directory, before extracting any', async () => {
    const entries = Array.from({ length: 10_000 }, (_unused, index) => ({
      name: `logs/app-${index}`,
      data: Buffer.from('{"Event":"SparkListenerLogStart","Spark Version":"3.5.0"}\n'),
    }));
    const many = join(scratch, 'many.zip');
    writeFileSync(many, buildZip(entries));
    const result = await upload(many);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toBe('many.zip: the zip archive holds 10000 entries; the limit is 1000 (MAX_ZIP_ENTRIES)');
    await expectNothingLeft();
  });

  it('still takes real compressed logs and zips', async () => {
    for (const parts of [
      ['formats', 'codecs', 'local-1642039451826.lz4'],
      ['formats', 'codecs', 'app-20200706201101-0003.zstd'],
      ['formats', 'eventLogs-application_1489705648216_1600.zip'],
    ]) {
      const result = await upload(eventLogPath(...parts));
      expect(result.errors, parts.join('/')).toBeUndefined();
    }
    expect(await storedCount()).toBe(3);
    expect(readdirSync(uploadDir)).toEqual([]);
  });
});

describe('MAX_DECOMPRESSED_BYTES', () => {
  it('refuses with PAYLOAD_TOO_LARGE once an upload decompresses past it', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'spark-sword-bombs-'));
    const server = await startTestServer({
      MAX_UPLOAD_BYTES: String(1024 * 1024),
      MAX_DECOMPRESSED_BYTES: String(4 * 1024 * 1024),
      MAX_COMPRESSION_RATIO: '100000',
    });
    try {
      const bomb = join(scratch, 'zeros.lz4');
      await writeLz4Zeros(bomb, 100 * 1024);
      const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, bomb);
      expect(codeOf(result)).toBe('PAYLOAD_TOO_LARGE');
      expect(result.errors![0]!.message).toMatch(/zeros\.lz4 decompresses to more than 4194304 bytes, the limit \(MAX_DECOMPRESSED_BYTES\)/);
    } finally {
      await server.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('DUCKDB_MEMORY_LIMIT', () => {
  it('refuses with PAYLOAD_TOO_LARGE, naming the limit, a log that needs more memory to ingest', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'spark-sword-memory-'));
    const server = await startTestServer({ DUCKDB_MEMORY_LIMIT: '32MB' });
    try {
      // A small application with three SQL plan updates of 4 MB: more than 32 MB to split and parse.
      const [first, ...rest] = readFileSync(eventLogPath('apache-spark', 'local-1642039451826'), 'utf8').split('\n');
      const update = (n: number): string =>
        `{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate","executionId":0,"physicalPlanDescription":"${'x'.repeat(4 * 1024 * 1024)}","sparkPlanInfo":{"nodeName":"AdaptiveSparkPlan","simpleString":"${n}","children":[],"metadata":{},"metrics":[]}}`;
      const log = join(scratch, 'plan-heavy.json');
      writeFileSync(log, [first, update(1), update(2), update(3), ...rest].join('\n'));
      const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, log);
      expect(codeOf(result)).toBe('PAYLOAD_TOO_LARGE');
      expect(result.errors![0]!.message).toMatch(
        /^plan-heavy\.json needs more memory to ingest than DUCKDB_MEMORY_LIMIT=32MB allows \(DuckDB could not get .*\)\. It was not stored; raising DUCKDB_MEMORY_LIMIT lets it through\.$/,
      );
      const stored = await query(server, '{ applications { totalCount } }');
      expect(stored.body.data).toEqual({ applications: { totalCount: 0 } });
    } finally {
      await server.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('uploads of a killed server', () => {
  it('are removed at the next start; a live server’s uploads are left alone', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'spark-sword-abandoned-'));
    const uploadDir = join(scratch, 'uploads');
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    const alive = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      for (const pid of [dead.pid!, alive.pid!]) {
        mkdirSync(join(uploadDir, `spark-sword-upload-${pid}-abc123`), { recursive: true });
        writeFileSync(join(uploadDir, `spark-sword-upload-${pid}-abc123`, 'half-an-upload.lz4'), Buffer.alloc(1024));
      }
      const server = await startTestServer({ UPLOAD_TMP_DIR: uploadDir });
      await server.close();
      expect(existsSync(join(uploadDir, `spark-sword-upload-${dead.pid}-abc123`))).toBe(false);
      expect(existsSync(join(uploadDir, `spark-sword-upload-${alive.pid}-abc123`))).toBe(true);
    } finally {
      alive.kill();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
