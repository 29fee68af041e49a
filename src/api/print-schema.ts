import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { buildApiSchema } from './schema.js';

/** The schema as SDL, as committed in schema.graphql. */
export async function printApiSchema(): Promise<string> {
  return `${printSchema(await buildApiSchema())}\n`;
}

// `npm run schema:print` regenerates schema.graphql at the project root.
if (process.argv[2] === '--write') {
  writeFileSync(process.argv[3] ?? 'schema.graphql', await printApiSchema());
}
