import { describe, expect, it } from 'vitest';
import { IngestProgressView } from '../../src/cli/progress.js';
import type { IngestPhaseUpdate } from '../../src/ingest/ingest-service.js';

/** A clock the test moves, and an interval the test fires, so nothing waits on real time. */
function harness(isTTY: boolean) {
  let now = 0;
  let text = '';
  let tick: (() => void) | null = null;
  let cleared = 0;
  const view = new IngestProgressView(
    { write: (chunk: string) => (text += chunk), isTTY },
    {
      now: () => now,
      setInterval: (callback) => {
        tick = callback;
        return {};
      },
      clearInterval: () => {
        tick = null;
        cleared++;
      },
    },
  );
  return {
    view,
    advance: (ms: number) => {
      now += ms;
      tick?.();
    },
    get text() {
      return text;
    },
    get ticking() {
      return tick !== null;
    },
    get cleared() {
      return cleared;
    },
  };
}

const update = (phase: IngestPhaseUpdate['phase'], bytesRead: number, events: number | null): IngestPhaseUpdate => ({
  sourceName: 'daily-sales-report.json',
  phase,
  bytesTotal: 2 * 1024 * 1024,
  bytesRead,
  events,
  elapsedMs: 0,
});

describe('ingest progress on stderr', () => {
  it('writes plain lines off a terminal: a start, one per interval while the log runs, and an end with bytes, events and time', () => {
    const h = harness(false);
    h.view.start(0, 2, 'daily-sales-report.json');
    h.view.update(update('reading', 0, null));
    h.advance(5_000);
    h.view.update(update('storing', 2 * 1024 * 1024, null));
    h.advance(5_000);
    h.view.update(update('done', 2 * 1024 * 1024, 1_234));
    expect(h.text.split('\n')).toEqual([
      '[1/2] daily-sales-report.json: ingesting',
      '[1/2] daily-sales-report.json: reading, 0 B of 2.0 MB read, 5.0 s',
      '[1/2] daily-sales-report.json: storing, 2.0 MB of 2.0 MB read, 10.0 s',
      '[1/2] daily-sales-report.json: done, 2.0 MB of 2.0 MB read, 1,234 events, 10.0 s',
      '',
    ]);
    expect(h.ticking).toBe(false);
  });

  it('redraws one bar in place on a terminal, fuller at each step, and ends the line when the log is done', () => {
    const h = harness(true);
    h.view.start(1, 2, 'nightly-events-etl.json');
    h.view.update(update('reading', 0, null));
    h.advance(200);
    h.view.update(update('analyzing', 2 * 1024 * 1024, 50_000));
    h.view.update(update('done', 2 * 1024 * 1024, 50_000));
    const frames = h.text.split('\r\x1b[K').filter(Boolean);
    expect(frames[0]).toMatch(/^\[2\/2\] nightly-events-etl\.json ██░{22} reading, 0 B of 2\.0 MB read, 0\.0 s$/);
    expect(frames[1]).toMatch(/░ reading, .*0\.2 s$/);
    expect(frames[2]).toMatch(/█{17}░{7} analyzing, 2\.0 MB of 2\.0 MB read, 50,000 events, 0\.2 s$/);
    expect(frames[3]).toBe(`[2/2] nightly-events-etl.json ${'█'.repeat(24)} done, 2.0 MB of 2.0 MB read, 50,000 events, 0.2 s\n`);
    expect(h.ticking).toBe(false);
  });

  it('stops its timer when the ingest ends early', () => {
    const h = harness(true);
    h.view.start(0, 1, 'x.json');
    h.view.close();
    expect(h.ticking).toBe(false);
    expect(h.cleared).toBe(1);
  });
});
