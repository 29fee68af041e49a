import { Field, ObjectType } from 'type-graphql';
import { LongScalar } from './long.scalar.js';

/** A user accumulator (History Server AccumulableInfo). */
@ObjectType({
  description:
    'An accumulator a user program made (History Server AccumulableInfo); Spark\'s internal accumulators and SQL ' +
    'metrics are left out, as History Server does.',
})
export class AccumulableInfo {
  @Field(() => LongScalar)
  id!: bigint;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'What one task added; null on a stage, whose value is the total.' })
  update!: string | null;

  @Field(() => String, { nullable: true, description: 'The accumulated value, as Spark logged it.' })
  value!: string | null;
}
