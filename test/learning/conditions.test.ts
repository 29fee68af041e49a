import { describe, expect, it } from 'vitest';
import { evaluateConditions, scoreOf } from '../../src/learning/scenarios/conditions.js';
import type { ScenarioCondition } from '../../src/learning/scenarios/scenario-schema.js';
import { simulateShape } from '../../src/simulation/shape/shape-simulator.js';

const condition = (overrides: Partial<ScenarioCondition>): ScenarioCondition => ({
  metric: 'tasksInStage',
  operation: 1,
  insightType: null,
  operator: '<=',
  value: 400,
  answer: null,
  why: 'Why it matters.',
  ...overrides,
});

describe('success conditions', () => {
  const result = simulateShape({
    source: { kind: 'files', totalBytes: 10 * 1024 ** 3, fileCount: 80, format: 'parquet' },
    operations: [{ op: 'filter', selectivity: 0.5 }, { op: 'groupBy', keys: ['k'], distinctGroups: 1000 }, { op: 'write' }],
    config: { adaptiveEnabled: false },
  });
  const input = { result, log: null, operationIndex: (index: number) => index };

  it('measure on the simulation and explain expected vs actual with its derivation', () => {
    const [met, missed] = evaluateConditions(
      [condition({}), condition({ metric: 'filesWritten', operation: null, operator: '<', value: 10 })],
      input,
      new Map(),
    );
    expect(met).toMatchObject({ met: true, actual: 200, expected: 400 });
    expect(met!.explanation).toMatch(/^Met: number of tasks of operation 1's stage: 200, expected at most 400 \(stage \d+: .*\)\. Why it matters\.$/);
    expect(missed).toMatchObject({ met: false, actual: 200 });
    expect(scoreOf([met!, missed!])).toBe(0.5);
  });

  it('fail, with the reason, when the choices removed the operation a metric reads', () => {
    const [gone] = evaluateConditions([condition({})], { ...input, operationIndex: () => null }, new Map());
    expect(gone).toMatchObject({ met: false, actual: null });
    expect(gone!.explanation).toMatch(/^Not met: number of tasks of operation 1's stage cannot be measured \(operation 1 was removed by the choices\)/);
  });

  it('compare a diagnosis with the learner\'s answer', () => {
    const log = { appId: 'app', insights: [], sparkProperties: {} };
    const [answer] = evaluateConditions(
      [condition({ metric: 'retriedStageIds', operation: null, operator: 'contains', value: null, answer: 'stage' })],
      { result: null, log, operationIndex: (index: number) => index },
      new Map([['stage', 1]]),
    );
    expect(answer).toMatchObject({ met: false, expected: 1, actual: [] });
    expect(answer!.explanation).toMatch(/you answered 1; stages the failures detector found retried in the log: none/);
  });

  it('"excludes" holds when a list lacks the learner\'s answer: a setting the application already ran with is not a fix', () => {
    const log = { appId: 'app', insights: [], sparkProperties: { 'spark.shuffle.service.enabled': 'true', 'spark.speculation': 'false' } };
    const check = (setting: string) =>
      evaluateConditions(
        [condition({ metric: 'settingsAlreadyOn', operation: null, operator: 'excludes', value: null, answer: 'setting' })],
        { result: null, log, operationIndex: (index: number) => index },
        new Map([['setting', setting]]),
      )[0]!;
    expect(check('spark.shuffle.service.enabled')).toMatchObject({ met: false, actual: ['spark.shuffle.service.enabled'] });
    expect(check('spark.decommission.enabled').met).toBe(true);
    expect(check('spark.decommission.enabled').explanation).toContain('spark.shuffle.service.enabled=true');
  });
});
