import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths, type IngestReport } from '../../src/ingest/ingest-service.js';
import { insightsByApp, type InsightRecord } from '../../src/store/insights-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { sampleLogs, sampleLogText, writeSampleLogs } from '../helpers/sample-logs.js';

/**
 * The sample logs in examples/logs/ are generated from the specs in test/helpers/sample-logs.ts:
 * `npm run samples:logs` (re)writes them; otherwise this checks the committed files are what the specs make,
 * and that together they show every kind of insight and a SQL query with its plan, as the README promises.
 */
const logsDir = join(import.meta.dirname, '../../examples/logs');

describe('sample logs', () => {
  if (process.env.WRITE_SAMPLE_LOGS === '1') {
    it('writes every sample log', () => {
      expect(writeSampleLogs(logsDir).length).toBe(Object.keys(sampleLogs).length);
    });
  }

  it('are committed exactly as their specs make them, and nothing else is', () => {
    for (const file of Object.keys(sampleLogs)) {
      expect(readFileSync(join(logsDir, file), 'utf8'), `${file}: run npm run samples:logs`).toBe(sampleLogText(file));
    }
    expect(readdirSync(logsDir).filter((name) => name.endsWith('.json')).sort()).toEqual(Object.keys(sampleLogs).sort());
  });

  describe('ingested', () => {
    let temp: TempDatabase;
    let report: IngestReport;
    let insights: InsightRecord[][];
    beforeAll(async () => {
      temp = await openTempDatabase();
      report = await ingestPaths(temp.database, [logsDir]);
      insights = await insightsByApp(temp.database, report.applications.map((app) => app.appKey));
    });
    afterAll(() => temp?.dispose());

    it('store one complete application per log, without warnings', () => {
      expect(report.failures).toEqual([]);
      expect(report.applications.map((app) => app.appKey).sort()).toEqual(Object.values(sampleLogs).map((spec) => spec.appId).sort());
      for (const app of report.applications) {
        expect(app.completed).toBe(true);
        expect(app.warnings).toEqual([]);
      }
    });

    it('show every kind of event-log insight they were written for between them', () => {
      const fired = new Set(insights.flat().map((insight) => insight.type));
      // The eleven detectors the samples were written for; duration-skew and launch-delay (added later) are not shown yet.
      expect([...fired].sort()).toEqual(expect.arrayContaining([
        'broadcast-join', 'config-hygiene', 'data-skew', 'failures', 'gc-pressure', 'idle-executors',
        'partition-count', 'shuffle-boundary', 'small-files', 'spill', 'stragglers',
      ]));
    });

    it('each show at least two insights, so every sample has a story to tell', () => {
      report.applications.forEach((app, i) => {
        expect(insights[i]!.length, `${app.appKey}: ${insights[i]!.map((x) => x.type).join(', ')}`).toBeGreaterThanOrEqual(2);
      });
    });
  });
});
