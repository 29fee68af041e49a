import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Debian's Chromium; playwright never downloads a browser here (.ci/run installs this one with apt). */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const samples = join(import.meta.dirname, '../../examples/logs');
/** A shared real log with SQL queries, beside the generated samples. */
const SHARED_LOG = eventLogPath('spark4', 'local-1776286786993.zstd');
const SHARED_APP = 'local-1776286786993';

interface GraphQLAnswer<T> {
  data: T;
}

describe.skipIf(!hasChromium)('the IDE: upload panel, ready query, progress and the Visual tab', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  /** Kept after the run (data/ is not committed) so a person can look at what the test checked. */
  const screenshotDir = process.env.GRAPHIQL_SCREENSHOT_DIR ?? join(import.meta.dirname, '../../data/screenshots/ide');

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return ((await response.json()) as GraphQLAnswer<T>).data;
  }

  /**
   * Screenshots an element and counts, in the browser, the pixels that are not background: a drawing that failed
   * (empty SVG, blank canvas) has almost none. Returns the share of inked pixels.
   */
  async function inkShare(locator: Locator, name: string): Promise<number> {
    const png = await locator.screenshot({ path: join(screenshotDir, `${name}.png`) });
    // Runs in the page (a string: this project's TypeScript has no DOM types).
    return page.evaluate<number>(`(async () => {
      const image = new Image();
      image.src = 'data:image/png;base64,${png.toString('base64')}';
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      let inked = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) inked++;
      return inked / (data.length / 4);
    })()`);
  }

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    server = await startTestServer();
    await ingestPaths(server.temp.database, [join(samples, 'daily-sales-report.json'), join(samples, 'nightly-events-etl.json'), SHARED_LOG]);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    await page.goto(`${server.url}/graphql`, { waitUntil: 'load' });
    await page.locator('.graphiql-query-editor .view-lines', { hasText: 'query Applications' }).waitFor({ timeout: 20_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    console.log(`IDE screenshots in ${screenshotDir}`);
  });

  it('uploads an event log with a progress id it polls, opens the result in a panel and puts a ready query in the editor', async () => {
    const appId = 'app-20261201-preempted-rollup';
    // Hold the upload until the page has asked for its progress: the poll must carry the id the upload sent.
    const polledIds: string[] = [];
    page.on('request', (request) => {
      const body = request.postData() ?? '';
      if (body.includes('IdeUploadProgress')) polledIds.push((JSON.parse(body) as { variables: { id: string } }).variables.id);
    });
    let sentId: string | null = null;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('IdeUpload(')) return route.continue();
      sentId = /"progressId":"([^"]+)"/.exec(body)?.[1] ?? null;
      while (!polledIds.includes(sentId!)) await new Promise((done) => setTimeout(done, 20));
      return route.continue();
    });
    await page.locator('#upload-file').setInputFiles(join(samples, 'preempted-clicks-rollup.json'));
    await page.locator('#upload-status', { hasText: `Stored ${appId}` }).waitFor({ timeout: 30_000 });
    await page.unroute('**/graphql');
    expect(sentId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);

    // The panel: the application, the warnings (none: the sample is clean), and the top insights in full.
    const panel = page.locator('#result-panel');
    expect(await panel.isVisible()).toBe(true);
    const text = await panel.innerText();
    expect(text).toContain(appId);
    expect(text).toContain('"hourly clicks rollup"');
    expect(text).toContain('Warnings (0)');
    const { application } = await graphql<{ application: { insights: Array<{ title: string; suggestion: string; tradeoffs: string }> } }>(
      'query Top($id: ID!) { application(id: $id) { insights(first: 5) { title suggestion tradeoffs } } }',
      { id: appId },
    );
    expect(application.insights.length).toBeGreaterThan(0);
    const shown = panel.locator('.result-insights > li');
    expect(await shown.count()).toBe(application.insights.length);
    for (const [i, insight] of application.insights.entries()) {
      const item = await shown.nth(i).innerText();
      expect(item).toContain(insight.title);
      expect(item).toContain(`Try: ${insight.suggestion}`);
      expect(item).toContain(`Trade-off: ${insight.tradeoffs}`);
    }
    await page.screenshot({ path: join(screenshotDir, 'upload-panel.png') });

    // The editor holds a ready query for the application, which runs.
    const editor = page.locator('.graphiql-query-editor .monaco-editor');
    await editor.locator('.view-lines', { hasText: `application(id: "${appId}")` }).waitFor({ timeout: 20_000 });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.locator('.graphiql-response', { hasText: 'hourly clicks rollup' }).waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
  });

  it('lists every finding of a reviewed notebook in the panel with its cell:line:column, in full', async () => {
    await page.locator('#upload-file').setInputFiles(resolve('test/fixtures/code/sales_analysis.ipynb'));
    await page.locator('#upload-status', { hasText: 'Reviewed sales_analysis.ipynb' }).waitFor({ timeout: 20_000 });
    const findings = page.locator('#result-findings > li');
    const status = await page.locator('#upload-status').innerText();
    const count = Number(/: (\d+) findings?/.exec(status)![1]);
    expect(await findings.count()).toBe(count);
    for (let i = 0; i < count; i++) expect(await findings.nth(i).innerText()).toMatch(/^cell \d+:\d+:\d+ [a-z-]+ \((INFO|LOW|MEDIUM|HIGH|CRITICAL)\)\n.+\n[\s\S]*Try: .+/);
    expect(await page.locator('#result-warnings > li').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  for (const [appId, label] of [
    ['app-20261201-sales-report', 'sample'],
    [SHARED_APP, 'shared'],
  ] as const) {
    it(`draws the ${label} application's stage graph, timeline and SQL plans from the API, not blank`, async () => {
      await page.locator('#tab-visual').click();
      await page.locator('#visual[data-drawn]').waitFor({ state: 'attached', timeout: 20_000 });
      await page.locator('#visual-app').selectOption(appId);
      // Drawn, or a message saying why not (which then fails the test with its text).
      await page.locator(`#visual[data-drawn="${appId}"], #visual-status:text-matches("^Could not")`).first().waitFor({ timeout: 20_000 });
      expect(await page.locator('#visual').getAttribute('data-drawn'), await page.locator('#visual-status').innerText()).toBe(appId);

      const { application: app } = await graphql<{
        application: {
          dag: { nodes: Array<{ stageId: number; status: string }>; edges: Array<{ from: number; to: number }> };
          stages: Array<{ submissionTime: string | null }>;
          sqlExecutions: Array<{ id: number; plan: { nodes: unknown[]; edges: unknown[] } | null }>;
        };
      }>(
        'query Shape($id: ID!) { application(id: $id) { dag { nodes { stageId status } edges { from to } } stages { submissionTime } sqlExecutions { id plan { nodes { id } edges { from } } } } }',
        { id: appId },
      );
      // One box per stage that ran (skipped ones are counted, not drawn), one curve per parent link between them,
      // one bar per stage attempt that ran.
      const ran = new Set(app.dag.nodes.filter((n) => n.status !== 'SKIPPED').map((n) => n.stageId));
      expect(await page.locator('#stage-graph g.stage').count()).toBe(ran.size);
      expect(await page.locator('#stage-graph path.edge').count()).toBe(app.dag.edges.filter((e) => ran.has(e.from) && ran.has(e.to)).length);
      expect(await page.locator('#stage-graph').getAttribute('data-skipped')).toBe(String(app.dag.nodes.length - ran.size));
      expect(await page.locator('#result-panel').isVisible()).toBe(false);
      expect(await page.locator('#stage-timeline rect.stage-bar').count()).toBe(app.stages.filter((s) => s.submissionTime).length);
      const planned = app.sqlExecutions.filter((q) => q.plan && q.plan.nodes.length > 0);
      expect(planned.length).toBeGreaterThan(0);
      expect(await page.locator('#sql-plans svg.sql-plan').count()).toBe(planned.length);
      const first = planned[0]!;
      expect(await page.locator(`#sql-plan-${first.id} g.operator`).count()).toBe(first.plan!.nodes.length);
      expect(await page.locator(`#sql-plan-${first.id} line.edge`).count()).toBe(first.plan!.edges.length);

      // Pictures, not empty frames: each drawing inks a visible share of its pixels.
      expect(await inkShare(page.locator('#stage-graph'), `${label}-stage-graph`)).toBeGreaterThan(0.02);
      expect(await inkShare(page.locator('#stage-timeline'), `${label}-timeline`)).toBeGreaterThan(0.02);
      expect(await inkShare(page.locator(`#sql-plan-${first.id}`), `${label}-sql-plan`)).toBeGreaterThan(0.02);
      await page.screenshot({ path: join(screenshotDir, `${label}-visual.png`), fullPage: true });
      expect(problems).toEqual([]);
    });
  }

  it('reads metrics into the plan: the sample join shows its shuffle size and spill', async () => {
    await page.locator('#visual-app').selectOption('app-20261201-sales-report');
    await page.locator('#visual[data-drawn="app-20261201-sales-report"]').waitFor({ timeout: 20_000 });
    const plan = await page.locator('#sql-plans svg.sql-plan').first().textContent();
    expect(plan).toContain('SortMergeJoin');
    expect(plan).toContain('data size: 6.0 GB');
    expect(plan).toContain('spill size: 3.0 GB');
    const graph = await page.locator('#stage-graph').textContent();
    expect(graph).toContain('Stage 2 · 16 tasks · job 0');
  });
});
