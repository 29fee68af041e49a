import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedCli } from '../helpers/cli.js';

const fixture = (name: string): string => join('test', 'fixtures', 'code', name);

describe('spark-sword lint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-lint-cli-'));
  const cli = capturedCli();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints file:cell:line:col, severity, type and title for each finding; exit 0', async () => {
    const path = fixture('sales_analysis.ipynb');
    const code = await cli.run(['lint', path]);
    expect(code).toBe(0);
    const findings = cli.stdout.split('\n').filter((line) => line.startsWith(`${path}:`) && !line.includes('warning'));
    expect(findings).toEqual([
      `${path}:1:4:20  LOW     csv-infer-schema  inferSchema reads the input an extra time to guess types`,
      `${path}:2:2:14  HIGH    collect-to-driver  collect() brings every row to the driver`,
      `${path}:3:5:1  MEDIUM  order-by-without-limit  ORDER BY without LIMIT sorts the whole result`,
      `${path}:4:2:48  HIGH    action-in-loop  count() inside a loop runs a Spark job every iteration`,
      `${path}: jupyter, 5 code cells analysed, 4 findings`,
    ]);
    expect(cli.stdout).toContain(`${path}:7:2:13  warning  Python syntax error`);
    expect(cli.stdout).toContain('    rows = sales.collect()\n    Try: ');
  });

  it('prints JSON with --json', async () => {
    const code = await cli.run(['lint', fixture('Report.scala'), fixture('queries.sql'), '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(cli.stdout) as { files: Array<{ path: string; format: string; insights: Array<{ type: string; location: { line: number } }> }> };
    expect(parsed.files.map((file) => [file.format, file.insights.map((insight) => `${insight.type}@${insight.location.line}`)])).toEqual([
      ['scala', ['rdd-group-by-key@10', 'collect-to-driver@11']],
      ['sql', ['shuffle-partitions-set@2', 'select-star@4', 'order-by-without-limit@4', 'cartesian-join@9']],
    ]);
  });

  it('exits 0 on a clean file and 3 with --fail-on when a finding reaches that severity', async () => {
    const clean = join(dir, 'clean.py');
    writeFileSync(clean, 'df = spark.table("t").where("x > 1")\ndf.write.parquet("out")\n');
    expect(await cli.run(['lint', clean, '--fail-on', 'info'])).toBe(0);
    expect(cli.stdout).toContain('no findings');
    expect(await cli.run(['lint', fixture('etl_job.py'), '--fail-on', 'high'])).toBe(3);
    expect(await cli.run(['lint', fixture('queries.sql'), '--fail-on', 'critical'])).toBe(0);
  });

  it.each([
    ['not JSON', fixture('broken.ipynb'), /broken\.ipynb is not JSON/],
    ['JSON but not a notebook', fixture('no_nbformat.ipynb'), /not a Jupyter notebook/],
    ['a missing file', join(dir, 'missing.py'), /missing\.py cannot be read/],
    ['a directory', fixture('../code'), /is not a file/],
  ])('exits 2 for %s with a message naming the problem', async (_label, path, message) => {
    expect(await cli.run(['lint', path])).toBe(2);
    expect(cli.stderr).toMatch(message);
  });

  it('exits 2 for binary, huge and unsupported files, and a bad --fail-on', async () => {
    const binary = join(dir, 'weights.py');
    writeFileSync(binary, Buffer.from([1, 2, 0, 3]));
    const huge = join(dir, 'huge.sql');
    writeFileSync(huge, Buffer.alloc(5 * 1024 * 1024 + 1, 0x20));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'collect()');
    expect(await cli.run(['lint', binary])).toBe(2);
    expect(cli.stderr).toMatch(/weights\.py is binary/);
    expect(await cli.run(['lint', huge])).toBe(2);
    expect(cli.stderr).toMatch(/huge\.sql is 5242881 bytes, over the limit of 5242880 bytes/);
    expect(await cli.run(['lint', text])).toBe(2);
    expect(cli.stderr).toMatch(/unsupported file type "\.txt"/);
    expect(await cli.run(['lint', text, '--fail-on', 'severe'])).toBe(2);
    expect(cli.stderr).toMatch(/--fail-on takes info, low, medium, high or critical/);
  });
});
