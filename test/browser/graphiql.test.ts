import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Debian's Chromium; playwright never downloads a browser here (.ci/run installs this one with apt). */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the GraphiQL browser test: ${CHROMIUM} is not installed (apt-get install chromium).`);

const APP_ID = 'local-1422981780767';
const QUERY = '{ applications { nodes { id name } } }';

describe.skipIf(!hasChromium)(
  hasChromium ? 'GraphiQL served offline by the server' : `GraphiQL served offline (skipped: no ${CHROMIUM})`,
  () => {
    let server: TestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let screenshotDir: string;
    /** Every request the page and its workers make, and everything that went wrong in the page. */
    const requests: Request[] = [];
    const workerUrls: string[] = [];
    const problems: string[] = [];

    beforeAll(async () => {
      server = await startTestServer();
      await ingestPaths(server.temp.database, [eventLogPath('apache-spark', APP_ID)]);
      screenshotDir = process.env.GRAPHIQL_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'spark-sword-graphiql-'));
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        // playwright gives each launch a fresh temporary profile (user data dir).
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      context.on('request', (request) => requests.push(request));
      context.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
      context.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
      });
      page = await context.newPage();
      page.on('worker', (worker) => workerUrls.push(worker.url()));
      page.on('websocket', (socket) => problems.push(`websocket opened: ${socket.url()}`));
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        // Monaco warns (not errors) when it cannot start its workers and falls back to the main thread.
        if (message.type() === 'error' || message.type() === 'warning') {
          problems.push(`console ${message.type()}: ${message.text()}`);
        }
      });
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (screenshotDir && !process.env.GRAPHIQL_SCREENSHOT_DIR) rmSync(screenshotDir, { recursive: true, force: true });
    });

    it('runs a query typed into the IDE and shows the ingested application, loading nothing from elsewhere', async () => {
      await page.goto(`${server.url}/graphql`, { waitUntil: 'load' });
      expect(await page.title()).toBe('Spark Sword GraphQL');

      // The query editor (Monaco) is up once it shows the preset query (the page's `query` option).
      const queryEditor = page.locator('.graphiql-query-editor .monaco-editor');
      await queryEditor.locator('.view-lines', { hasText: 'query Applications' }).waitFor({ timeout: 15_000 });

      // Replace the preset query with ours, as a user would: focus, select all, type.
      await queryEditor.locator('.view-lines').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(QUERY);
      // GraphiQL mirrors the editor's text into ?query=: the editor holds exactly what was typed.
      await page.waitForURL((url) => url.searchParams.get('query') === QUERY, { timeout: 5_000 });

      await page.keyboard.press('ControlOrMeta+Enter');
      const response = page.locator('.graphiql-response', { hasText: APP_ID });
      await response.waitFor({ timeout: 15_000 });
      expect(await response.innerText()).toContain(APP_ID);

      // The query went to this server's /graphql with the preflight header from the IDE.
      const sent = requests.find(
        (r) => r.method() === 'POST' && /applications\s*{\s*nodes\s*{\s*id\s+name\s*}/.test(r.postData() ?? ''),
      );
      expect(sent?.url()).toBe(`${server.url}/graphql`);
      expect(await sent!.headerValue('apollo-require-preflight')).toBe('true');

      // The headers editor is preset with the header multipart uploads need.
      await page.locator('.graphiql-editor-tools').getByText('Headers', { exact: true }).click();
      const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
      await headersEditor.locator('.view-lines', { hasText: 'apollo-require-preflight' }).waitFor({ timeout: 5_000 });
      expect(await headersEditor.locator('.view-lines').innerText()).toMatch(/"apollo-require-preflight":\s*"true"/);

      const screenshot = join(screenshotDir, 'graphiql.png');
      await page.screenshot({ path: screenshot });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);

      // Monaco's language workers (GraphQL, JSON, editor) ran from the server, not inline on the main thread.
      for (const worker of ['graphql.worker', 'json.worker', 'editor.worker']) {
        expect(workerUrls.some((url) => url.startsWith(`${server.url}/ide/monacoeditorwork/${worker}`))).toBe(true);
      }

      // Offline: every request the page and its workers made went to this server (data:/blob: load nothing).
      const urls = requests.map((r) => r.url());
      expect(urls).toContain(`${server.url}/ide/yoga-graphiql.umd.js`);
      expect(urls).toContain(`${server.url}/ide/graphiql.css`);
      const elsewhere = urls.filter(
        (url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== server.url,
      );
      expect(elsewhere).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('uploads an event log from the IDE page, with the preflight header, then queries it', async () => {
      const log = eventLogPath('formats', 'codecs', 'local-1642039451826.lz4');
      await page.locator('#upload-file').setInputFiles(log);
      const status = page.locator('#upload-status', { hasText: 'Stored local-1642039451826' });
      await status.waitFor({ timeout: 20_000 });
      expect(await status.innerText()).toMatch(/Stored local-1642039451826 \(115 events, 0 warnings\)/);
      const upload = requests.find((r) => r.method() === 'POST' && (r.headers()['content-type'] ?? '').startsWith('multipart/form-data'));
      expect(await upload!.headerValue('apollo-require-preflight')).toBe('true');
      const answer = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ application(id: "local-1642039451826") { stats { totalTasks } } }' }),
      });
      expect(await answer.json()).toEqual({ data: { application: { stats: { totalTasks: 35 } } } });
      expect(problems).toEqual([]);
    });

    it('reviews a notebook uploaded from the IDE page and lists its findings with their cells and lines', async () => {
      await page.locator('#upload-file').setInputFiles(resolve('test/fixtures/code/sales_analysis.ipynb'));
      const status = page.locator('#upload-status', { hasText: 'Reviewed sales_analysis.ipynb' });
      await status.waitFor({ timeout: 20_000 });
      expect(await status.innerText()).toBe(
        'Reviewed sales_analysis.ipynb (jupyter): 4 findings: csv-infer-schema at cell 1 line 4:20; ' +
          'collect-to-driver at cell 2 line 2:14; order-by-without-limit at cell 3 line 5:1; action-in-loop at cell 4 line 2:48; ' +
          '1 parse warning',
      );
      expect(problems).toEqual([]);
    });

    it('serves the Monaco workers under /ide/ and nothing outside the bundle folder', async () => {
      const worker = await fetch(`${server.url}/ide/monacoeditorwork/graphql.worker..bundle.js`);
      expect(worker.status).toBe(200);
      expect(worker.headers.get('content-type')).toMatch(/^text\/javascript/);
      await worker.arrayBuffer();
      // .js targets, so only the containment check (not the content-type list) can refuse them.
      const outside = resolve('node_modules/graphql/index.js');
      expect(existsSync(outside)).toBe(true);
      for (const path of [
        '/ide/..%2f..%2f..%2fgraphql%2findex.js',
        '/ide/monacoeditorwork/..%2f..%2f..%2f..%2fgraphql%2findex.js',
        `/ide/${encodeURIComponent(outside)}`,
        `/ide/..%5c..%5c..%5cgraphql%5cindex.js`,
        '/ide/graphiql.css%00.js',
        '/ide/%E0%A4%A',
        '/ide/package.json',
      ]) {
        const refused = await fetch(`${server.url}${path}`);
        expect(refused.status, path).toBe(404);
        await refused.arrayBuffer();
      }
    });
  },
);
