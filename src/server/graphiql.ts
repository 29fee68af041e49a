import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { packageRoot } from '../version.js';

const require = createRequire(import.meta.url);
/**
 * GraphiQL's prebuilt bundle ships with the npm package (dist/: the UMD bundle, its CSS with fonts inlined,
 * and the Monaco editor's web workers in dist/monacoeditorwork/): the IDE needs no CDN and works offline.
 */
const graphiqlDist = dirname(require.resolve('@graphql-yoga/graphiql'));
/** Folder, inside the bundle folder, holding Monaco's prebuilt web workers. */
const WORKER_FOLDER = 'monacoeditorwork';

/** URL prefix under which the IDE's assets are served. */
export const IDE_ASSET_PREFIX = '/ide/';

/** The page's own script (upload panel, progress, Visual tab), served at /ide/spark-sword-ide.js. */
const IDE_SCRIPT = 'spark-sword-ide.js';
/** ide.js lives in src/server/ide/ (plain browser JavaScript, which tsc does not copy): found from the package root. */
const ideScriptPath: string = join(packageRoot, 'src', 'server', 'ide', 'ide.js');

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Reads one IDE asset for `/ide/<path>` (the bundle, its CSS, the Monaco workers); undefined when it is not
 * one. Only files inside the bundle folder are served: `..`, absolute and encoded escapes are refused.
 */
export async function readIdeAsset(urlPath: string): Promise<{ body: Buffer; contentType: string } | undefined> {
  if (!urlPath.startsWith(IDE_ASSET_PREFIX)) return undefined;
  if (urlPath === `${IDE_ASSET_PREFIX}${IDE_SCRIPT}`) return { body: await readFile(ideScriptPath), contentType: contentTypes['.js']! };
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.slice(IDE_ASSET_PREFIX.length));
  } catch {
    return undefined; // malformed percent-encoding
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const file = resolve(graphiqlDist, decoded);
  const inside = relative(graphiqlDist, file);
  if (inside === '' || inside.startsWith('..') || inside.startsWith(sep) || !file.startsWith(graphiqlDist + sep)) {
    return undefined;
  }
  const contentType = contentTypes[file.slice(file.lastIndexOf('.'))];
  if (!contentType) return undefined;
  try {
    return { body: await readFile(file), contentType };
  } catch {
    return undefined;
  }
}

/**
 * Monaco worker label → URL of its prebuilt worker script. The bundle names them `<label>.worker…bundle.js`
 * (`graphql.worker..bundle.js` in 4.5.0), so they are listed rather than spelled out; `editor` is Monaco's
 * own worker, used for every other label (e.g. `editorWorkerService`).
 */
async function monacoWorkerUrls(): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const name of await readdir(resolve(graphiqlDist, WORKER_FOLDER))) {
    const match = /^([A-Za-z]+)\.worker\.+bundle\.js$/.exec(name);
    if (match) urls[match[1]!] = `${IDE_ASSET_PREFIX}${WORKER_FOLDER}/${encodeURIComponent(name)}`;
  }
  if (!urls['editor']) throw new Error(`GraphiQL's Monaco editor worker is missing from ${graphiqlDist}/${WORKER_FOLDER}`);
  return urls;
}

const defaultQuery = `# Spark Sword: the ingested Spark applications. Ctrl-Enter runs.
# Upload an event log with the bar above (uploadEventLog), then run this again.
query Applications {
  applications(first: 10) {
    totalCount
    nodes {
      id
      name
      sparkVersion
      completed
      duration
      stats { totalJobs totalStages totalTasks failedTasks }
    }
  }
}
`;

const TITLE = 'Spark Sword GraphQL';

