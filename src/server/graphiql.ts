import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';

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
  // Options of renderYogaGraphiQL (@graphql-yoga/graphiql 4.5.0): `query` is the editor's initial query
  // (a `?query=` in the page URL wins), `headers` the headers editor's initial text, `additionalHeaders`
  // headers sent with every request whatever the editor holds; `title` is rendered as HTML. Any other
  // key goes to GraphiQL's own props.
  const options = {
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
    #upload-bar { height: 40px; box-sizing: border-box; display: flex; align-items: center; gap: 12px;
      padding: 0 12px; border-bottom: 1px solid #ddd; font-size: 14px; }
    #upload-status { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    #root { height: calc(100% - 40px); }
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
</head>
<body>
  <form id="upload-bar">
    <label>Upload a Spark event log (plain, .lz4, .lzf, .snappy, .zstd, .gz, .zip) or a notebook or script to review (.ipynb, .py, .scala, .sql):
      <input id="upload-file" type="file" name="file" /></label>
    <span id="upload-status" role="status"></span>
  </form>
  <div id="root"></div>
  <script>
    // GraphiQL cannot attach files to variables, so the page sends the upload itself as a GraphQL multipart
    // request, with the preflight header Apollo's CSRF protection asks for: code files go to analyzeNotebook
    // (nothing is stored, so the findings are shown here), anything else to uploadEventLog.
    (function (endpoint) {
      // With AUTH_MODE=token the Headers tab holds {"Authorization": "Bearer <token>"}; GraphiQL sends it with
      // every query but keeps it to itself, so the page notes what the last query to the endpoint carried and
      // uploads with the same.
      var authorization = null;
      var originalFetch = window.fetch.bind(window);
      window.fetch = function (resource, init) {
        var url = typeof resource === 'string' ? resource : resource && resource.url;
        var headers = init && init.headers;
        if (url && new URL(url, location.href).pathname === new URL(endpoint, location.href).pathname && !(init && init.body instanceof FormData)) {
          var value = headers && (typeof headers.get === 'function' ? headers.get('authorization')
            : Object.keys(headers).filter(function (name) { return name.toLowerCase() === 'authorization'; }).map(function (name) { return headers[name]; })[0]);
          authorization = value || null;
        }
        return originalFetch(resource, init);
      };
      var input = document.getElementById('upload-file');
      var status = document.getElementById('upload-status');
      var eventLog = {
        query: 'mutation Upload($file: Upload!) { uploadEventLog(file: $file) { ' +
          'applications { id name } warnings { line message } eventsRead } }',
        describe: function (data) {
          var stored = data.uploadEventLog;
          return 'Stored ' + stored.applications.map(function (a) { return a.id; }).join(', ') +
            ' (' + stored.eventsRead + ' events, ' + stored.warnings.length + ' warnings)';
        },
      };
      var codeReview = {
        query: 'mutation Review($file: Upload!) { analyzeNotebook(file: $file) { ' +
          'fileName format insights { type location { cellIndex line column } } warnings { message } } }',
        describe: function (data) {
          var review = data.analyzeNotebook;
          var findings = review.insights.map(function (i) {
            return i.type + ' at cell ' + i.location.cellIndex + ' line ' + i.location.line + ':' + i.location.column;
          });
          var text = 'Reviewed ' + review.fileName + ' (' + review.format + '): ' +
            (findings.length ? findings.length + ' finding' + (findings.length === 1 ? '' : 's') + ': ' + findings.join('; ') : 'no findings');
          var warnings = review.warnings.length;
          if (warnings) text += '; ' + warnings + ' parse warning' + (warnings === 1 ? '' : 's');
          return text;
        },
      };
      input.addEventListener('change', function () {
        var file = input.files && input.files[0];
        if (!file) return;
        var kind = /\.(ipynb|py|scala|sc|sql)$/i.test(file.name) ? codeReview : eventLog;
        status.textContent = 'Uploading ' + file.name + '…';
        var form = new FormData();
        form.append('operations', JSON.stringify({ query: kind.query, variables: { file: null } }));
        form.append('map', JSON.stringify({ 0: ['variables.file'] }));
        form.append('0', file, file.name);
        var uploadHeaders = { 'apollo-require-preflight': 'true' };
        if (authorization) uploadHeaders.authorization = authorization;
        fetch(endpoint, { method: 'POST', body: form, headers: uploadHeaders })
          .then(function (response) { return response.json(); })
          .then(function (result) {
            if (result.errors && result.errors.length) {
              status.textContent = 'Not accepted: ' + result.errors[0].message;
              return;
            }
            status.textContent = kind.describe(result.data);
          })
          .catch(function (error) { status.textContent = 'Upload failed: ' + error; })
          .finally(function () { input.value = ''; });
      });
    })(${scriptJson(endpoint)});
  </script>
  <script src="${IDE_ASSET_PREFIX}yoga-graphiql.umd.js"></script>
  <script>
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), ${scriptJson(options)});
  </script>
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
