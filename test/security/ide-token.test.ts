import { existsSync } from 'node:fs';
import { chromium, type Browser, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { createToken } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

/** AUTH_MODE=token in the IDE: a token put in the Headers tab is sent with queries and with the upload bar's uploads. */
describe.skipIf(!hasChromium)('the IDE with an API token', () => {
  let server: TestServer;
  let browser: Browser;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ AUTH_MODE: 'token' });
    token = await createToken(server, 'uploader', 'ide-user');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends the Headers tab’s Authorization with a query and with the next upload', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    const requests: Request[] = [];
    page.on('request', (request) => requests.push(request));
    await page.goto(server.graphqlUrl, { waitUntil: 'load' });

    await page.locator('.graphiql-editor-tools').getByText('Headers', { exact: true }).click();
    const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
    await headersEditor.locator('.view-lines', { hasText: 'apollo-require-preflight' }).waitFor({ timeout: 15_000 });
    await headersEditor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));

    const queryEditor = page.locator('.graphiql-query-editor .monaco-editor');
    await queryEditor.locator('.view-lines', { hasText: 'query' }).waitFor({ timeout: 15_000 });
    await queryEditor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('query Applications { access { role subject } }');
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.locator('.graphiql-response', { hasText: 'token:ide-user' }).waitFor({ timeout: 15_000 });

    await page.locator('#upload-file').setInputFiles(eventLogPath('apache-spark', 'local-1422981780767'));
    await page.locator('#upload-status', { hasText: 'Stored local-1422981780767' }).waitFor({ timeout: 60_000 });
    const upload = requests.find((r) => r.method() === 'POST' && (r.headers()['content-type'] ?? '').startsWith('multipart/form-data'));
    expect(await upload!.headerValue('authorization')).toBe(`Bearer ${token}`);
  }, 120_000);
});