/** A value inside an inline <script>: `<` escaped so no `</script>` or `<!--` can end or alter it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

function landingPageHtml(endpoint: string, workerUrls: Record<string, string>): string {
  // Options of renderYogaGraphiQL (@graphql-yoga/graphiql 4.5.0): `query` is the editor's initial query,
  // `headers` the headers editor's initial text, `additionalHeaders` headers sent with every request whatever the
  // editor holds; `title` is rendered as HTML. Any other key goes to GraphiQL's own props. ide.js renders it
  // (again with a ready query after an upload).
  const graphiql = {
    endpoint,
    title: TITLE,
    query: defaultQuery,
    // Apollo's CSRF protection rejects multipart requests without it; shown in the headers editor and also
    // always sent, so clearing the editor (GraphiQL persists it in localStorage) cannot lose it.
    headers: JSON.stringify({ 'apollo-require-preflight': 'true' }, null, 2),
    additionalHeaders: { 'apollo-require-preflight': 'true' },
    isHeadersEditorEnabled: true,
  };
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>${TITLE}</title>
  <link rel="icon" href="data:," />
  <link rel="stylesheet" href="${IDE_ASSET_PREFIX}graphiql.css" />
  <style>
    html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
    body { display: flex; flex-direction: column; }
    #top-bar { display: flex; align-items: center; gap: 12px; padding: 6px 12px; border-bottom: 1px solid #ddd; font-size: 14px; flex-wrap: wrap; }
    #upload-bar { display: flex; align-items: center; gap: 12px; flex: 1; min-width: 0; }
    #upload-status { overflow-wrap: anywhere; }
    #upload-progress { width: 160px; }
    #tabs button { font: inherit; padding: 4px 12px; border: 1px solid #bbb; background: #f6f6f6; cursor: pointer; }
    #tabs button[aria-selected="true"] { background: #fff; border-bottom-color: #fff; font-weight: 600; }
    #result-panel { max-height: 40vh; overflow: auto; padding: 4px 16px 12px; border-bottom: 2px solid #ccc; background: #fbfbf8; font-size: 13px; }
    #result-panel h3 { margin: 10px 0 4px; font-size: 14px; }
    #result-panel li { margin-bottom: 6px; }
    #result-panel .meta { color: #666; }
    #result-panel code { display: block; background: #f0f0f0; padding: 2px 4px; white-space: pre-wrap; }
    #result-close { float: right; margin-top: 8px; }
    #root { flex: 1; min-height: 0; }
    #visual { flex: 1; overflow: auto; padding: 8px 16px; font-size: 13px; }
    #visual h2 { font-size: 15px; margin: 16px 0 4px; }
    #visual svg { width: 100%; max-width: 1400px; display: block; background: #fff; border: 1px solid #e3e3e3; }
    #visual text { font: 12px system-ui, sans-serif; fill: #222; }
    #visual text.title { font-weight: 600; }
    #visual text.meta, #visual text.edge-label, #visual text.note { fill: #666; font-size: 11px; }
    #visual .edge { fill: none; stroke: #777; stroke-width: 1.5; }
    #visual .grid { stroke: #eee; }
    #visual rect.executor { fill: #8fb8de; }
    #visual rect.executor.removed { fill: #d9a38f; }
    #visual rect.stage-bar { fill: #7cbf7c; }
    #visual rect.stage-bar.failed { fill: #e06666; }
    #visual rect.stage-bar.skipped { fill: #ccc; }
    #visual rect.op { fill: #eef3fb; stroke: #6b8fc2; }
    #visual rect.exchange { fill: #fdf0dc; stroke: #c79a4a; }
  </style>
  <script>
    // Monaco runs language services in web workers; the bundle does not say where they are, so point it at
    // the prebuilt ones served beside it (it reads this when the bundle loads, so it must come first).
    (function (workers) {
      globalThis.MonacoEnvironment = {
        getWorker: function (_moduleId, label) {
          return new Worker(new URL(workers[label] || workers.editor, location.href), { name: label });
        },
      };
    })(${scriptJson(workerUrls)});
  </script>
  <script type="application/json" id="ide-config">${scriptJson({ endpoint, graphiql })}</script>
</head>
<body>
  <div id="top-bar">
    <nav id="tabs" role="tablist">
      <button id="tab-query" type="button" role="tab" aria-selected="true">Query</button>
      <button id="tab-visual" type="button" role="tab" aria-selected="false">Visual</button>
    </nav>
    <form id="upload-bar">
      <label>Upload a Spark event log (plain, .lz4, .lzf, .snappy, .zstd, .gz, .zip) or a notebook or script to review (.ipynb, .py, .scala, .sql):
        <input id="upload-file" type="file" name="file" /></label>
      <progress id="upload-progress" hidden></progress>
      <span id="upload-status" role="status"></span>
    </form>
  </div>
  <section id="result-panel" hidden aria-label="Upload result">
    <button id="result-close" type="button">Close</button>
    <div id="result-body"></div>
  </section>
  <div id="root"></div>
  <div id="visual" hidden>
    <label>Application: <select id="visual-app"></select></label> <span id="visual-status" role="status"></span>
    <h2>Jobs and stages (boxes darker by task time; edges labelled with the shuffle bytes written)</h2>
    <svg id="stage-graph" role="img" aria-label="Stage graph"></svg>
    <h2>Timeline (executors alive, stage attempts from submission to completion)</h2>
    <svg id="stage-timeline" role="img" aria-label="Stage timeline"></svg>
    <h2>SQL plans (operators with their metrics; data flows up)</h2>
    <div id="sql-plans"></div>
  </div>
  <script src="${IDE_ASSET_PREFIX}yoga-graphiql.umd.js"></script>
  <script src="${IDE_ASSET_PREFIX}${IDE_SCRIPT}"></script>
</body>
</html>`;
}

/** Apollo plugin: GET /graphql from a browser opens GraphiQL served from this server's own assets. */
export function offlineGraphiqlLandingPage(endpoint = '/graphql'): ApolloServerPlugin {
  return {
    async serverWillStart() {
      const html = landingPageHtml(endpoint, await monacoWorkerUrls());
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
