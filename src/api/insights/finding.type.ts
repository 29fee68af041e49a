import { Field, Float, ID, InterfaceType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import type { EvidenceValue } from '../../analysis/insight.js';
import { InsightConfidence, InsightSeverity } from './insight-levels.js';

/**
 * What every insight has, wherever it was found: in an ingested log (Insight), in source code (CodeInsight) or in
 * a planned DataFrame shape (ShapeInsight). One definition keeps the three alike for clients and in this code.
 */
@InterfaceType({
  description:
    'What every insight has, wherever it was found: in a log (Insight), in code (CodeInsight) or in a planned shape ' +
    '(ShapeInsight). Evidence, how sure it is, what to try and what that costs, a Spark docs link; never a promised speed-up.',
})
export abstract class Finding {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The detector that found it.' })
  type!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  description!: string;

  @Field(() => JSONObjectResolver, { description: 'The numbers or code behind the finding.' })
  evidence!: { [key: string]: EvidenceValue };

  @Field(() => InsightConfidence)
  confidence!: InsightConfidence;

  @Field(() => InsightSeverity)
  severity!: InsightSeverity;

  @Field(() => String, { description: 'What to try.' })
  suggestion!: string;

  @Field(() => String, { description: 'What trying it costs.' })
  tradeoffs!: string;

  @Field(() => String, { description: 'Spark documentation that explains the mechanism.' })
  sparkDocsRef!: string;

  @Field(() => Float, { description: 'Share (0-1) of the application or plan the problem accounts for; 0 when nothing was measured.' })
  impact!: number;
}
