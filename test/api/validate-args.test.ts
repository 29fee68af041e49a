import 'reflect-metadata';
import { ArgumentValidationError } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { rememberingValidator } from '../../src/api/common/validate-args.js';
import { StageArgs } from '../../src/api/stages/stages.args.js';
import { TaskSummaryArgs } from '../../src/api/tasks/tasks.args.js';

const summaryArgs = (quantiles: number[]): TaskSummaryArgs => Object.assign(new TaskSummaryArgs(), { quantiles });
const stageArgs = (stageId: number): StageArgs => Object.assign(new StageArgs(), { stageId });
const validate = (validator: ReturnType<typeof rememberingValidator>, value: unknown): Promise<void> =>
  Promise.resolve(validator(value, Object, {} as never));

describe('argument validation that remembers valid values', () => {
  it('accepts valid arguments, the same ones again, and refuses invalid ones every time', async () => {
    const validator = rememberingValidator({ forbidUnknownValues: false });
    await expect(validate(validator, summaryArgs([0.5]))).resolves.toBeUndefined();
    await expect(validate(validator, summaryArgs([0.5]))).resolves.toBeUndefined();
    for (let i = 0; i < 2; i += 1) {
      const refused = await validate(validator, summaryArgs([1.5])).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ArgumentValidationError);
      expect(JSON.stringify((refused as ArgumentValidationError).extensions.validationErrors)).toContain('quantiles');
    }
    await expect(validate(validator, summaryArgs([]))).rejects.toBeInstanceOf(ArgumentValidationError);
    await expect(validate(validator, stageArgs(-1))).rejects.toBeInstanceOf(ArgumentValidationError);
  });

  it('judges each argument class on its own: the same JSON valid for one class is checked again for another', async () => {
    const validator = rememberingValidator({ forbidUnknownValues: false });
    class Lenient {
      stageId = -1;
    }
    // Remembered as valid for a class without constraints...
    await expect(validate(validator, new Lenient())).resolves.toBeUndefined();
    // ...which does not make the same value valid for StageArgs (stageId >= 0).
    await expect(validate(validator, stageArgs(-1))).rejects.toBeInstanceOf(ArgumentValidationError);
  });

  it('validates lists of argument objects item by item and leaves scalars alone', async () => {
    const validator = rememberingValidator({ forbidUnknownValues: false });
    await expect(validate(validator, [summaryArgs([0.1]), summaryArgs([2])])).rejects.toBeInstanceOf(ArgumentValidationError);
    await expect(validate(validator, 'app-1')).resolves.toBeUndefined();
    await expect(validate(validator, null)).resolves.toBeUndefined();
  });
});
