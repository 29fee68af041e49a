import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenarioYaml } from '../../src/learning/scenarios/catalog.js';
import { ScenarioFileError } from '../../src/learning/scenarios/scenario-schema.js';

/** A small valid scenario; each test breaks one thing in a copy. */
function base(): Record<string, unknown> {
  return {
    id: 'tiny',
    title: 'Tiny',
    level: 'BEGINNER',
    story: 'A story.',
    goals: ['A goal.'],
    shape: {
      source: { kind: 'files', totalBytes: 1_073_741_824, fileCount: 8, format: 'parquet' },
      operations: [{ op: 'filter', selectivity: 0.5 }, { op: 'groupBy', keys: ['k'], distinctGroups: 100 }, { op: 'write' }],
      config: { executors: 4, coresPerExecutor: 4, executorMemoryBytes: 8_589_934_592 },
    },
    knobs: [
      {
        id: 'shufflePartitions',
        label: 'spark.sql.shuffle.partitions',
        explanation: 'Partitions of a shuffle.',
        target: 'config.shufflePartitions',
        allowed: { min: 1, max: 1000, integer: true },
        before: 200,
      },
    ],
    success: [{ metric: 'tasksInStage', operation: 1, operator: '<=', value: 50, why: 'Few tasks.' }],
    hints: ['A hint.'],
    docs: [{ title: 'Tuning', url: 'https://spark.apache.org/docs/latest/tuning.html' }],
    solution: [{ knob: 'shufflePartitions', value: 20 }],
    wrongAnswers: [{ choices: [{ knob: 'shufflePartitions', value: 500 }], why: 'More tasks.' }],
  };
}

function load(scenario: Record<string, unknown>, file = 'tiny.yaml'): () => unknown {
  return () => parseScenarioYaml(stringify(scenario), file);
}

function knob(scenario: Record<string, unknown>): Record<string, unknown> {
  return (scenario.knobs as Array<Record<string, unknown>>)[0]!;
}

