import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';

const require = createRequire(import.meta.url);
/** GraphiQL's prebuilt bundle ships with the npm package: the IDE needs no CDN and works offline. */
const graphiqlDist = join(dirname(require.resolve('@graphql-yoga/graphiql')), '.');

/** URL prefix under which the IDE's assets are served. */
export const IDE_ASSET_PREFIX = '/ide/';

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Reads one IDE asset for `/ide/<path>`; undefined when it is not one (no path escapes the bundle folder). */
export async function readIdeAsset(urlPath: string): Promise<{ body: Buffer; contentType: string } | undefined> {
  const relative = normalize(decodeURIComponent(urlPath.slice(IDE_ASSET_PREFIX.length)));
  if (relative.startsWith('..') || relative.includes('\0')) return undefined;
  const extension = relative.slice(relative.lastIndexOf('.'));
  const contentType = contentTypes[extension];
  if (!contentType) return undefined;
  try {
    return { body: await readFile(join(graphiqlDist, relative)), contentType };
  } catch {
    return undefined;
  }
}

const defaultQuery = `# Spark Sword: ingested Spark applications.
# Upload a log with the uploadEventLog mutation (the preflight header is already set).
query Applications {
  applications(first: 10) {
    nodes { id name sparkVersion completed duration stats { totalJobs totalStages totalTasks failedTasks } }
  }
}
`;

function landingPageHtml(endpoint: string): string {
  const options = {
    endpoint,
    title: 'Spark Sword GraphQL',
    defaultQuery,
    // Apollo's CSRF protection rejects multipart requests without it; preset so uploads work from the IDE.
    headers: JSON.stringify({ 'apollo-require-preflight': 'true' }, null, 2),
    isHeadersEditorEnabled: true,
  };
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Spark Sword GraphQL</title>
  <link rel="stylesheet" href="${IDE_ASSET_PREFIX}graphiql.css" />
  <style>html, body, #root { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="root"></div>
  <script src="${IDE_ASSET_PREFIX}yoga-graphiql.umd.js"></script>
  <script>
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), ${JSON.stringify(options).replaceAll('<', '\\u003c')});
  </script>
</body>
</html>`;
}

/** Apollo plugin: GET /graphql from a browser opens GraphiQL served from this server's own assets. */
export function offlineGraphiqlLandingPage(endpoint = '/graphql'): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: landingPageHtml(endpoint) };
        },
      };
    },
  };
}
