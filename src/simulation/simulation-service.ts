import { NotFoundError } from '../errors.js';
import type { AnalysisDatabase } from '../store/database.js';
import { simulationInput } from '../store/simulation-store.js';
import { simulateExecutors, type SimulationOptions, type SimulationResult } from './executor-simulator.js';

/** Reads one stored application and runs the executor what-if model on it. */
export async function simulateApplication(
  db: AnalysisDatabase,
  appKey: string,
  options: SimulationOptions = {},
): Promise<SimulationResult> {
  const input = await simulationInput(db, appKey);
  if (!input) throw new NotFoundError(`No application "${appKey}" has been ingested`);
  return simulateExecutors(input, options);
}