describe('scenario file validation', () => {
  it('requires a playground scenario to state its cluster, and wrong answers to name real knobs and allowed values', () => {
    const noCluster = base();
    (noCluster.shape as { config?: unknown }).config = { executors: 4 };
    expect(load(noCluster)).toThrow(/shape\.config\.coresPerExecutor: a scenario states its cluster/);
    const badWrong = base();
    badWrong.wrongAnswers = [{ choices: [{ knob: 'nope', value: 1 }, { knob: 'shufflePartitions', value: 5000 }], why: 'x' }];
    expect(load(badWrong)).toThrow(/wrongAnswers\[0\]\.choices\[0\]\.knob: no knob "nope".*wrongAnswers\[0\]\.choices\[1\]\.value: 5000 is out of range/);
    const missing = base();
    delete missing.wrongAnswers;
    expect(load(missing)).toThrow(/wrongAnswers/);
  });

  it('accepts the base scenario and parses its knob targets', () => {
    const scenario = parseScenarioYaml(stringify(base()), 'tiny.yaml');
    expect(scenario.knobs[0]!.parsedTarget).toEqual({ kind: 'config', field: 'shufflePartitions' });
    expect(scenario.shape.operations).toHaveLength(3);
  });

  it('rejects unknown fields, naming the file and the path', () => {
    const broken = base();
    broken.colour = 'blue';
    knob(broken).default = 3;
    expect(load(broken)).toThrow(ScenarioFileError);
    expect(load(broken)).toThrow(/^tiny\.yaml: .*colour/);
    expect(load(broken)).toThrow(/knobs\[0\].*default/);
  });

  it('rejects a knob aimed at an operation that does not exist or a field that is not one', () => {
    const missingOp = base();
    knob(missingOp).target = 'operations[7].hint';
    expect(load(missingOp)).toThrow(/tiny\.yaml: knobs\[0\]\.target: operation 7 does not exist \(the shape has 3: 0-2\)/);
    const badField = base();
    knob(badField).target = 'config.shuffle_partitions';
    expect(load(badField)).toThrow(/knobs\[0\]\.target: "shuffle_partitions" is not a config field/);
    const badOpField = base();
    knob(badOpField).target = 'operations[1].colour';
    expect(load(badOpField)).toThrow(/knobs\[0\]\.target: "colour" is not an operation field/);
    const nonsense = base();
    knob(nonsense).target = 'the partitions';
    expect(load(nonsense)).toThrow(/is not a knob target/);
  });

  it('rejects a knob whose allowed values make a shape the playground refuses', () => {
    const broken = base();
    Object.assign(knob(broken), { target: 'operations[0].hint', allowed: { values: ['none', 'broadcast'] }, before: 'none' });
    broken.solution = [{ knob: 'shufflePartitions', value: 1 }];
    expect(load(broken)).toThrow(/knobs\[0\]\.allowed: the value "broadcast" makes an invalid shape: .*operations\[0\]/);
  });

  it('rejects a "before" outside the allowed values or different from the shape', () => {
    const outside = base();
    knob(outside).before = 5000;
    expect(load(outside)).toThrow(/knobs\[0\]\.before: 5000 is out of range: a whole number from 1 to 1000/);
    const differs = base();
    (differs.shape as { config?: object }).config = { shufflePartitions: 64 };
    expect(load(differs)).toThrow(/knobs\[0\]\.before: 200 differs from the shape's config\.shufflePartitions, 64/);
  });

  it('rejects a shape that fails the playground validation, with its message', () => {
    const broken = base();
    (broken.shape as { operations: Array<Record<string, unknown>> }).operations[1]!.partitions = 4;
    expect(load(broken)).toThrow(/tiny\.yaml: shape: The shape is not valid: operations\[1\]/);
  });

  it('rejects a condition naming an unknown metric, a missing operation or the wrong operator', () => {
    const unknown = base();
    (unknown.success as Array<Record<string, unknown>>)[0]!.metric = 'speed';
    expect(load(unknown)).toThrow(/success\[0\]\.metric: unknown metric "speed"; known: .*maxToTypicalPartitionRatio/);
    const noOperation = base();
    delete (noOperation.success as Array<Record<string, unknown>>)[0]!.operation;
    expect(load(noOperation)).toThrow(/success\[0\]\.operation: tasksInStage needs the index of an operation/);
    const notAJoin = base();
    Object.assign((notAJoin.success as Array<Record<string, unknown>>)[0]!, { metric: 'broadcastSide', operator: '==', value: 'right' });
    expect(load(notAJoin)).toThrow(/broadcastSide needs a join; operation 1 is a groupBy/);
    const wrongType = base();
    (wrongType.success as Array<Record<string, unknown>>)[0]!.value = 'many';
    expect(load(wrongType)).toThrow(/success\[0\]: the metric is a number; the value "many" is not/);
    const logMetric = base();
    Object.assign((logMetric.success as Array<Record<string, unknown>>)[0]!, { metric: 'retriedStageIds', operator: 'contains', value: 1 });
    delete (logMetric.success as Array<Record<string, unknown>>)[0]!.operation;
    expect(load(logMetric)).toThrow(/retriedStageIds reads the scenario's log, and it has none/);
  });

  it('rejects a solution with an unknown knob or a value the knob does not allow', () => {
    const broken = base();
    broken.solution = [{ knob: 'partitions', value: 20 }, { knob: 'shufflePartitions', value: 0 }];
    expect(load(broken)).toThrow(/solution\[0\]\.knob: no knob "partitions".*solution\[1\]\.value: 0 is out of range/);
  });

  it('rejects an id that is not the file name, and text that is not YAML', () => {
    expect(load(base(), 'other.yaml')).toThrow(/other\.yaml: id: "tiny" must match the file name "other"/);
    expect(() => parseScenarioYaml('id: [unclosed', 'tiny.yaml')).toThrow(/tiny\.yaml: not valid YAML/);
    expect(() => parseScenarioYaml('id: a\nid: b\n', 'tiny.yaml')).toThrow(/tiny\.yaml: not valid YAML/);
  });
});
