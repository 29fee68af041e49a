import { Field, Float, Int, ObjectType } from 'type-graphql';
import { KeyValue } from '../common/key-value.type.js';
import { LongScalar } from '../common/long.scalar.js';

/** The JVM and Scala the driver ran on. */
@ObjectType({ description: 'The JVM and Scala the driver ran on (History Server RuntimeInfo).' })
export class RuntimeInfo {
  @Field(() => String, { nullable: true, description: 'e.g. "1.8.0_92 (Oracle Corporation)".' })
  javaVersion!: string | null;

  @Field(() => String, { nullable: true })
  javaHome!: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. "version 2.12.10".' })
  scalaVersion!: string | null;
}

/** An executor resource a resource profile asks for. */
@ObjectType({ description: 'An executor resource a resource profile asks for (cores, memory in MiB, gpu...).' })
export class ExecutorResourceRequest {
  @Field(() => String)
  resourceName!: string;

  @Field(() => LongScalar)
  amount!: bigint;

  @Field(() => String, { nullable: true, description: 'Script that discovers the resource\'s addresses; "" when none.' })
  discoveryScript!: string | null;

  @Field(() => String, { nullable: true })
  vendor!: string | null;
}

/** A task resource a resource profile asks for. */
@ObjectType({ description: 'A resource each task of a resource profile needs; may be a fraction (0.5 GPU).' })
export class TaskResourceRequest {
  @Field(() => String)
  resourceName!: string;

  @Field(() => Float)
  amount!: number;
}

/** A resource profile of stage-level scheduling. */
@ObjectType({ description: 'A resource profile (Spark 3.1+ stage-level scheduling); 0 is the default profile.' })
export class ResourceProfile {
  @Field(() => Int)
  id!: number;

  @Field(() => [ExecutorResourceRequest], { description: 'Sorted by resource name.' })
  executorResources!: ExecutorResourceRequest[];

  @Field(() => [TaskResourceRequest], { description: 'Sorted by resource name.' })
  taskResources!: TaskResourceRequest[];
}

/** What an application ran with, as Spark History Server's ApplicationEnvironmentInfo shows it. */
@ObjectType({
  description:
    'What an application ran with, from its SparkListenerEnvironmentUpdate (History Server ' +
    'ApplicationEnvironmentInfo). Every list is sorted by key. Values are as Spark logged them: Spark redacts ' +
    'secrets (spark.redaction.regex) before writing the log.',
})
export class ApplicationEnvironment {
  @Field(() => RuntimeInfo)
  runtime!: RuntimeInfo;

  @Field(() => [KeyValue])
  sparkProperties!: KeyValue[];

  @Field(() => [KeyValue])
  hadoopProperties!: KeyValue[];

  @Field(() => [KeyValue], { description: 'JVM system properties of the driver.' })
  systemProperties!: KeyValue[];

  @Field(() => [KeyValue])
  metricsProperties!: KeyValue[];

  @Field(() => [KeyValue], { description: 'Each entry: key = jar or directory, value = where it came from ("System Classpath", "Added By User").' })
  classpathEntries!: KeyValue[];

  @Field(() => [ResourceProfile], { description: 'Resource profiles by id; empty before Spark 3.1.' })
  resourceProfiles!: ResourceProfile[];
}
