import { Field, Int, ObjectType } from 'type-graphql';

/** How many tasks were killed for one reason (an entry of History Server's killedTasksSummary). */
@ObjectType({ description: 'How many tasks were killed for one reason (an entry of History Server\'s killedTasksSummary map).' })
export class KilledTasksCount {
  @Field(() => String, { description: 'The kill reason Spark logged, e.g. "another attempt succeeded".' })
  reason!: string;

  @Field(() => Int)
  count!: number;
}
