import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

const log = join(import.meta.dirname, '../../examples/logs/nightly-events-etl.json');

interface Progress {
  id: string;
  phase: string;
  bytesReceived: string;
  sourceName: string | null;
  events: number | null;
  elapsedMs: string;
  error: string | null;
}

describe('upload progress through Query.ingestProgress', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  async function progressOf(id: string): Promise<{ data?: { ingestProgress: Progress | null }; errors?: Array<{ extensions: { code: string } }> }> {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query Progress($id: String!) { ingestProgress(id: $id) { id phase bytesReceived sourceName events elapsedMs error } }',
        variables: { id },
      }),
    });
    return (await response.json()) as { data?: { ingestProgress: Progress | null } };
  }

  /** Sends a multipart upload in two halves; between them the test looks at the progress. */
  function uploadInTwoHalves(id: string, file: Buffer, between: () => Promise<void>): Promise<{ status: number; body: string }> {
    const boundary = `----spark-sword-${randomUUID()}`;
    const operations = JSON.stringify({
      query: 'mutation Upload($file: Upload!, $id: String) { uploadEventLog(file: $file, progressId: $id) { application { id } eventsRead } }',
      variables: { file: null, id },
    });
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="nightly-events-etl.json"\r\nContent-Type: application/json\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    return new Promise((resolve, reject) => {
      const req = request(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'apollo-require-preflight': 'true' },
      });
      req.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      const half = Math.floor(file.length / 2);
      req.write(head);
      req.write(file.subarray(0, half));
      between().then(
        () => {
          req.write(file.subarray(half));
          req.end(tail);
        },
        (error: unknown) => {
          req.destroy();
          reject(error);
        },
      );
    });
  }

  it('shows the bytes received while the file arrives, then DONE with the events stored', async () => {
    const file = readFileSync(log);
    const id = randomUUID();
    let seenWhileReceiving: Progress | null = null;
    const result = await uploadInTwoHalves(id, file, async () => {
      // Half the file is on its way: wait until the server has counted some of it (no timing asserted).
      for (;;) {
        const progress = (await progressOf(id)).data?.ingestProgress ?? null;
        if (progress && Number(progress.bytesReceived) > 0) {
          seenWhileReceiving = progress;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ data: { uploadEventLog: { application: { id: 'app-20261201-nightly-etl' } } } });
    expect(seenWhileReceiving).toMatchObject({ id, phase: 'RECEIVING', sourceName: null, events: null, error: null });
    expect(Number(seenWhileReceiving!.bytesReceived)).toBeLessThan(file.length);

    const done = (await progressOf(id)).data!.ingestProgress!;
    const eventsRead = (JSON.parse(result.body) as { data: { uploadEventLog: { eventsRead: number } } }).data.uploadEventLog.eventsRead;
    expect(done).toMatchObject({ id, phase: 'DONE', bytesReceived: String(file.length), sourceName: 'nightly-events-etl.json', events: eventsRead, error: null });
  });

  it('ends FAILED with the reason for a file that is not an event log', async () => {
    const id = randomUUID();
    const result = await uploadInTwoHalves(id, Buffer.from('this is not a Spark event log\nnor is this\n'), async () => {});
    expect(JSON.parse(result.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const failed = (await progressOf(id)).data!.ingestProgress!;
    expect(failed.phase).toBe('FAILED');
    expect(failed.error).toMatch(/not a Spark event log|JSON/);
  });

  it('answers null for an id it does not know and BAD_USER_INPUT for one that is not an id', async () => {
    expect((await progressOf(randomUUID())).data!.ingestProgress).toBeNull();
    expect((await progressOf('short')).errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});
