import { describe, expect, it } from 'vitest';
import { IngestJobs } from '../../src/ingest/ingest-jobs.js';

describe('upload progress registry', () => {
  it('reports elapsed time until now while running and until the end once finished', () => {
    let now = 1_000;
    const jobs = new IngestJobs(() => now);
    jobs.begin('a'.repeat(16));
    now = 3_000;
    jobs.update('a'.repeat(16), { phase: 'reading', bytesReceived: 500 });
    now = 4_000;
    expect(jobs.get('a'.repeat(16))).toMatchObject({ phase: 'reading', bytesReceived: 500, elapsedMs: 3_000 });
    jobs.update('a'.repeat(16), { phase: 'done' });
    now = 60_000;
    expect(jobs.get('a'.repeat(16))!.elapsedMs).toBe(3_000);
  });

  it('forgets a finished upload ten minutes after it ended, but never a running one', () => {
    let now = 0;
    const jobs = new IngestJobs(() => now);
    jobs.begin('finished-upload-1');
    jobs.begin('running-upload-01');
    jobs.update('finished-upload-1', { phase: 'done' });
    now = 10 * 60_000;
    expect(jobs.get('finished-upload-1')).toBeDefined();
    now = 10 * 60_000 + 1;
    expect(jobs.get('finished-upload-1')).toBeUndefined();
    expect(jobs.get('running-upload-01')).toBeDefined();
  });

  it('keeps at most 1000 uploads, dropping the oldest first', () => {
    const jobs = new IngestJobs(() => 0);
    for (let i = 0; i < 1_001; i++) jobs.begin(`upload-${String(i).padStart(10, '0')}`);
    expect(jobs.get('upload-0000000000')).toBeUndefined();
    expect(jobs.get('upload-0000001000')).toBeDefined();
  });
});
