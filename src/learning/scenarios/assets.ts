import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A folder of scenario assets (`catalog/`, `logs/`). tsc compiles this file to dist/ but does not copy YAML or
 * logs, so a built server reads them from the source tree beside dist/.
 */
export function scenarioAssetDir(name: 'catalog' | 'logs'): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, name), join(here.replace(/([\\/])dist[\\/]src[\\/]/, '$1src$1'), name)];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}
