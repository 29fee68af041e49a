import { loadCatalog } from '../../src/learning/scenarios/catalog.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyProgressDocument, RunScenarioDocument, ScenarioDetailDocument, ScenariosDocument, SignInWithGoogleDocument, NextScenarioDocument } from '../generated/graphql.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { startFakeGoogle, type FakeGoogle } from '../helpers/google-idp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The learning flow through GraphQL alone, over real HTTP: list scenarios, run one wrong then right, see why,
 * find it completed in myProgress; anonymously and signed in, across server restarts on the same progress file.
 */
describe('learning scenarios over GraphQL', () => {
  let google: FakeGoogle;
  let server: TestServer;
  let progressDir: string;
  let progressPath: string;
  const anonymous = new CookieJar();

  const restart = async (): Promise<void> => {
    await server.close();
    server = await startTestServer(google.serverEnv(), { progressPath });
  };

  const progressOf = async (jar: CookieJar, scenarioId: string) => {
    const response = await jar.gql(server.graphqlUrl, MyProgressDocument);
    expect(response.errors).toBeUndefined();
    expect(response.data!.myProgress).toHaveLength(loadCatalog().list().length);
    return response.data!.myProgress.find((progress) => progress.scenarioId === scenarioId)!;
  };

  beforeAll(async () => {
    google = await startFakeGoogle();
    progressDir = mkdtempSync(join(tmpdir(), 'spark-sword-learning-'));
    progressPath = join(progressDir, 'progress.duckdb');
    server = await startTestServer(google.serverEnv(), { progressPath });
  });
  afterAll(async () => {
    await server?.close();
    await google?.close();
    rmSync(progressDir, { recursive: true, force: true });
  });

  it('lists the catalogue, filtered by level, with NOT_STARTED for a new learner and no cookie issued for reading', async () => {
    const all = await anonymous.gql(server.graphqlUrl, ScenariosDocument, {});
    expect(all.errors).toBeUndefined();
    expect(all.data!.scenarios).toHaveLength(loadCatalog().list().length);
    expect(all.data!.scenarios.every((scenario) => scenario.myStatus === 'NOT_STARTED')).toBe(true);
    expect(all.setCookies).toEqual([]);
    const skewed = all.data!.scenarios.find((scenario) => scenario.id === 'skewed-join')!;
    expect(skewed.knobs.map((knob) => knob.id)).toEqual(['shufflePartitions', 'saltBuckets', 'adaptiveEnabled']);
    expect(skewed.knobs[1]).toMatchObject({ target: 'operations[1].saltBuckets', min: 1, max: 64, integer: true, before: 1 });
    expect(skewed.successConditions[0]).toMatchObject({ metric: 'maxToTypicalPartitionRatio', operator: '<', value: 3 });
    expect(skewed.docs[0]!.url).toMatch(/^https:\/\/spark\.apache\.org\/docs\//);
    expect(skewed).not.toHaveProperty('solution');

    const beginners = await anonymous.gql(server.graphqlUrl, ScenariosDocument, { level: 'BEGINNER' });
    expect(beginners.data!.scenarios.length).toBeGreaterThan(0);
    expect(beginners.data!.scenarios.every((scenario) => scenario.level === 'BEGINNER')).toBe(true);

    const none = await anonymous.gql(server.graphqlUrl, ScenarioDetailDocument, { id: 'no-such-scenario' });
    expect(none.data!.scenario).toBeNull();
  });

  it('runs the skewed join wrong (not passed, the evidence says why), then right (passed), and records both', async () => {
    const wrong = await anonymous.gql(server.graphqlUrl, RunScenarioDocument, {
      id: 'skewed-join',
      input: { choices: [{ knob: 'shufflePartitions', value: 2000 }] },
    });
    expect(wrong.errors).toBeUndefined();
    const wrongRun = wrong.data!.runScenario;
    expect(wrongRun.passed).toBe(false);
    expect(wrongRun.score).toBeLessThan(1);
    // A pass is a sound plan: the run also reports the insights the plan still raises, with their titles.
    const sound = wrongRun.conditions.find((condition) => condition.metric === 'unacceptedInsights')!;
    expect(sound).toMatchObject({ met: false, expected: 'none' });
    expect(sound.explanation).toMatch(/^Not met: the plan still raises CRITICAL "Stage \d+'s largest task may spill/);
    expect(wrongRun.conditions[0]).toMatchObject({ metric: 'maxToTypicalPartitionRatio', operation: 1, operator: '<', expected: 3, met: false });
    expect(wrongRun.conditions[0]!.actual as number).toBeGreaterThan(3);
    expect(wrongRun.conditions[0]!.explanation).toMatch(/^Not met: largest \/ typical partition of operation 1's stage: [\d.]+, expected under 3 \(stage \d+: largest partition/);
    expect(wrongRun.choices.find((choice) => choice.knob === 'shufflePartitions')).toEqual({ knob: 'shufflePartitions', value: 2000, changed: true });
    expect((wrongRun.shape as { config: { shufflePartitions: number } }).config.shufflePartitions).toBe(2000);
    expect(wrongRun.progress).toMatchObject({ status: 'ATTEMPTED', attempts: 1, firstCompletedAt: null, bestScore: wrongRun.score });
    // One failed run earns the first hint; a failed run gets no explanation.
    expect(wrongRun.scenario.hints).toHaveLength(1);
    expect(wrongRun.explanation).toBeNull();
    // The first run issued the anonymous learner cookie (HttpOnly), which keeps the progress.
    expect(wrong.setCookies.map((cookie) => cookie.name)).toContain('ss_learner');

    const right = await anonymous.gql(server.graphqlUrl, RunScenarioDocument, {
      id: 'skewed-join',
      input: { choices: [{ knob: 'adaptiveEnabled', value: true }, { knob: 'shufflePartitions', value: 2000 }] },
    });
    expect(right.errors).toBeUndefined();
    const rightRun = right.data!.runScenario;
    expect(rightRun.passed).toBe(true);
    expect(rightRun.score).toBe(1);
    expect(rightRun.conditions[0]!.met).toBe(true);
    expect(rightRun.conditions[0]!.explanation).toMatch(/^Met: /);
    expect(rightRun.scenario.myStatus).toBe('COMPLETED');
    expect(rightRun.progress).toMatchObject({ status: 'COMPLETED', attempts: 2, bestScore: 1 });
    expect(rightRun.explanation!.summary).toMatch(/^With .* the plan meets every condition/);
    expect(rightRun.explanation!.cleared.map((insight) => insight.type)).toContain('data-skew');
    expect(rightRun.explanation!.docs.length).toBeGreaterThan(0);
    expect(rightRun.scenario.hints.length).toBeGreaterThan(1);
    const next = await anonymous.gql(server.graphqlUrl, NextScenarioDocument, {});
    expect(next.errors).toBeUndefined();
    expect(next.data!.nextScenario).toMatchObject({ level: 'BEGINNER', myStatus: 'NOT_STARTED' });

    const skewed = await progressOf(anonymous, 'skewed-join');
    expect(skewed).toMatchObject({ status: 'COMPLETED', attempts: 2, bestScore: 1, scenario: { title: 'The skewed join' } });
    expect(Date.parse(skewed.firstCompletedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect((skewed.bestResult as { choices: Record<string, unknown> }).choices.adaptiveEnabled).toBe(true);
    expect((await progressOf(anonymous, 'small-files')).status).toBe('NOT_STARTED');
  });

  it('answers BAD_USER_INPUT naming the knob and what it allows, and NOT_FOUND for an unknown scenario', async () => {
    const unknownKnob = await anonymous.gql(server.graphqlUrl, RunScenarioDocument, { id: 'skewed-join', input: { choices: [{ knob: 'salt', value: 4 }] } });
    expect(unknownKnob.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unknownKnob.errors![0]!.message).toMatch(/unknown knob "salt" .*its knobs: shufflePartitions, saltBuckets, adaptiveEnabled/);
    const outOfRange = await anonymous.gql(server.graphqlUrl, RunScenarioDocument, { id: 'skewed-join', input: { choices: [{ knob: 'saltBuckets', value: 1000 }] } });
    expect(outOfRange.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(outOfRange.errors![0]!.message).toMatch(/knob "saltBuckets": 1000 is out of range: a whole number from 1 to 64/);
    const missing = await anonymous.gql(server.graphqlUrl, RunScenarioDocument, { id: 'nope', input: { choices: [] } });
    expect(missing.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    // Refused runs are not attempts.
    expect((await progressOf(anonymous, 'skewed-join')).attempts).toBe(2);
  });

  it('shows another learner (another cookie jar) nothing of it', async () => {
    const other = new CookieJar();
    expect((await progressOf(other, 'skewed-join')).status).toBe('NOT_STARTED');
    const detail = await other.gql(server.graphqlUrl, ScenarioDetailDocument, { id: 'skewed-join' });
    expect(detail.data!.scenario).toMatchObject({ myStatus: 'NOT_STARTED', myProgress: { attempts: 0, firstCompletedAt: null } });
  });

  it('keeps anonymous progress across a server restart on the same progress file', async () => {
    await restart();
    expect(await progressOf(anonymous, 'skewed-join')).toMatchObject({ status: 'COMPLETED', attempts: 2 });
  });

  it('merges anonymous progress at sign-in, then records signed-in runs of a log scenario, across a restart', async () => {
    const signIn = await anonymous.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'learner-1' }) });
    expect(signIn.errors).toBeUndefined();
    expect(await progressOf(anonymous, 'skewed-join')).toMatchObject({ status: 'COMPLETED', attempts: 2 });

    const detail = await anonymous.gql(server.graphqlUrl, ScenarioDetailDocument, { id: 'retried-stages-lost-executor' });
    expect(detail.data!.scenario!.log!.eventLog).toMatch(/^\{"Event":"SparkListenerLogStart"/);

    const wrong = await anonymous.gql(server.graphqlUrl, RunScenarioDocument, {
      id: 'retried-stages-lost-executor',
      input: { choices: [{ knob: 'fetchFailedStage', value: 0 }, { knob: 'firstFailureCause', value: 'oom' }, { knob: 'setting', value: 'spark.sql.shuffle.partitions' }] },
    });
    expect(wrong.errors).toBeUndefined();
    expect(wrong.data!.runScenario.passed).toBe(false);
    // The last condition holds: spark.sql.shuffle.partitions is not a boolean the application already turned on.
    expect(wrong.data!.runScenario.conditions.map((condition) => condition.met)).toEqual([false, false, false, true]);
    expect(wrong.data!.runScenario.conditions[0]!.explanation).toMatch(/you answered 0; stages the failures detector found resubmitted after shuffle fetch failures: 1/);
    expect(wrong.data!.runScenario.insights.map((insight) => insight.id)).toContain('failures:stage-1-retried');
    expect(wrong.data!.runScenario.insights[0]!.appId).toBe('app-scenario-lost-executor');

    const right = await anonymous.gql(server.graphqlUrl, RunScenarioDocument, {
      id: 'retried-stages-lost-executor',
      input: { choices: [{ knob: 'fetchFailedStage', value: 1 }, { knob: 'firstFailureCause', value: 'executor-lost' }, { knob: 'setting', value: 'spark.decommission.enabled' }] },
    });
    expect(right.data!.runScenario).toMatchObject({ passed: true, score: 1, progress: { status: 'COMPLETED', attempts: 2 } });

    await restart();
    expect(await progressOf(anonymous, 'retried-stages-lost-executor')).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect(await progressOf(anonymous, 'skewed-join')).toMatchObject({ status: 'COMPLETED', attempts: 2 });

    // The same account on another device sees the same progress; another account sees none.
    const laptop = new CookieJar();
    await laptop.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'learner-1' }) });
    expect((await progressOf(laptop, 'skewed-join')).status).toBe('COMPLETED');
    const stranger = new CookieJar();
    await stranger.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'learner-2' }) });
    expect((await progressOf(stranger, 'skewed-join')).status).toBe('NOT_STARTED');
  });
});
