import { describe, expect, it } from 'vitest';
import { promisesIn } from '../../src/analysis/insight.js';
import { analyseScenarioLog } from '../../src/learning/scenarios/log-analysis.js';
import { metrics } from '../../src/learning/scenarios/metrics.js';

describe('a scenario log analysed with the detectors', () => {
  it('finds the lost executor, the fetch failures and the retried stages in retried-stages-lost-executor.json', async () => {
    const log = await analyseScenarioLog('retried-stages-lost-executor.json');
    expect(log.appId).toBe('app-scenario-lost-executor');
    const input = { result: null, log, operationIndex: (index: number) => index };
    expect(metrics.retriedStageIds!.measure(input, {}).value).toEqual(expect.arrayContaining([1]));
    expect(metrics.taskFailureCauses!.measure(input, {}).value).toEqual(expect.arrayContaining(['executor-lost', 'fetch-failed']));
    expect(metrics.suggestedSettings!.measure(input, {}).value).toContain('spark.shuffle.service.enabled');
    for (const insight of log.insights) expect(promisesIn(insight), insight.id).toEqual([]);
    // Analysed once per process: the second call is the same promise's value.
    expect(await analyseScenarioLog('retried-stages-lost-executor.json')).toBe(log);
  });
});
