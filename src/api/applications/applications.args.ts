import { ArgsType, Field, Int, registerEnumType } from 'type-graphql';
import { IsOptional, Max, Min } from 'class-validator';

/** Application status filter. */
export enum ApplicationStatus {
  COMPLETED = 'COMPLETED',
  RUNNING = 'RUNNING',
}
registerEnumType(ApplicationStatus, {
  name: 'ApplicationStatus',
  description: 'COMPLETED: the log has SparkListenerApplicationEnd. RUNNING: it does not (still running, or the driver died).',
});

/** Arguments of Query.applications. */
@ArgsType()
export class ApplicationsArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100.' })
  @Min(1)
  @Max(100)
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of the previous page.' })
  @IsOptional()
  after?: string;

  @Field(() => ApplicationStatus, { nullable: true })
  @IsOptional()
  status?: ApplicationStatus;
}
