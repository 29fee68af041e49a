import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NotFoundError } from '../../errors.js';
import { logger } from '../../logger.js';
import { scenarioAssetDir } from './assets.js';
import { ScenarioFileError, validateScenario, type Scenario, type ScenarioLevel } from './scenario-schema.js';

/** Every scenario, validated, in a stable order (level, then id). */
export class ScenarioCatalog {
  private readonly byId: Map<string, Scenario>;

  constructor(readonly scenarios: readonly Scenario[]) {
    this.byId = new Map(scenarios.map((scenario) => [scenario.id, scenario]));
  }

  /** The scenarios of one level, or all of them. */
  list(level?: ScenarioLevel | null): Scenario[] {
    return this.scenarios.filter((scenario) => !level || scenario.level === level);
  }

  /** The scenario with this id, or undefined. */
  find(id: string): Scenario | undefined {
    return this.byId.get(id);
  }

  /** The scenario with this id; NotFoundError listing the known ids otherwise. */
  get(id: string): Scenario {
    const scenario = this.byId.get(id);
    if (!scenario) throw new NotFoundError(`No scenario "${id}". Known scenarios: ${[...this.byId.keys()].join(', ')}`);
    return scenario;
  }
}

/** Parses and validates one scenario's YAML text; `file` names it in errors. */
export function parseScenarioYaml(text: string, file: string): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw new ScenarioFileError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  return validateScenario(raw, file);
}

const levelOrder: Record<ScenarioLevel, number> = { BEGINNER: 0, INTERMEDIATE: 1, ADVANCED: 2 };

/**
 * Loads every `*.yaml` of a catalogue folder; throws ScenarioFileError naming each bad file (all of them, so an
 * author fixes everything in one pass). A scenario's log must exist under the logs folder.
 */
export function loadCatalog(dir: string = scenarioAssetDir('catalog'), logsDir: string = scenarioAssetDir('logs')): ScenarioCatalog {
  const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort();
  const scenarios: Scenario[] = [];
  const errors: string[] = [];
  for (const name of files) {
    try {
      const scenario = parseScenarioYaml(readFileSync(join(dir, name), 'utf8'), name);
      if (scenario.log && !existsSync(join(logsDir, scenario.log.file))) {
        throw new ScenarioFileError(`${name}: log.file: ${scenario.log.file} is not in ${logsDir} (run npm run scenarios:logs)`);
      }
      scenarios.push(scenario);
    } catch (error) {
      if (!(error instanceof ScenarioFileError)) throw error;
      errors.push(error.message);
    }
  }
  if (errors.length > 0) throw new ScenarioFileError(`Invalid scenario files in ${dir}:\n${errors.join('\n')}`);
  scenarios.sort((a, b) => levelOrder[a.level] - levelOrder[b.level] || a.id.localeCompare(b.id));
  logger.debug({ scenarios: scenarios.length }, 'loaded the scenario catalogue');
  return new ScenarioCatalog(scenarios);
}

let cached: ScenarioCatalog | null = null;

/** The catalogue shipped with the server, loaded and validated once per process (the first call, at start-up). */
export function scenarioCatalog(): ScenarioCatalog {
  cached ??= loadCatalog();
  return cached;
}
